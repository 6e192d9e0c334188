/**
 * The end-of-day summary is owed for each trading day the notifier saw, and due from 15 minutes
 * after that day's close (after the doctor's last sweep). Owed days are remembered (in the
 * database), so a restart does not send one twice and a clock that jumped past the evening, or an
 * appliance down in it, still sends it at the next look.
 */
import { etDate, session, type IsoDate } from "../exchange-calendar.ts";

export const SUMMARY_AFTER_CLOSE_MS = 15 * 60_000;

/** What is on record about a day's summary. */
export interface SummaryRecord {
  date: IsoDate;
  sent: boolean;
}

export interface SummaryPlan {
  /** Today, when it is a trading day not yet on record: its summary is owed from now on. */
  owe: IsoDate | null;
  /** The owed days whose summary is due and not sent, oldest first. */
  send: IsoDate[];
}

/** The instant `date`'s summary is due, or null on a day without a session. */
export function summaryDueAt(date: IsoDate): number | null {
  const day = session(date);
  return day === null ? null : day.close + SUMMARY_AFTER_CLOSE_MS;
}

/** records: every unsent day on record, and today's record if there is one. */
export function summaryPlan(marketNow: number, records: readonly SummaryRecord[]): SummaryPlan {
  const today = etDate(marketNow);
  const owe = session(today) !== null && !records.some((r) => r.date === today) ? today : null;
  const unsent = [...records.filter((r) => !r.sent).map((r) => r.date), ...(owe ? [owe] : [])];
  const send = unsent.filter((date) => {
    const dueAt = summaryDueAt(date);
    return dueAt !== null && dueAt <= marketNow;
  });
  return { owe, send: send.sort() };
}
