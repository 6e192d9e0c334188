/** A trading day's timetable in America/New_York on the exchange calendar (early closes respected). */
import { etInstant, formatEt, isEarlyClose, session, type IsoDate } from "../exchange-calendar.ts";
import { DEFAULT_FLATTEN_WINDOW_MINUTES } from "../flatten-window.ts";

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
/** The plan of `date`, or null on a weekend or exchange holiday; it flattens when the flatten window opens. */
export function dayPlan(date: IsoDate, flattenMinutes = DEFAULT_FLATTEN_WINDOW_MINUTES): DayPlan | null {
  const day = session(date);
  if (!day) return null;
  return {
    tradingDate: date,
    earlyClose: isEarlyClose(date),
    premarketScanAt: formatEt(etInstant(date, "09:15")),
    open: formatEt(day.open),
    entriesFrom: formatEt(day.open + ENTRY_DELAY_MS),
    entriesUntil: formatEt(day.close - ENTRY_CUTOFF_MS),
    flattenAt: formatEt(day.close - flattenMinutes * MINUTE_MS),
    close: formatEt(day.close),
  };
}
