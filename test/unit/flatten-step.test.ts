import { describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { flattenWindowOf } from "../../src/domain/flatten-window.ts";
import { exitTiming, exitToSend, flattenStep, stillOwed, type FlattenPositionState } from "../../src/domain/orders/flatten-step.ts";

const DAY = "2026-03-10";
const at = (hhmm: string, date = DAY) => etInstant(date, hhmm);
const win = (now: number) => flattenWindowOf(now, 15);
const step = (hhmm: string, state: Partial<FlattenPositionState> = {}, date = DAY) =>
  flattenStep(at(hhmm, date), win(at(hhmm, date)), { holdOvernight: false, hasLiveExit: false, hasWorkingStop: true, exitIdleMs: null, closeOwedForMs: null, ...state });

describe("the flattener's step for one position", () => {
  test("nothing before the window, an exit from its first minute (15:45 by default)", () => {
    expect(step("15:44")).toBe("none");
    expect(step("15:45")).toBe("exit");
    expect(step("15:58")).toBe("exit");
  });
  test("an exit working: wait for it inside the window", () => {
    expect(step("15:50", { hasLiveExit: true, hasWorkingStop: false })).toBe("wait");
  });
  test("from a minute before the close, a position still open gets its stop back, also after the bell", () => {
    expect(step("15:59", { hasLiveExit: true, hasWorkingStop: false })).toBe("protect");
    expect(step("15:59", { hasWorkingStop: false })).toBe("protect");
    expect(step("16:05", { hasWorkingStop: false })).toBe("protect");
    expect(step("16:05", { hasWorkingStop: true })).toBe("none");
  });
  test("a stop covering fewer shares than held (a refused partial exit) is made to cover them, never while an exit works", () => {
    expect(step("11:00", { stopShort: true })).toBe("cover");
    expect(step("11:00", { stopShort: true, hasLiveExit: true, exitIdleMs: 1_000 })).toBe("wait");
    expect(step("15:50", { stopShort: true })).toBe("exit");
    expect(step("16:05", { stopShort: true })).toBe("cover");
    expect(step("16:05", { stopShort: true, hasWorkingStop: false })).toBe("protect");
    expect(step("11:00", { stopShort: false })).toBe("none");
  });
  test("an early close moves it all (2026-11-27: window 12:45, cutoff 12:59)", () => {
    expect(step("12:44", {}, "2026-11-27")).toBe("none");
    expect(step("12:45", {}, "2026-11-27")).toBe("exit");
    expect(step("12:59", { hasLiveExit: true }, "2026-11-27")).toBe("protect");
  });
  test("held overnight by the trader's choice, or a holiday: left alone", () => {
    expect(step("15:50", { holdOvernight: true })).toBe("none");
    expect(step("15:59", { holdOvernight: true, hasWorkingStop: false })).toBe("none");
    expect(step("15:50", {}, "2026-11-26")).toBe("none");
  });
  test("a trader's own close still working a minute before the bell gets its stop back, held overnight or not", () => {
    expect(step("15:59", { holdOvernight: true, hasLiveExit: true, hasWorkingStop: false })).toBe("protect");
  });
});

describe("an exit that is not filling (default: 10 s of market time without a fill)", () => {
  const working = { hasLiveExit: true, hasWorkingStop: false };
  test("its remainder gets its stop back, at any hour of the session, in the window too", () => {
    expect(step("11:00", { ...working, exitIdleMs: 9_999 })).toBe("wait");
    expect(step("11:00", { ...working, exitIdleMs: 10_000 })).toBe("reprotect");
    expect(step("15:50", { ...working, exitIdleMs: 10_000 })).toBe("reprotect");
    expect(step("15:50", { ...working, exitIdleMs: 10_000, holdOvernight: true })).toBe("reprotect");
  });
  test("not before it is working at the broker, and not outside the session (a queued exit fills at the open)", () => {
    expect(step("11:00", { ...working, exitIdleMs: null })).toBe("wait");
    expect(step("08:00", { ...working, exitIdleMs: 60_000 })).toBe("none");
  });
  test("the close it belonged to is sent again: after twice the stall time outside the window, at once inside it", () => {
    expect(step("11:00", { closeOwedForMs: 19_999 })).toBe("none");
    expect(step("11:00", { closeOwedForMs: 20_000 })).toBe("exit");
    expect(step("15:46", { closeOwedForMs: 0 })).toBe("exit");
    expect(step("15:46", { closeOwedForMs: 0, holdOvernight: true })).toBe("none");
    expect(step("15:46", { closeOwedForMs: 20_000, holdOvernight: true })).toBe("exit");
  });
  test("owed at the close cutoff: the stop stays (or is put back), no new exit", () => {
    expect(step("15:59", { holdOvernight: true, closeOwedForMs: 60_000 })).toBe("none");
    expect(step("15:59", { holdOvernight: true, closeOwedForMs: 60_000, hasWorkingStop: false })).toBe("protect");
  });
  test("the stall time is a setting; the retry follows it", () => {
    expect(exitTiming(30_000)).toEqual({ stallMs: 30_000, retryMs: 60_000 });
    const t = at("11:00");
    expect(flattenStep(t, win(t), { holdOvernight: false, ...working, exitIdleMs: 20_000, closeOwedForMs: null }, exitTiming(30_000))).toBe("wait");
  });
});

describe("a stalled partial close is owed like a full one, for the shares it still owes", () => {
  const t = at("11:00");
  test("what its cancelled exit left unsold is owed; nothing when it sold them all", () => {
    expect(stillOwed("4", "2")).toBe("2");
    expect(stillOwed("4.000000", "1.500000")).toBe("2.500000");
    expect(stillOwed("4", "4")).toBeNull();
  });
  test("sent again for exactly the owed shares, never all that is held", () => {
    expect(exitToSend(t, win(t)!, false, "8", "2")).toEqual({ kind: "partial", qty: "2" });
    expect(exitToSend(t, win(t)!, false, "2", "2")).toMatchObject({ kind: "dropped" });
    expect(exitToSend(t, win(t)!, false, "1", "2").kind).toBe("dropped");
    expect(exitToSend(t, win(t)!, false, "8", "0")).toMatchObject({ kind: "dropped", why: "the partial close owes no shares" });
  });
  test("a full close owed is sent for all; in the window a position not held overnight is closed whole", () => {
    expect(exitToSend(t, win(t)!, false, "8", null)).toEqual({ kind: "all" });
    const late = at("15:50");
    expect(exitToSend(late, win(late)!, false, "8", "2")).toEqual({ kind: "all" });
    expect(exitToSend(late, win(late)!, true, "8", "2")).toEqual({ kind: "partial", qty: "2" });
  });
  test("what is dropped says why, with the figures", () => {
    const dropped = exitToSend(t, win(t)!, false, "1", "2");
    expect(dropped.kind === "dropped" && dropped.why).toContain("still owed 2 shares but only 1 are held");
  });
});
