import { describe, expect, test } from "bun:test";
import { doctorSilenceLimitMs, sweepDue, sweepWindowAt } from "../../src/domain/doctor/window.ts";

const et = (iso: string) => Date.parse(iso); // instants given in UTC; March 2026 is EDT (UTC-4)
const FIVE_MIN = 5 * 60_000;

describe("the doctor's sweep window", () => {
  test("09:15–16:15 ET on a full trading day, edges included", () => {
    expect(sweepWindowAt(et("2026-03-10T13:14:59Z"))).toBeNull(); // 09:14:59
    expect(sweepWindowAt(et("2026-03-10T13:15:00Z"))).toEqual({ opens: et("2026-03-10T13:15:00Z"), closes: et("2026-03-10T20:15:00Z") });
    expect(sweepWindowAt(et("2026-03-10T20:15:00Z"))).not.toBeNull(); // 16:15
    expect(sweepWindowAt(et("2026-03-10T20:15:01Z"))).toBeNull();
  });

  test("never on a weekend or a holiday; an early close ends it at 13:15 ET", () => {
    expect(sweepWindowAt(et("2026-03-14T15:00:00Z"))).toBeNull(); // Saturday
    expect(sweepWindowAt(et("2026-12-25T15:00:00Z"))).toBeNull(); // Christmas
    expect(sweepWindowAt(et("2026-11-27T18:15:00Z"))).not.toBeNull(); // day after Thanksgiving, 13:15 EST
    expect(sweepWindowAt(et("2026-11-27T18:16:00Z"))).toBeNull();
  });

  test("due every interval inside the window, the first one at once", () => {
    const t = et("2026-03-10T14:00:00Z");
    expect(sweepDue(t, null, FIVE_MIN)).toBe(true);
    expect(sweepDue(t, t - FIVE_MIN + 1, FIVE_MIN)).toBe(false);
    expect(sweepDue(t, t - FIVE_MIN, FIVE_MIN)).toBe(true);
    expect(sweepDue(et("2026-03-10T22:00:00Z"), null, FIVE_MIN)).toBe(false);
  });
});

describe("doctorSilenceLimitMs", () => {
  test("two periods of the interval at the market's speed plus a tick each", () => {
    expect(doctorSilenceLimitMs(300_000, 1, 30_000)).toBe(660_000);
    expect(doctorSilenceLimitMs(300_000, 60, 30_000)).toBe(70_000);
  });
});
