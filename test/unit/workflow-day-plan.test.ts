import { describe, expect, test } from "bun:test";
import { MODE_SETTINGS } from "../../src/domain/workflow/mode-settings.ts";
import { dayPlan } from "../../src/domain/workflow/day-plan.ts";
import { SCAN_MODES } from "../../src/domain/scanner/modes.ts";

describe("day plan", () => {
  test("a regular day: scan 09:15, open 09:30, entries 09:35–15:00, flatten 15:45, close 16:00 (New York)", () => {
    expect(dayPlan("2026-03-10")).toEqual({
      tradingDate: "2026-03-10",
      earlyClose: false,
      premarketScanAt: "2026-03-10T09:15:00-04:00",
      open: "2026-03-10T09:30:00-04:00",
      entriesFrom: "2026-03-10T09:35:00-04:00",
      entriesUntil: "2026-03-10T15:00:00-04:00",
      flattenAt: "2026-03-10T15:45:00-04:00",
      close: "2026-03-10T16:00:00-04:00",
    });
  });

  test("an early close (the day after Thanksgiving, 13:00): entries until 12:00, flatten 12:45", () => {
    const plan = dayPlan("2026-11-27")!;
    expect(plan).toMatchObject({
      earlyClose: true,
      open: "2026-11-27T09:30:00-05:00",
      entriesUntil: "2026-11-27T12:00:00-05:00",
      flattenAt: "2026-11-27T12:45:00-05:00",
      close: "2026-11-27T13:00:00-05:00",
    });
    expect(Date.parse(plan.close)).toBe(Date.parse("2026-11-27T18:00:00Z"));
  });

  test("no plan on a weekend or an exchange holiday (Thanksgiving)", () => {
    expect(dayPlan("2026-03-14")).toBeNull();
    expect(dayPlan("2026-03-15")).toBeNull();
    expect(dayPlan("2026-11-26")).toBeNull();
  });

  test("across the DST switch the wall times stay put and the instants move by an hour", () => {
    const friday = dayPlan("2026-03-06")!; // EST
    const monday = dayPlan("2026-03-09")!; // EDT since Sunday 2026-03-08
    expect(friday.premarketScanAt).toBe("2026-03-06T09:15:00-05:00");
    expect(monday.premarketScanAt).toBe("2026-03-09T09:15:00-04:00");
    expect(new Date(friday.open).toISOString()).toBe("2026-03-06T14:30:00.000Z");
    expect(new Date(monday.open).toISOString()).toBe("2026-03-09T13:30:00.000Z");
    expect(new Date(monday.flattenAt).toISOString()).toBe("2026-03-09T19:45:00.000Z");
    // And back in the autumn (EST again from Sunday 2026-11-01).
    expect(new Date(dayPlan("2026-11-02")!.close).toISOString()).toBe("2026-11-02T21:00:00.000Z");
  });
});

describe("mode settings", () => {
  test("conservative, normal, aggressive", () => {
    expect(MODE_SETTINGS).toEqual({
      conservative: { scanEveryMinutes: 30, maxEntries: 2, minScore: SCAN_MODES.conservative.minScore, sizeMultiplier: 0.5, longOnly: true },
      normal: { scanEveryMinutes: 15, maxEntries: 4, minScore: SCAN_MODES.normal.minScore, sizeMultiplier: 1, longOnly: false },
      aggressive: { scanEveryMinutes: 10, maxEntries: 6, minScore: SCAN_MODES.aggressive.minScore, sizeMultiplier: 1.5, longOnly: false },
    });
  });
});
