/**
 * Memory of the release binary over simulated trading days: idle RSS once every service is healthy,
 * the peak RSS of each day (one aggressive cycle, the venue at MEMORY_BENCH_SPEED×, default 600),
 * and the growth from day 2 on. RSS comes from /proc/PID/status every 250 ms (the services are
 * worker threads of that one process). Prints figures; asserts nothing.
 *
 * Two layouts, both by default (MEMORY_BENCH_LAYOUT=one|apart for one of them):
 * - one process: `catalyst serve` in sim mode, the simulated venue a worker of it (what the README's
 *   first command runs);
 * - venue apart: the venue in its own process (`catalyst venue`), the appliance `serve --only` every
 *   other service: what a droplet trading paper or live runs, where Alpaca is the venue. Its RSS is
 *   the figure the 450 MB target is about; the venue's is printed beside it.
 *
 * MEMORY_BENCH_DAYS (default 3) sets how many days; MEMORY_BENCH_BINARY skips the build;
 * it runs with catalyst.service's runtime settings (BUN_JSC_*), as systemd starts it;
 * MEMORY_BENCH_EXTRA_ENV='{"BUN_JSC_forceRAMSize":"0"}' (JSON) overrides them, 0 meaning the machine's RAM.
 * MEMORY_BENCH_BREAKDOWN=1 runs it at debug level and prints each thread's largest heap (src/runtime/memory-log.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { etDate, etInstant, nextTradingDay, type IsoDate } from "../src/domain/exchange-calendar.ts";
import { SERVICE_NAMES } from "../src/runtime/services.ts";
import { allHealthy, binaryClient, processMemoryMb, unitRuntimeEnv } from "../test/support/binary.ts";
import { freePortBase } from "../test/support/env.ts";
import { fmt } from "./stats.ts";

const DAYS = Number(process.env.MEMORY_BENCH_DAYS ?? 3);
const SPEED = Number(process.env.MEMORY_BENCH_SPEED ?? 600);
const FIRST_DAY: IsoDate = "2026-03-10";
const PEAK_TARGET_MB = 450;
const API_KEY = "memory-bench-key-3f9a1c7e5b2d8a64";
const BREAKDOWN = process.env.MEMORY_BENCH_BREAKDOWN === "1";
const LAYOUTS = { one: "one process (sim, venue inside)", apart: "venue apart (what paper/live runs)" } as const;
type Layout = keyof typeof LAYOUTS;
const chosen = process.env.MEMORY_BENCH_LAYOUT;
if (chosen !== undefined && !(chosen in LAYOUTS)) throw new Error(`MEMORY_BENCH_LAYOUT must be one or apart, not ${chosen}`);
const layouts: Layout[] = chosen ? [chosen as Layout] : ["one", "apart"];
const root = join(import.meta.dir, "..");
const binary = process.env.MEMORY_BENCH_BINARY ?? join(root, "dist/catalyst");
const runtimeEnv: Record<string, string> = { ...unitRuntimeEnv(), ...JSON.parse(process.env.MEMORY_BENCH_EXTRA_ENV ?? "{}") };

if (!process.env.MEMORY_BENCH_BINARY) {
  const build = Bun.spawnSync(["bun", "run", "build"], { cwd: root, stdout: "inherit", stderr: "inherit" });
  if (build.exitCode !== 0) process.exit(1);
}

/** The highest VmRSS of each process seen since the last `take()`, sampled every 250 ms. */
function rssSampler(children: Subprocess[]) {
  let peaks = children.map(() => 0);
  const sample = () => children.map((c, i) => (c.exitCode === null ? Math.max(peaks[i]!, processMemoryMb(c.pid).rss) : peaks[i]!));
  const timer = setInterval(() => (peaks = sample()), 250);
  return {
    take() {
      const value = sample();
      peaks = children.map(() => 0);
      return value;
    },
    stop: () => clearInterval(timer),
  };
}

