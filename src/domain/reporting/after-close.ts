/** Whether a position was still open when a day's session closed: a day trader's book should be flat by then. */
import { session, type IsoDate } from "../exchange-calendar.ts";

/** Epoch ms throughout; closedAt null = still open. False while the session still runs, and on a day without one. */
export function openAfterClose(position: { openedAt: number; closedAt: number | null }, date: IsoDate, now: number): boolean {
  const close = session(date)?.close;
  if (close === undefined || now < close || position.openedAt >= close) return false;
  return position.closedAt === null || position.closedAt > close;
}
