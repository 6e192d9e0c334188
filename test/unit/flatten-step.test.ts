import { describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { flattenWindowOf } from "../../src/domain/flatten-window.ts";
import { flattenStep } from "../../src/domain/orders/flatten-step.ts";

const DAY = "2026-03-10";
const at = (hhmm: string, date = DAY) => etInstant(date, hhmm);
const win = (now: number) => flattenWindowOf(now, 15);
const step = (hhmm: string, state: Partial<Parameters<typeof flattenStep>[2]> = {}, date = DAY) =>
  flattenStep(at(hhmm, date), win(at(hhmm, date)), { holdOvernight: false, hasLiveExit: false, hasWorkingStop: true, ...state });

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
  test("an early close moves it all (2026-11-27: window 12:45, cutoff 12:59)", () => {
    expect(step("12:44", {}, "2026-11-27")).toBe("none");
    expect(step("12:45", {}, "2026-11-27")).toBe("exit");
    expect(step("12:59", { hasLiveExit: true }, "2026-11-27")).toBe("protect");
  });
  test("held overnight by the trader's choice, or a holiday: left alone", () => {
    expect(step("15:50", { holdOvernight: true })).toBe("none");
    expect(step("15:50", {}, "2026-11-26")).toBe("none");
  });
});
