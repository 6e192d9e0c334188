/** The cockpit's "next step" through a regular day: the same schedule plan-tick acts on, read as what comes next. */
import { describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { dayPlan } from "../../src/domain/workflow/day-plan.ts";
import { nextStep, type NextStepInput } from "../../src/domain/workflow/next-step.ts";

const DAY = "2026-03-10";
const plan = dayPlan(DAY)!;
const at = (hhmm: string) => etInstant(DAY, hhmm);
const input = (hhmm: string, extra: Partial<NextStepInput> = {}): NextStepInput => ({ state: "monitoring", plan, now: at(hhmm), scanEveryMinutes: 15, lastScanAt: null, ...extra });

describe("nextStep", () => {
  test("before 09:15: the premarket scan", () => {
    expect(nextStep(input("08:00", { state: "created" }))).toEqual({ kind: "scan", at: at("09:15"), text: "premarket scan" });
  });

  test("after the premarket scan: the next period's scan, or the rescan as entries open at 09:35 if that comes first", () => {
    expect(nextStep(input("09:20", { lastScanAt: at("09:15") }))).toMatchObject({ kind: "scan", at: at("09:30") });
    expect(nextStep(input("09:20", { lastScanAt: at("09:15"), scanEveryMinutes: 30 }))).toMatchObject({ kind: "scan", at: at("09:35"), text: "scan, then enter from it" });
  });

  test("in the entry window: the last scan plus the period; overdue means now", () => {
    expect(nextStep(input("10:02", { lastScanAt: at("10:00") }))).toEqual({ kind: "scan", at: at("10:15"), text: "scan, then enter from it" });
    expect(nextStep(input("10:40", { lastScanAt: at("10:00") }))).toMatchObject({ kind: "scan", at: at("10:40") });
  });

  test("no scan fits before entries stop (15:00), or they have stopped: the flatten at 15:45", () => {
    expect(nextStep(input("14:50", { lastScanAt: at("14:46") }))).toMatchObject({ kind: "flatten", at: at("15:45") });
    expect(nextStep(input("15:10", { lastScanAt: at("14:59") }))).toMatchObject({ kind: "flatten", at: at("15:45") });
  });

  test("halted: no more scans, only the flatten; past the flatten time it is due now", () => {
    expect(nextStep(input("11:00", { state: "halted" }))).toMatchObject({ kind: "flatten", at: at("15:45"), text: expect.stringContaining("halted") });
    expect(nextStep(input("15:50", { lastScanAt: at("14:59") }))).toMatchObject({ kind: "flatten", at: at("15:50") });
  });

  test("closing waits for flat positions; a closed or failed cycle has nothing next", () => {
    expect(nextStep(input("15:50", { state: "closing" }))).toEqual({ kind: "close", at: null, text: "close the cycle once every position is flat" });
    expect(nextStep(input("16:10", { state: "closed" })).kind).toBe("none");
    expect(nextStep(input("11:00", { state: "error" })).text).toContain("error");
  });
});
