import type { PGliteOptions } from "@electric-sql/pglite";

// A compiled `catalyst` binary cannot let PGlite fetch pglite.wasm / pglite.data / initdb.wasm by
// URL, so the build script embeds them (`import x from "..." with { type: "file" }`) and registers
// them here at startup, together with the pre-initialised cluster image.

export interface EmbeddedPgliteAssets {
  /** tar.gz of an initialised PGDATA, as made by `buildPgImage()`. */
  pgImage?: Blob;
  pgliteWasm?: Blob;
  initdbWasm?: Blob;
  /** pglite.data */
  fsBundle?: Blob;
}

export type PgliteAssetOptions = Pick<PGliteOptions, "pgliteWasmModule" | "initdbWasmModule" | "fsBundle">;

let registered: EmbeddedPgliteAssets = {};
let compiledOptions: Promise<PgliteAssetOptions> | undefined;

export function registerEmbeddedAssets(assets: EmbeddedPgliteAssets): void {
  registered = { ...assets };
  compiledOptions = undefined;
}

export function registeredPgImage(): Blob | undefined {
  return registered.pgImage;
}

/** PGlite options for the registered assets; wasm is compiled once and reused by every instance. */
export function pgliteAssetOptions(): Promise<PgliteAssetOptions> {
  compiledOptions ??= compileAssetOptions(registered);
  return compiledOptions;
}

async function compileAssetOptions(assets: EmbeddedPgliteAssets): Promise<PgliteAssetOptions> {
  const options: PgliteAssetOptions = {};
  if (assets.pgliteWasm) options.pgliteWasmModule = await WebAssembly.compile(await assets.pgliteWasm.arrayBuffer());
  if (assets.initdbWasm) options.initdbWasmModule = await WebAssembly.compile(await assets.initdbWasm.arrayBuffer());
  if (assets.fsBundle) options.fsBundle = assets.fsBundle;
  return options;
}
