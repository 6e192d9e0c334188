import { describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import type { CycleState } from "../../src/domain/workflow/cycle-states.ts";
import { dayPlan } from "../../src/domain/workflow/day-plan.ts";
import { MODE_SETTINGS } from "../../src/domain/workflow/mode-settings.ts";
import { planTick, RESTING_STATE, STEP_STATE, type TickInput } from "../../src/domain/workflow/plan-tick.ts";

const DAY = "2026-03-10";
const plan = dayPlan(DAY)!;
const at = (hhmm: string) => etInstant(DAY, hhmm);

function input(hhmm: string, changes: Partial<TickInput> = {}): TickInput {
  return {
    state: "monitoring",
    plan,
    now: at(hhmm),
    settings: MODE_SETTINGS.normal,
    lastScanAt: null,
    entriesPlaced: 0,
    unfinishedEntryPass: false,
    openPositions: null,
    ...changes,
  };
}
const kinds = (changes: TickInput) => planTick(changes).map((s) => (s.kind === "enter" ? `enter ${s.slots}` : s.kind));

describe("planTick, one tick at a time", () => {
  test("nothing before the pre-market scan time; the first scan at 09:15", () => {
    expect(planTick(input("09:00", { state: "created" }))).toEqual([]);
    expect(planTick(input("09:14", { state: "created" }))).toEqual([]);
    expect(planTick(input("09:15", { state: "created" }))).toEqual([{ kind: "scan" }]);
    expect(planTick(input("09:16", { lastScanAt: at("09:15") }))).toEqual([]);
  });

  test("entries open at 09:35 with a fresh scan: a pre-market scan is taken again first", () => {
    expect(kinds(input("09:34", { lastScanAt: at("09:30") }))).toEqual([]);
    expect(kinds(input("09:36", { lastScanAt: at("09:15") }))).toEqual(["scan", "enter 4"]);
    expect(kinds(input("09:36", { lastScanAt: at("09:30") }))).toEqual(["scan", "enter 4"]);
  });

  test("between scans nothing, unless an entry pass was cut short; then a rescan after scanEveryMinutes", () => {
    expect(kinds(input("09:45", { lastScanAt: at("09:36"), entriesPlaced: 1 }))).toEqual([]);
    expect(kinds(input("09:45", { lastScanAt: at("09:36"), entriesPlaced: 1, unfinishedEntryPass: true }))).toEqual(["enter 3"]);
    expect(kinds(input("09:51", { lastScanAt: at("09:36"), entriesPlaced: 1 }))).toEqual(["scan", "enter 3"]);
  });

  test("scanEveryMinutes and maxEntries follow the mode", () => {
    const conservative = { settings: MODE_SETTINGS.conservative, lastScanAt: at("09:36") };
    expect(kinds(input("09:51", conservative))).toEqual([]);
    expect(kinds(input("10:06", conservative))).toEqual(["scan", "enter 2"]);
    expect(kinds(input("09:46", { settings: MODE_SETTINGS.aggressive, lastScanAt: at("09:36"), entriesPlaced: 5 }))).toEqual(["scan", "enter 1"]);
  });

  test("with every entry used, scans go on but no entry is planned", () => {
    expect(kinds(input("09:51", { lastScanAt: at("09:36"), entriesPlaced: 4 }))).toEqual(["scan"]);
  });

  test("from entriesUntil no scans and no entries; from flattenAt one flatten, halted or not", () => {
    expect(kinds(input("15:00", { lastScanAt: at("14:40") }))).toEqual([]);
    expect(kinds(input("15:30", { lastScanAt: at("14:40"), unfinishedEntryPass: true }))).toEqual([]);
    expect(kinds(input("15:50", { lastScanAt: at("14:40") }))).toEqual(["flatten"]);
    expect(kinds(input("15:50", { state: "created" }))).toEqual(["flatten"]);
    expect(kinds(input("10:00", { state: "halted", lastScanAt: at("09:00") }))).toEqual([]);
    expect(kinds(input("15:55", { state: "halted" }))).toEqual(["flatten"]);
  });

  test("closing: closed once flat; otherwise it waits and says why, also after the close", () => {
    expect(planTick(input("15:52", { state: "closing", openPositions: 0 }))).toEqual([{ kind: "close" }]);
    const waiting = planTick(input("15:52", { state: "closing", openPositions: 2 }));
    expect(waiting).toEqual([{ kind: "wait", reason: expect.stringContaining("2 position(s)") }]);
    const afterClose = planTick(input("16:05", { state: "closing", openPositions: 3 }));
    expect(afterClose).toEqual([{ kind: "wait", reason: expect.stringContaining("session has closed with 3 position(s) still open") }]);
    expect(planTick(input("16:05", { state: "closing", openPositions: null }))[0]).toMatchObject({ kind: "wait", reason: expect.stringContaining("unknown") });
  });

  test("closed and error cycles do nothing", () => {
    for (const state of ["closed", "error"] as const) {
      for (const hhmm of ["09:15", "09:40", "15:50"]) expect(planTick(input(hhmm, { state, openPositions: 0 }))).toEqual([]);
    }
  });

  test("an early close moves the entry cutoff and the flatten", () => {
    const friday = dayPlan("2026-11-27")!;
    const t = (hhmm: string) => etInstant("2026-11-27", hhmm);
    const base = { plan: friday, lastScanAt: t("11:40") };
    expect(kinds({ ...input("11:59"), ...base, now: t("11:59") })).toEqual(["scan", "enter 4"]);
    expect(kinds({ ...input("12:00"), ...base, now: t("12:00") })).toEqual([]);
    expect(kinds({ ...input("12:50"), ...base, now: t("12:50") })).toEqual(["flatten"]);
  });
});

describe("planTick over a whole day (normal mode, one tick a minute)", () => {
  test("scan at 09:15, enter from 09:35, rescans every 15 min until 15:00, flatten at 15:45, closed when flat", () => {
    let state: CycleState = "created";
    let lastScanAt: number | null = null;
    let entriesPlaced = 0;
    const log: string[] = [];
    for (let now = at("08:00"); now <= at("16:10"); now += 60_000) {
      const hhmm = new Date(now).toLocaleTimeString("en-GB", { timeZone: "America/New_York", hour: "2-digit", minute: "2-digit" });
      // Flatten orders fill within three minutes.
      const openPositions: number | null = state === "closing" ? (now < at("15:48") ? entriesPlaced : 0) : null;
      for (const step of planTick({ state, plan, now, settings: MODE_SETTINGS.normal, lastScanAt, entriesPlaced, unfinishedEntryPass: false, openPositions })) {
        if (step.kind === "wait") continue;
        log.push(`${hhmm} ${step.kind}`);
        state = STEP_STATE[step.kind];
        if (step.kind === "scan") lastScanAt = now;
        // One entry per scan gets through risk.
        if (step.kind === "enter") entriesPlaced++;
        if (step.kind === "scan" || step.kind === "enter") state = RESTING_STATE;
      }
    }
    const scans = log.filter((l) => l.endsWith("scan")).map((l) => l.slice(0, 5));
    expect(scans.slice(0, 5)).toEqual(["09:15", "09:30", "09:35", "09:50", "10:05"]);
    expect(scans.at(-1)).toBe("14:50");
    expect(log.filter((l) => l.endsWith("enter"))).toEqual(["09:35 enter", "09:50 enter", "10:05 enter", "10:20 enter"]);
    expect(log.slice(-2)).toEqual(["15:45 flatten", "15:48 close"]);
    expect(state).toBe("closed");
    expect(entriesPlaced).toBe(MODE_SETTINGS.normal.maxEntries);
  });
});
