/**
 * The most recent completed bars of one symbol up to the market's now, regular-session bars only
 * intraday: what the technical and pattern services compute on.
 */
import type { Bar, MarketDataBroker, Timeframe } from "./broker.ts";
import { etDate, etInstant, previousTradingDay, session } from "../../domain/exchange-calendar.ts";

const MINUTE_MS = 60_000;
const BUCKET_MS: Record<Exclude<Timeframe, "1Day">, number> = {
  "1Min": MINUTE_MS,
  "5Min": 5 * MINUTE_MS,
  "15Min": 15 * MINUTE_MS,
  "1Hour": 60 * MINUTE_MS,
};
/** Room over the estimate: a minute without trades has no bar, so thinly traded names need more days. */
const LOOKBACK_MARGIN = 1.5;

/**
 * Midnight ET of the first day of a window that should hold `limit` bars before today: whole
 * trading days are counted back (early closes at their real length), today's bars come on top.
 */
function lookbackStart(timeframe: Timeframe, limit: number, now: number): number {
  const wanted = Math.ceil(limit * LOOKBACK_MARGIN);
  let day = etDate(now);
  for (let counted = 0; counted < wanted; ) {
    day = previousTradingDay(day);
    const trading = session(day)!;
    counted += timeframe === "1Day" ? 1 : Math.floor((trading.close - trading.open) / BUCKET_MS[timeframe]);
  }
  return etInstant(day, "00:00");
}

/**
 * A bar that has ended by `now` and, intraday, lies inside its day's regular session (09:30 to
 * the close, ET). A forming bar would change under the same timestamp; a 1Hour bar stamped 09:00
 * also holds pre-market trades. Both are left out.
 */
function completedInSession(bar: Bar, timeframe: Timeframe, now: number): boolean {
  const start = Date.parse(bar.timestamp);
  const trading = session(etDate(start));
  if (trading === null) return false;
  if (timeframe === "1Day") return trading.close <= now;
  const end = start + BUCKET_MS[timeframe];
  return start >= trading.open && end <= trading.close && end <= now;
}

/** The last `limit` completed bars up to `now`, oldest first; [] when the broker has none for the symbol. */
export async function recentBars(broker: Pick<MarketDataBroker, "getBars">, symbol: string, timeframe: Timeframe, limit: number, now: number): Promise<Bar[]> {
  return (await recentBarsOf(broker, [symbol], timeframe, limit, now)).get(symbol) ?? [];
}

/** The same for many symbols in one multi-symbol request (paged): one call instead of one per symbol. */
export async function recentBarsOf(
  broker: Pick<MarketDataBroker, "getBars">,
  symbols: string[],
  timeframe: Timeframe,
  limit: number,
  now: number,
): Promise<Map<string, Bar[]>> {
  const start = new Date(lookbackStart(timeframe, limit, now)).toISOString();
  const fetched = await broker.getBars(symbols, timeframe, { start, end: new Date(now).toISOString() });
  return new Map(symbols.map((symbol) => [symbol, (fetched[symbol] ?? []).filter((bar) => completedInSession(bar, timeframe, now)).slice(-limit)]));
}
