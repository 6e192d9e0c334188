/**
 * ONNX Runtime for transformers.js: the WebAssembly build (onnxruntime-web), never the native addon.
 *
 * transformers.js v2 imports onnxruntime-node whenever it runs under Node or Bun. That addon
 * (1.14.0) cannot be loaded again in a process once a worker that loaded it has exited — Bun
 * aborts the whole process, so a restarted news worker would take the appliance down — and a
 * compiled binary cannot load it without also shipping and extracting libonnxruntime.so. So
 * `onnxruntime-node` is replaced by onnxruntime-web, and `sharp` by a stub: here, by a Bun plugin
 * registered before transformers.js is imported (source runs and tests); in the binary, by
 * scripts/build.ts at bundle time, which also embeds the .wasm file and registers its path here.
 */
import { plugin } from "bun";
import sharpStub from "./sharp-stub.ts";

/** The build transformers.js v2 picks: single-threaded with SIMD. */
export const ONNX_WASM_FILE = "ort-wasm-simd.wasm";

let embeddedWasm: string | null = null;
let pluginInstalled = false;

/** Called by the binary's generated entry with the embedded file's path (readable through node:fs). */
export function registerEmbeddedOnnxWasm(path: string): void {
  embeddedWasm = path;
}

/** Must run before the first import of @xenova/transformers in this thread. */
export async function useOnnxWasm(): Promise<void> {
  // In the binary the bundler already swapped the modules.
  if (embeddedWasm !== null || pluginInstalled) return;
  pluginInstalled = true;
  const onnxWeb = await import("onnxruntime-web");
  plugin({
    name: "catalyst-onnx-wasm",
    setup(build) {
      build.module("onnxruntime-node", () => ({ exports: { ...onnxWeb }, loader: "object" }));
      build.module("sharp", () => ({ exports: { default: sharpStub }, loader: "object" }));
    },
  });
}

interface OnnxWasmFlags {
  wasm: { numThreads?: number; wasmPaths?: string | Record<string, string> };
}

/** Where the runtime is, for the log line: the embedded file or transformers.js' own dist/. */
export function configureOnnxWasm(onnx: OnnxWasmFlags): string {
  // Threads would need ONNX Runtime's worker script beside it, which the binary does not carry.
  onnx.wasm.numThreads = 1;
  if (embeddedWasm !== null) onnx.wasm.wasmPaths = { [ONNX_WASM_FILE]: embeddedWasm };
  return embeddedWasm ?? `${String(onnx.wasm.wasmPaths ?? "")}${ONNX_WASM_FILE}`;
}