/** The debug "memory" lines on the binary's stderr: the largest value of each figure, per thread. Other lines pass through. */
function readHeapLines(stream: ReadableStream<Uint8Array>, max: Map<string, Record<string, number>>) {
  return (async () => {
    let rest = "";
    const decoder = new TextDecoder();
    for await (const bytes of stream) {
      const lines = (rest + decoder.decode(bytes, { stream: true })).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const entry = line.startsWith("{") ? (JSON.parse(line) as Record<string, unknown>) : null;
        if (entry?.msg !== "memory") {
          if (entry === null || entry.level !== "debug") process.stderr.write(`${line}\n`);
          continue;
        }
        const figures = max.get(entry.service as string) ?? {};
        for (const key of ["heapMb", "heapCapacityMb", "extraMb", "functions", "embeddedDbWasmMb"]) {
          if (typeof entry[key] === "number") figures[key] = Math.max(figures[key] ?? 0, entry[key] as number);
        }
        max.set(entry.service as string, figures);
      }
    }
  })();
}

/** CPU seconds (user + system, every thread) process `pid` has used so far: what collecting sooner costs. */
function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th, in clock ticks (100/s).
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface DayFigures {
  date: IsoDate;
  peak: number;
  cpu: number;
  venuePeak: number | null;
  end: number;
  state: string;
  entries: number;
  note: string;
}

async function measure(layout: Layout) {
  const cwd = mkdtempSync(join(tmpdir(), "catalyst-bench-mem-cwd-"));
  const dataDir = join(cwd, "data");
  const base = await freePortBase();
  const spawn = (args: string[]) =>
    Bun.spawn([binary, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: cwd,
        CATALYST_DATA_DIR: dataDir,
        // Set, not generated: apart, two processes started at once would each write their own.
        CATALYST_API_KEY: API_KEY,
        CATALYST_PORT_BASE: String(base),
        CATALYST_LOG_LEVEL: BREAKDOWN ? "debug" : "error",
        VENUE_START: `${FIRST_DAY}T09:05`,
        VENUE_SPEED: String(SPEED),
        WORKFLOW_TICK_SECONDS: "1",
        RISK_MONITOR_SECONDS: "1",
        BROKER_REQUESTS_PER_MINUTE: "100000",
        ...runtimeEnv,
      },
      stdout: "ignore",
      stderr: "pipe",
    });
  const heaps = new Map<string, Record<string, number>>();
  const children: Subprocess<"ignore", "ignore", "pipe">[] = [];
  if (layout === "apart") children.push(spawn(["venue"]));
  children.push(spawn(layout === "apart" ? ["serve", "--only", SERVICE_NAMES.filter((s) => s !== "venue").join(",")] : ["serve"]));
  const appliance = children.at(-1)!;
  const logs = children.map((c) => readHeapLines(c.stderr, heaps));
  try {
    await allHealthy(base, 60_000);
    const call = binaryClient(base, API_KEY);
    await Bun.sleep(3000);
    const idle = processMemoryMb(appliance.pid).rss;
    const sampler = rssSampler(children);
    sampler.take();
    const days: DayFigures[] = [];
    let date = FIRST_DAY;
    for (let day = 1; day <= DAYS; day++) {
      let note = "";
      if (day > 1) {
        // The next morning after the venue's now (the clock paused when the last cycle closed).
        const now = (await call("venue", "/admin/v1/clock")).body.now as string;
        date = nextTradingDay(etDate(Date.parse(now)));
        const moved = await call("venue", "/admin/v1/clock", "PUT", { time: new Date(etInstant(date, "09:05")).toISOString(), paused: false });
        if (moved.status !== 200) throw new Error(`moving the venue clock to ${date} failed: ${JSON.stringify(moved.body)}`);
      }
      let started = await call("workflow", "/api/v1/cycles", "POST", { mode: "aggressive" });
      if (started.status === 409) {
        // The previous day's cycle still holds the slot: stop it, then start this day's.
        const current = await call("workflow", "/api/v1/cycles/current");
        await call("workflow", `/api/v1/cycles/${current.body?.cycleId}/stop`, "POST", {});
        note = `previous cycle blocked the start (${started.body?.error?.code ?? started.status}); stopped it`;
        started = await call("workflow", "/api/v1/cycles", "POST", { mode: "aggressive" });
      }
      if (started.status !== 200) throw new Error(`starting the cycle on ${date} failed: ${started.status} ${JSON.stringify(started.body)}`);
      const cycleId: string = started.body.cycleId;
      const began = Date.now();
      const cpuBefore = cpuSeconds(appliance.pid);
      let cycle: any;
      const deadline = Date.now() + 600_000;
      for (;;) {
        cycle = (await call("workflow", `/api/v1/cycles/${cycleId}`)).body;
        if (cycle?.state === "closed" || cycle?.state === "error") break;
        if (Date.now() > deadline) throw new Error(`the cycle on ${date} did not close within 10 minutes (state ${cycle?.state})`);
        await Bun.sleep(500);
      }
      // Paused until the next day starts, so the bench's own pace moves no clock.
      await call("venue", "/admin/v1/clock", "PUT", { paused: true });
      const peaks = sampler.take();
      days.push({ date, peak: peaks.at(-1)!, cpu: cpuSeconds(appliance.pid) - cpuBefore, venuePeak: layout === "apart" ? peaks[0]! : null, end: processMemoryMb(appliance.pid).rss, state: cycle.state, entries: cycle.entriesPlaced ?? 0, note });
      console.error(`${layout}: day ${day} ${date}: ${cycle.state} after ${fmt((Date.now() - began) / 1000)} s, peak ${fmt(days.at(-1)!.peak)} MB`);
    }
    sampler.stop();
    return { layout, idle, days, hwm: processMemoryMb(appliance.pid).hwm, heaps };
  } finally {
    for (const child of children.toReversed()) {
      child.kill("SIGTERM");
      await child.exited;
    }
    await Promise.all(logs);
    rmSync(cwd, { recursive: true, force: true });
  }
}

