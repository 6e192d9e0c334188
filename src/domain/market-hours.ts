/**
 * Whether the appliance has a trading day to work on at a market instant, and if not, when the
 * next one starts and which finished day a rehearsal could replay: a first run on a weekend
 * should say why nothing happens, not sit silent.
 */
import { etDate, formatEt, lastCloseAtOrBefore, nextTradingDay, session, type IsoDate } from "./exchange-calendar.ts";

export interface MarketClosed {
  /** Epoch ms of the next regular open. */
  nextOpen: number;
  /** The last trading day whose session has finished: a whole day to rehearse. */
  lastFullDay: IsoDate;
}

/** null while a trading day is under way (from the 04:00 pre-market to the close). */
export function marketClosed(now: number): MarketClosed | null {
  const today = etDate(now);
  const todays = session(today);
  if (todays && now >= todays.preOpen && now < todays.close) return null;
  const nextDay = todays && now < todays.preOpen ? today : nextTradingDay(today);
  return { nextOpen: session(nextDay)!.open, lastFullDay: etDate(lastCloseAtOrBefore(now)) };
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** "Monday 2026-12-07 09:30 ET" */
export function describeEt(epochMs: number): string {
  const wall = formatEt(epochMs);
  const date = wall.slice(0, 10);
  return `${WEEKDAYS[new Date(`${date}T12:00:00Z`).getUTCDay()]} ${date} ${wall.slice(11, 16)} ET`;
}

/** The one line `catalyst serve` prints when the simulated market has no day under way. */
export function marketClosedLine(now: number, closed: MarketClosed): string {
  return (
    `market closed (sim clock ${describeEt(now)}): nothing trades until ${describeEt(closed.nextOpen)}. ` +
    `To rehearse a whole day now: catalyst demo (or serve with VENUE_START=${closed.lastFullDay}T09:05 VENUE_SPEED=300)`
  );
}
