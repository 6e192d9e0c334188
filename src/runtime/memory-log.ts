/**
 * At debug level, a thread logs its own memory every 15 s: each worker is its own JavaScript VM
 * with its own heap, while the process RSS (shared by every thread) only says how much in total.
 * This is how to find which service holds the memory (bench/memory.ts, CATALYST_LOG_LEVEL=debug).
 */
import { heapStats } from "bun:jsc";
import type { LogLevel } from "../config.ts";
import type { Logger } from "./log.ts";

const INTERVAL_MS = 15_000;
const mb = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;

/** This thread's heap, in MB; `more` adds figures only its caller knows (e.g. the embedded database's WebAssembly memory). */
export function logMemoryAtDebug(log: Logger, level: LogLevel, more: () => Record<string, number> = () => ({})): void {
  if (level !== "debug") return;
  const report = () => {
    const heap = heapStats();
    log.debug("memory", {
      heapMb: mb(heap.heapSize),
      heapCapacityMb: mb(heap.heapCapacity),
      extraMb: mb(heap.extraMemorySize),
      objects: heap.objectCount,
      // What this VM has created: a worker that loaded every service's code shows it here.
      functions: heap.objectTypeCounts.Function ?? 0,
      processRssMb: mb(process.memoryUsage.rss()),
      ...more(),
    });
  };
  // Once at start (what the thread loaded to serve), then on a period.
  report();
  setInterval(report, INTERVAL_MS).unref();
}
