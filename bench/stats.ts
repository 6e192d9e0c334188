/** Small helpers every benchmark prints with. */
import { readFileSync } from "node:fs";

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
export const fmt = (n: number, digits = 0) => n.toFixed(digits);

export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
  return Number(line?.match(/\d+/)?.[0] ?? 0) / 1024;
}

export async function timed<T>(run: () => Promise<T>): Promise<number> {
  const began = performance.now();
  await run();
  return performance.now() - began;
}

/** The milliseconds `run` took, and what it answered (for a benchmark that checks every answer). */
export async function timedWithResult<T>(run: () => Promise<T>): Promise<[number, T]> {
  const began = performance.now();
  const value = await run();
  return [performance.now() - began, value];
}