console.log(`\nMemory of the release binary, ${DAYS} simulated days (aggressive cycle, venue at ${SPEED}×), RSS sampled every 250 ms, ${JSON.stringify(runtimeEnv)}`);
for (const layout of layouts) {
  const { idle, days, hwm, heaps } = await measure(layout);
  console.log(`\n${LAYOUTS[layout]}: RSS of the appliance process`);
  console.log(`  idle (all services healthy, +3 s)      ${fmt(idle)} MB`);
  for (const [i, d] of days.entries()) {
    const venue = d.venuePeak === null ? "" : `   (venue process peak ${fmt(d.venuePeak)} MB)`;
    console.log(`  day ${i + 1} ${d.date}  peak ${fmt(d.peak)} MB   end ${fmt(d.end)} MB   CPU ${fmt(d.cpu, 1)} s   cycle ${d.state}, ${d.entries} entries${venue}${d.note ? `   (${d.note})` : ""}`);
  }
  console.log(`  high-water mark (VmHWM)               ${fmt(hwm)} MB   target ≤ ${PEAK_TARGET_MB} MB`);
  if (days.length >= 3) {
    const ratio = Math.max(...days.slice(2).map((d) => d.peak)) / days[1]!.peak;
    console.log(`  growth: max peak of day 3+ / day 2    ${fmt(ratio, 3)}×   target ≤ 1.05×`);
  }
  if (BREAKDOWN) {
    console.log("  largest figures each thread logged (MB, and functions: what each VM created; heap = its own JS heap, wasm = the embedded database):");
    for (const [thread, figures] of [...heaps].sort(([a], [b]) => a.localeCompare(b))) {
      console.log(`    ${thread.padEnd(14)} ${Object.entries(figures).map(([k, v]) => `${k} ${v}`).join("   ")}`);
    }
  }
}
