import { describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { autostartDecision, blockReason, isPreviousDay, skipTarget, startDue, type AutostartInput } from "../../src/domain/workflow/autostart.ts";
import { dayPlan } from "../../src/domain/workflow/day-plan.ts";

const CLEAR = { killSwitch: { active: false, reason: null }, dailyLossHalt: null, criticalIssues: [] };
const FRESH_DAY = { cycleStarted: false, skipped: false, lastBlockedReason: null };
const at = (date: string, hhmm: string) => etInstant(date, hhmm);
const input = (over: Partial<AutostartInput>): AutostartInput => ({
  setting: "normal",
  now: at("2026-11-23", "09:15"),
  flattenMinutes: 15,
  active: null,
  today: FRESH_DAY,
  blocks: CLEAR,
  ...over,
});

describe("autostart decision", () => {
  test("a trading day at the pre-market scan time: start today's plan in the configured mode", () => {
    expect(autostartDecision(input({}))).toEqual({ kind: "start", mode: "normal", plan: dayPlan("2026-11-23")! });
    expect(autostartDecision(input({ setting: "aggressive", now: at("2026-11-23", "11:00") }))).toMatchObject({ kind: "start", mode: "aggressive" });
  });

  test("the early close's plan flattens at 12:45: no start from then on", () => {
    expect(autostartDecision(input({ now: at("2026-11-27", "12:44") }))).toMatchObject({ kind: "start", plan: { earlyClose: true, flattenAt: "2026-11-27T12:45:00-05:00" } });
    expect(autostartDecision(input({ now: at("2026-11-27", "12:45") }))).toMatchObject({ kind: "idle", reason: expect.stringContaining("past its flatten time") });
  });

  test("never when off, before 09:15, on a weekend or on a holiday (Thanksgiving)", () => {
    expect(autostartDecision(input({ setting: "off" }))).toMatchObject({ kind: "idle", reason: expect.stringContaining("off") });
    expect(autostartDecision(input({ now: at("2026-11-23", "09:14") }))).toMatchObject({ kind: "idle", reason: expect.stringContaining("starts at 2026-11-23T09:15") });
    expect(autostartDecision(input({ now: at("2026-11-28", "10:00") }))).toMatchObject({ kind: "idle", reason: "2026-11-28 is not a trading day; the next is 2026-11-30" });
    expect(autostartDecision(input({ now: at("2026-11-26", "10:00") }))).toMatchObject({ kind: "idle", reason: "2026-11-26 is not a trading day; the next is 2026-11-27" });
  });

  test("once a day: not when today's cycle was started (even if since stopped) or the trader skipped it", () => {
    expect(autostartDecision(input({ today: { ...FRESH_DAY, cycleStarted: true } }))).toMatchObject({ kind: "idle" });
    expect(autostartDecision(input({ today: { ...FRESH_DAY, skipped: true } }))).toMatchObject({ kind: "idle", reason: expect.stringContaining("skipped") });
    expect(autostartDecision(input({ active: { tradingDate: "2026-11-20" } }))).toMatchObject({ kind: "idle", reason: expect.stringContaining("2026-11-20") });
  });

  test("blocked by the kill switch, the daily-loss halt, a critical issue: told once per distinct reason", () => {
    const kill = { ...CLEAR, killSwitch: { active: true, reason: "flash crash" } };
    const first = autostartDecision(input({ blocks: kill }));
    expect(first).toEqual({ kind: "blocked", tradingDate: "2026-11-23", reason: expect.stringContaining("flash crash"), told: false });
    const reason = (first as { reason: string }).reason;
    expect(autostartDecision(input({ blocks: kill, today: { ...FRESH_DAY, lastBlockedReason: reason } }))).toMatchObject({ kind: "blocked", told: true });
    expect(autostartDecision(input({ blocks: { ...CLEAR, dailyLossHalt: { reason: "lost 2000" } } }))).toMatchObject({ kind: "blocked", reason: expect.stringContaining("lost 2000") });
    expect(autostartDecision(input({ blocks: { ...CLEAR, criticalIssues: ["not_flat_at_close:AAPL"] } }))).toMatchObject({ kind: "blocked", reason: expect.stringContaining("not_flat_at_close:AAPL") });
    // Risk or the doctor silent: no guess either way.
    expect(autostartDecision(input({ blocks: null }))).toMatchObject({ kind: "idle", reason: expect.stringContaining("did not answer") });
  });

  test("due before risk and the doctor are asked: only on a trading day's window with no cycle or skip yet", () => {
    expect(startDue(input({}))).toEqual({ kind: "due", mode: "normal", plan: dayPlan("2026-11-23")! });
    expect(startDue(input({ now: at("2026-11-26", "10:00") })).kind).toBe("idle");
    expect(startDue(input({ today: { ...FRESH_DAY, skipped: true } })).kind).toBe("idle");
  });

  test("block reasons: the kill switch first, nothing when clear", () => {
    expect(blockReason(CLEAR)).toBeNull();
    expect(blockReason({ killSwitch: { active: true, reason: null }, dailyLossHalt: { reason: "x" }, criticalIssues: ["a"] })).toContain("emergency stop");
  });
});

describe("skip target", () => {
  test("default: today until its close, then the next trading day (over the weekend and holidays)", () => {
    expect(skipTarget(at("2026-11-23", "08:00"), undefined)).toBe("2026-11-23");
    expect(skipTarget(at("2026-11-23", "15:59"), undefined)).toBe("2026-11-23");
    expect(skipTarget(at("2026-11-25", "16:00"), undefined)).toBe("2026-11-27");
    expect(skipTarget(at("2026-11-27", "13:00"), undefined)).toBe("2026-11-30");
    expect(skipTarget(at("2026-11-28", "10:00"), undefined)).toBe("2026-11-30");
  });

  test("a given date: a trading day from today on, else why not", () => {
    expect(skipTarget(at("2026-11-23", "10:00"), "2026-11-24")).toBe("2026-11-24");
    expect(skipTarget(at("2026-11-23", "10:00"), "2026-11-20")).toEqual({ error: expect.stringContaining("in the past") });
    expect(skipTarget(at("2026-11-23", "10:00"), "2026-11-26")).toEqual({ error: expect.stringContaining("not a trading day") });
  });
});

test("a cycle is of an earlier day once the market's date has moved past its trading date", () => {
  expect(isPreviousDay("2026-11-23", at("2026-11-23", "23:59"))).toBe(false);
  expect(isPreviousDay("2026-11-23", at("2026-11-24", "00:00"))).toBe(true);
});
