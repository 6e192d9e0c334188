import { describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { flattenWindowOf, inFlattenWindow } from "../../src/domain/flatten-window.ts";

describe("flatten window (America/New_York, exchange calendar)", () => {
  test("a regular day: 15:45 to the 16:00 close by default-size window", () => {
    const w = flattenWindowOf(etInstant("2026-03-10", "11:00"), 15)!;
    expect(w.opensAt).toBe(etInstant("2026-03-10", "15:45"));
    expect(w.close).toBe(etInstant("2026-03-10", "16:00"));
  });
  test("an early close (the day after Thanksgiving): 12:45 to 13:00", () => {
    const w = flattenWindowOf(etInstant("2026-11-27", "10:00"), 15)!;
    expect(w.opensAt).toBe(etInstant("2026-11-27", "12:45"));
    expect(w.close).toBe(etInstant("2026-11-27", "13:00"));
  });
  test("no window on a holiday or a weekend", () => {
    expect(flattenWindowOf(etInstant("2026-11-26", "15:50"), 15)).toBeNull();
    expect(flattenWindowOf(etInstant("2026-03-14", "15:50"), 15)).toBeNull();
    expect(inFlattenWindow(etInstant("2026-11-26", "15:50"), 15)).toBe(false);
  });
  test("in the window from its opening minute to just before the close, not after", () => {
    expect(inFlattenWindow(etInstant("2026-03-10", "15:44"), 15)).toBe(false);
    expect(inFlattenWindow(etInstant("2026-03-10", "15:45"), 15)).toBe(true);
    expect(inFlattenWindow(etInstant("2026-03-10", "15:59"), 15)).toBe(true);
    expect(inFlattenWindow(etInstant("2026-03-10", "16:00"), 15)).toBe(false);
    expect(inFlattenWindow(etInstant("2026-03-10", "15:35"), 30)).toBe(true);
  });
});
