/** A trading day's timetable in America/New_York on the exchange calendar (early closes respected). */
import { etInstant, formatEt, isEarlyClose, session, type IsoDate } from "../exchange-calendar.ts";

/** Instants as RFC 3339 in ET ("2026-03-10T09:30:00-04:00"), as stored with the cycle and shown to the trader. */
export interface DayPlan {
  tradingDate: IsoDate;
  earlyClose: boolean;
  premarketScanAt: string;
  open: string;
  entriesFrom: string;
  entriesUntil: string;
  flattenAt: string;
  close: string;
}

const MINUTE_MS = 60_000;
/** The opening minutes are the noisiest: no entries before they pass. */
const ENTRY_DELAY_MS = 5 * MINUTE_MS;
/** The last hour is for managing what is open, not for opening more. */
const ENTRY_CUTOFF_MS = 60 * MINUTE_MS;
/** Flat before the close, while the book is still deep enough to exit at market. */
const FLATTEN_LEAD_MS = 10 * MINUTE_MS;

/** The plan of `date`, or null on a weekend or exchange holiday. */
export function dayPlan(date: IsoDate): DayPlan | null {
  const day = session(date);
  if (!day) return null;
  return {
    tradingDate: date,
    earlyClose: isEarlyClose(date),
    premarketScanAt: formatEt(etInstant(date, "09:15")),
    open: formatEt(day.open),
    entriesFrom: formatEt(day.open + ENTRY_DELAY_MS),
    entriesUntil: formatEt(day.close - ENTRY_CUTOFF_MS),
    flattenAt: formatEt(day.close - FLATTEN_LEAD_MS),
    close: formatEt(day.close),
  };
}
