/** The end-of-day summary is due once per trading day, from 15 minutes after the close (after the doctor's last sweep). */
import { etDate, session, type IsoDate } from "../exchange-calendar.ts";

export const SUMMARY_AFTER_CLOSE_MS = 15 * 60_000;

/** The ET date to summarize now, or null (not a trading day, too early, or already done). */
export function summaryDueDate(marketNow: number, lastSummarized: IsoDate | null): IsoDate | null {
  const date = etDate(marketNow);
  const today = session(date);
  if (today === null || marketNow < today.close + SUMMARY_AFTER_CLOSE_MS || lastSummarized === date) return null;
  return date;
}
