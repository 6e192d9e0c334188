/** Report windows and ET days, from the market's clock (never the server's): all pure calendar math. */
import { addDays, etDate, etInstant, type IsoDate } from "../exchange-calendar.ts";

export type ReportPeriod = "day" | "week" | "month" | "all";

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2026-02-30" has the format of a date but names none. */
export function isCalendarDate(date: string): boolean {
  const match = ISO_DATE.exec(date);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const utc = new Date(Date.UTC(y, m - 1, d));
  return utc.getUTCFullYear() === y && utc.getUTCMonth() === m - 1 && utc.getUTCDate() === d;
}

/** An ET day as instants: [start, end), each at ET midnight (23 or 25 hours apart across DST). */
export function etDayBounds(date: IsoDate): { start: number; end: number } {
  return { start: etInstant(date, "00:00"), end: etInstant(addDays(date, 1), "00:00") };
}

/** The ET date a period starts on: today, this week's Monday, the 1st of this month; null for all. */
function periodStartDate(period: ReportPeriod, nowMs: number): IsoDate | null {
  const today = etDate(nowMs);
  switch (period) {
    case "day":
      return today;
    case "week": {
      const weekday = new Date(`${today}T12:00:00Z`).getUTCDay();
      return addDays(today, -((weekday + 6) % 7));
    }
    case "month":
      return `${today.slice(0, 8)}01`;
    case "all":
      return null;
  }
}

/** The instant a period starts (ET midnight), or null for all. */
export function periodStart(period: ReportPeriod, nowMs: number): number | null {
  const date = periodStartDate(period, nowMs);
  return date === null ? null : etDayBounds(date).start;
}

/** The instant a report on `date` runs to: that ET day's last millisecond, or now while it lasts (no date: now). */
export function reportAsOf(date: IsoDate | undefined, nowMs: number): number {
  return date === undefined ? nowMs : Math.min(nowMs, etDayBounds(date).end - 1);
}
