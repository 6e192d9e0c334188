/**
 * Appliance figures: builds the binary, then measures cold start to every service /health = 200
 * (first start on a new data dir, and restart on an existing one), resident memory, binary size.
 * Prints figures; asserts nothing — this machine is shared and noisy.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVICE_NAMES, SERVICE_PORT_OFFSETS } from "../src/runtime/services.ts";
import { freePortBase } from "../test/support/env.ts";
import { fmt, median, rssMb } from "./stats.ts";

const RUNS = 5;
const root = join(import.meta.dir, "..");
const binary = join(root, "dist/catalyst");

const build = Bun.spawnSync(["bun", "run", "build"], { cwd: root, stdout: "inherit", stderr: "inherit" });
if (build.exitCode !== 0) process.exit(1);

async function allHealthy(base: number): Promise<boolean> {
  const results = await Promise.all(
    SERVICE_NAMES.map((s) =>
      fetch(`http://127.0.0.1:${base + SERVICE_PORT_OFFSETS[s]}/health`).then(
        (r) => r.status === 200,
        () => false,
      ),
    ),
  );
  return results.every(Boolean);
}


/** Starts the binary, returns ms until every service is healthy and the RSS 2 s later; then stops it. */
async function coldStart(dataDir: string): Promise<{ ms: number; rss: number }> {
  const base = await freePortBase();
  const cwd = mkdtempSync(join(tmpdir(), "catalyst-bench-cwd-"));
  const started = performance.now();
  const child = Bun.spawn([binary, "serve"], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, CATALYST_DATA_DIR: dataDir, CATALYST_PORT_BASE: String(base), CATALYST_LOG_LEVEL: "error" },
    stdout: "ignore",
    stderr: "inherit",
  });
  while (!(await allHealthy(base))) {
    if (performance.now() - started > 60_000) throw new Error("did not become healthy within 60 s");
    await Bun.sleep(10);
  }
  const ms = performance.now() - started;
  await Bun.sleep(2000);
  const rss = rssMb(child.pid);
  child.kill("SIGTERM");
  const code = await child.exited;
  if (code !== 0) throw new Error(`exit ${code} after SIGTERM`);
  rmSync(cwd, { recursive: true, force: true });
  return { ms, rss };
}


const first: { ms: number; rss: number }[] = [];
const again: { ms: number; rss: number }[] = [];
for (let i = 0; i < RUNS; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), "catalyst-bench-data-"));
  first.push(await coldStart(dataDir));
  again.push(await coldStart(dataDir));
  rmSync(dataDir, { recursive: true, force: true });
}

const sizeMb = statSync(binary).size / 1024 / 1024;
const version = Bun.spawnSync([binary, "version"], { stdout: "pipe" }).stdout.toString().trim();
console.log(`\nCatalyst appliance, ${RUNS} runs each, release binary (${version}), 10 services incl. the venue`);
console.log(`binary size                          ${sizeMb.toFixed(1)} MB`);
console.log(`cold start, first start (new dir)    median ${fmt(median(first.map((r) => r.ms)))} ms   [${first.map((r) => fmt(r.ms)).join(", ")}]   target ≤ 3000 ms`);
console.log(`cold start, existing data dir        median ${fmt(median(again.map((r) => r.ms)))} ms   [${again.map((r) => fmt(r.ms)).join(", ")}]   target ≤ 1500 ms`);
console.log(`RSS after start, existing data dir   median ${fmt(median(again.map((r) => r.rss)))} MB   [${again.map((r) => fmt(r.rss)).join(", ")}]   target ≤ 350 MB`);
console.log(`RSS after start, first start         median ${fmt(median(first.map((r) => r.rss)))} MB`);
