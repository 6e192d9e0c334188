import { describe, expect, test } from "bun:test";
import {
  addDays,
  etDate,
  etInstant,
  etMinutesOfDay,
  formatEt,
  isTradingDay,
  lastCloseAtOrBefore,
  nextTradingDay,
  previousTradingDay,
  session,
  tradingDaysBetween,
  type IsoDate,
} from "../../src/domain/exchange-calendar.ts";

function datesOfYear(year: number): IsoDate[] {
  const dates: IsoDate[] = [];
  for (let day = `${year}-01-01`; day.startsWith(String(year)); day = addDays(day, 1)) dates.push(day);
  return dates;
}

function isWeekday(date: IsoDate): boolean {
  const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** Weekdays the exchange is closed. */
function holidays(year: number): IsoDate[] {
  return datesOfYear(year).filter((day) => isWeekday(day) && !isTradingDay(day));
}

/** Trading days that close at 13:00 ET. */
function earlyCloses(year: number): IsoDate[] {
  return datesOfYear(year).filter((day) => {
    const s = session(day);
    return s !== null && s.close === etInstant(day, "13:00");
  });
}

describe("NYSE holidays and early closes", () => {
  test("2025, including the national day of mourning for President Carter", () => {
    expect(holidays(2025)).toEqual([
      "2025-01-01",
      "2025-01-09",
      "2025-01-20",
      "2025-02-17",
      "2025-04-18",
      "2025-05-26",
      "2025-06-19",
      "2025-07-04",
      "2025-09-01",
      "2025-11-27",
      "2025-12-25",
    ]);
    expect(earlyCloses(2025)).toEqual(["2025-07-03", "2025-11-28", "2025-12-24"]);
  });

  test("2026: Independence Day observed on Friday Jul 3, so no early close that week", () => {
    expect(holidays(2026)).toEqual([
      "2026-01-01",
      "2026-01-19",
      "2026-02-16",
      "2026-04-03",
      "2026-05-25",
      "2026-06-19",
      "2026-07-03",
      "2026-09-07",
      "2026-11-26",
      "2026-12-25",
    ]);
    expect(earlyCloses(2026)).toEqual(["2026-11-27", "2026-12-24"]);
  });

  test("2027: Saturday holidays move to Friday, Sunday ones to Monday", () => {
    expect(holidays(2027)).toEqual([
      "2027-01-01",
      "2027-01-18",
      "2027-02-15",
      "2027-03-26",
      "2027-05-31",
      "2027-06-18",
      "2027-07-05",
      "2027-09-06",
      "2027-11-25",
      "2027-12-24",
    ]);
    expect(earlyCloses(2027)).toEqual(["2027-11-26"]);
  });

  test("New Year's Day on a Saturday is not observed on the Friday before", () => {
    expect(isTradingDay("2021-12-31")).toBe(true);
    expect(isTradingDay("2027-12-31")).toBe(true);
    expect(isTradingDay("2023-01-02")).toBe(false); // Sunday Jan 1 → Monday
  });

  test("older one-off closures and Juneteenth only from 2022", () => {
    expect(isTradingDay("2012-10-29")).toBe(false);
    expect(isTradingDay("2012-10-30")).toBe(false);
    expect(isTradingDay("2018-12-05")).toBe(false);
    expect(isTradingDay("2021-06-18")).toBe(true);
    expect(isTradingDay("2022-06-20")).toBe(false);
  });

  test("weekends have no session", () => {
    expect(session("2026-03-07")).toBeNull();
    expect(session("2026-03-08")).toBeNull();
    expect(session("2026-04-03")).toBeNull();
  });
});

describe("sessions across daylight saving time", () => {
  test("first Monday of EDT opens at 13:30Z", () => {
    const s = session("2026-03-09");
    expect(s).not.toBeNull();
    expect(new Date(s?.open ?? 0).toISOString()).toBe("2026-03-09T13:30:00.000Z");
    expect(new Date(s?.close ?? 0).toISOString()).toBe("2026-03-09T20:00:00.000Z");
    expect(new Date(s?.preOpen ?? 0).toISOString()).toBe("2026-03-09T08:00:00.000Z");
    expect(new Date(s?.postClose ?? 0).toISOString()).toBe("2026-03-10T00:00:00.000Z");
  });

  test("last Friday of EDT and first Monday of EST", () => {
    expect(new Date(session("2026-10-30")?.open ?? 0).toISOString()).toBe("2026-10-30T13:30:00.000Z");
    expect(new Date(session("2026-11-02")?.open ?? 0).toISOString()).toBe("2026-11-02T14:30:00.000Z");
  });

  test("early close is 13:00 ET", () => {
    expect(new Date(session("2026-11-27")?.close ?? 0).toISOString()).toBe("2026-11-27T18:00:00.000Z");
  });

  test("ET wall times on the switch days themselves", () => {
    expect(new Date(etInstant("2026-03-08", "01:59")).toISOString()).toBe("2026-03-08T06:59:00.000Z");
    expect(new Date(etInstant("2026-03-08", "03:00")).toISOString()).toBe("2026-03-08T07:00:00.000Z");
    expect(new Date(etInstant("2026-11-01", "12:00")).toISOString()).toBe("2026-11-01T17:00:00.000Z");
  });
});

describe("next and previous trading day", () => {
  test("strictly after / before, skipping weekends and holidays", () => {
    expect(nextTradingDay("2026-04-02")).toBe("2026-04-06"); // Good Friday + weekend
    expect(previousTradingDay("2026-04-06")).toBe("2026-04-02");
    expect(nextTradingDay("2025-01-08")).toBe("2025-01-10"); // Carter closure
    expect(previousTradingDay("2025-01-21")).toBe("2025-01-17"); // MLK + weekend
    expect(nextTradingDay("2026-03-09")).toBe("2026-03-10");
    expect(previousTradingDay("2026-03-10")).toBe("2026-03-09");
    expect(nextTradingDay("2026-12-31")).toBe("2027-01-04");
    expect(previousTradingDay("2027-01-04")).toBe("2026-12-31");
  });

  test("tradingDaysBetween is inclusive and empty when reversed", () => {
    expect(tradingDaysBetween("2026-07-01", "2026-07-07")).toEqual([
      "2026-07-01",
      "2026-07-02",
      "2026-07-06",
      "2026-07-07",
    ]);
    expect(tradingDaysBetween("2026-07-07", "2026-07-01")).toEqual([]);
    expect(tradingDaysBetween("2025-01-01", "2025-12-31")).toHaveLength(250);
    expect(tradingDaysBetween("2026-01-01", "2026-12-31")).toHaveLength(251);
  });
});

describe("ET conversions", () => {
  test("formatEt carries the offset of the instant", () => {
    expect(formatEt(Date.parse("2026-03-09T13:30:00Z"))).toBe("2026-03-09T09:30:00-04:00");
    expect(formatEt(Date.parse("2026-01-15T14:30:00Z"))).toBe("2026-01-15T09:30:00-05:00");
    expect(formatEt(Date.parse("2026-11-01T05:30:00Z"))).toBe("2026-11-01T01:30:00-04:00");
    expect(formatEt(Date.parse("2026-11-01T06:30:00Z"))).toBe("2026-11-01T01:30:00-05:00");
  });

  test("etDate and etMinutesOfDay use New York, not UTC", () => {
    const lateEvening = Date.parse("2026-03-10T03:30:00Z"); // 23:30 ET on the 9th
    expect(etDate(lateEvening)).toBe("2026-03-09");
    expect(etMinutesOfDay(lateEvening)).toBe(23 * 60 + 30);
    expect(etMinutesOfDay(etInstant("2026-03-09", "09:30"))).toBe(570);
    expect(etDate(etInstant("2026-12-31", "00:00"))).toBe("2026-12-31");
  });

  test("addDays crosses months and years", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  test("malformed dates are refused", () => {
    expect(() => session("2026-02-30")).toThrow(RangeError);
    expect(() => etInstant("2026-03-09", "9:30")).toThrow(RangeError);
  });
});

describe("last close", () => {
  test("today's close once it has passed, else the previous session's (early closes and holidays respected)", () => {
    expect(lastCloseAtOrBefore(etInstant("2026-03-10", "16:00"))).toBe(etInstant("2026-03-10", "16:00"));
    expect(lastCloseAtOrBefore(etInstant("2026-03-10", "15:59"))).toBe(etInstant("2026-03-09", "16:00"));
    expect(lastCloseAtOrBefore(etInstant("2026-03-10", "08:00"))).toBe(etInstant("2026-03-09", "16:00"));
    // Monday morning after a weekend: Friday's close.
    expect(lastCloseAtOrBefore(etInstant("2026-03-09", "09:00"))).toBe(etInstant("2026-03-06", "16:00"));
    // Monday 2026-11-30 morning: the early close of Black Friday.
    expect(lastCloseAtOrBefore(etInstant("2026-11-30", "09:00"))).toBe(etInstant("2026-11-27", "13:00"));
    // Good Friday 2026-04-03 is closed: Thursday's close.
    expect(lastCloseAtOrBefore(etInstant("2026-04-03", "12:00"))).toBe(etInstant("2026-04-02", "16:00"));
  });
});
