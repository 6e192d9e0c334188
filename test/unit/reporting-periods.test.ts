import { describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { etDayBounds, isCalendarDate, periodStart, reportAsOf } from "../../src/domain/reporting/periods.ts";

const HOUR = 3_600_000;

describe("report windows in ET, from the market's now", () => {
  const tuesday = etInstant("2026-03-10", "15:45");

  test("day, week (from Monday), month (from the 1st), all", () => {
    expect(periodStart("day", tuesday)).toBe(etInstant("2026-03-10", "00:00"));
    expect(periodStart("week", tuesday)).toBe(etInstant("2026-03-09", "00:00"));
    expect(periodStart("month", tuesday)).toBe(etInstant("2026-03-01", "00:00"));
    expect(periodStart("all", tuesday)).toBeNull();
  });

  test("midnight ET carries the zone's offset on either side of the DST switch (2026-03-08)", () => {
    expect(new Date(periodStart("week", tuesday)!).toISOString()).toBe("2026-03-09T04:00:00.000Z"); // EDT
    expect(new Date(periodStart("month", tuesday)!).toISOString()).toBe("2026-03-01T05:00:00.000Z"); // EST
  });

  test("late evening ET is still that ET day (already the next day in UTC)", () => {
    const mondayLate = etInstant("2026-03-09", "23:30");
    expect(periodStart("day", mondayLate)).toBe(etInstant("2026-03-09", "00:00"));
    const { start, end } = etDayBounds("2026-03-09");
    expect(mondayLate >= start && mondayLate < end).toBe(true);
  });

  test("Sunday belongs to the week that began on Monday; a Monday starts its own", () => {
    expect(periodStart("week", etInstant("2026-03-15", "12:00"))).toBe(etInstant("2026-03-09", "00:00"));
    expect(periodStart("week", etInstant("2026-03-16", "00:00"))).toBe(etInstant("2026-03-16", "00:00"));
  });

  test("a week reaching back into the previous month and year", () => {
    expect(periodStart("week", etInstant("2026-01-01", "10:00"))).toBe(etInstant("2025-12-29", "00:00"));
    expect(periodStart("month", etInstant("2026-01-01", "10:00"))).toBe(etInstant("2026-01-01", "00:00"));
  });

  test("an ET day lasts 23 hours when clocks spring forward, 25 when they fall back", () => {
    const spring = etDayBounds("2026-03-08");
    expect(spring.end - spring.start).toBe(23 * HOUR);
    const fall = etDayBounds("2026-11-01");
    expect(fall.end - fall.start).toBe(25 * HOUR);
    const plain = etDayBounds("2026-03-10");
    expect(plain.end - plain.start).toBe(24 * HOUR);
  });
});

describe("a report as of an ET day", () => {
  test("a past day runs to its last millisecond, today to now, no date to now", () => {
    const now = etInstant("2026-03-11", "09:00");
    expect(reportAsOf("2026-03-10", now)).toBe(etInstant("2026-03-11", "00:00") - 1);
    expect(periodStart("day", reportAsOf("2026-03-10", now))).toBe(etInstant("2026-03-10", "00:00"));
    expect(reportAsOf("2026-03-11", now)).toBe(now);
    expect(reportAsOf(undefined, now)).toBe(now);
  });
});

describe("calendar dates", () => {
  test("impossible dates are refused", () => {
    for (const ok of ["2026-03-10", "2024-02-29", "2026-12-31"]) expect(isCalendarDate(ok)).toBe(true);
    for (const bad of ["2026-02-30", "2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01", "yesterday"]) {
      expect(isCalendarDate(bad)).toBe(false);
    }
  });
});
