/**
 * The release binary for e2e tests: built once per `bun test` process (every test file runs in it)
 * into a temp dir removed at exit, and started from an empty working directory.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SERVICE_NAMES, SERVICE_PORT_OFFSETS, type ServiceName } from "../../src/runtime/services.ts";
import { tempDir, waitFor } from "./env.ts";

const root = join(import.meta.dir, "../..");
let built: string | undefined;

export function releaseBinary(): string {
  if (built) return built;
  const dir = tempDir("catalyst-release-");
  process.once("exit", () => rmSync(dir.path, { recursive: true, force: true }));
  const binary = join(dir.path, "catalyst");
  const build = Bun.spawnSync(["bun", "scripts/build.ts", binary], { cwd: root, stderr: "pipe", stdout: "pipe" });
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
  built = binary;
  return binary;
}

/** `catalyst serve` from `cwd` with only `env` (plus PATH and HOME=cwd), output piped. */
export function serveBinary(cwd: string, env: Record<string, string>) {
  return Bun.spawn([releaseBinary(), "serve"], { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env }, stdout: "pipe", stderr: "pipe" });
}

/** Waits for every service's /health to answer 200 and returns the bodies. */
export async function allHealthy(base: number, timeoutMs = 30_000): Promise<Record<string, unknown>[]> {
  const bodies: Record<string, unknown>[] = [];
  for (const service of SERVICE_NAMES) {
    const url = `http://127.0.0.1:${base + SERVICE_PORT_OFFSETS[service]}/health`;
    bodies.push(
      await waitFor(`${service} health`, async () => {
        const response = await fetch(url);
        return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : null;
      }, timeoutMs),
    );
  }
  return bodies;
}

/** JSON calls to a running binary's services with its API key (the venue's admin and Alpaca routes take it as the sim secret). */
export function binaryClient(base: number, key: string) {
  return async (service: ServiceName, path: string, method = "GET", body?: unknown): Promise<{ status: number; body: any }> => {
    const auth: Record<string, string> = service === "venue" ? { "APCA-API-KEY-ID": "sim", "APCA-API-SECRET-KEY": key } : { "x-api-key": key };
    const response = await fetch(`http://127.0.0.1:${base + SERVICE_PORT_OFFSETS[service]}${path}`, {
      method,
      headers: { ...auth, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  };
}

/** Resident memory (VmRSS) and its high-water mark (VmHWM) of process `pid`, in MB: every worker thread included. */
export function processMemoryMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+)`, "m"))?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

/** The Environment= settings catalyst.service gives the binary beyond the data dir (its memory tuning): what a test or bench of the shipped binary runs with. */
export function unitRuntimeEnv(): Record<string, string> {
  const unit = readFileSync(join(root, "catalyst.service"), "utf8");
  return Object.fromEntries([...unit.matchAll(/^Environment=(BUN_[A-Za-z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}
