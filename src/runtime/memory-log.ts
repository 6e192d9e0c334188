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
  setInterval(() => {
    const heap = heapStats();
    log.debug("memory", {
      heapMb: mb(heap.heapSize),
      heapCapacityMb: mb(heap.heapCapacity),
      extraMb: mb(heap.extraMemorySize),
      objects: heap.objectCount,
      processRssMb: mb(process.memoryUsage.rss()),
      ...more(),
    });
  }, INTERVAL_MS).unref();
}
