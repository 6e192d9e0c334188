/**
 * What the market looks like at a simulated instant: only bars that have completed by then, the
 * running session bar, the last trade and the quote around it. Nothing from the future leaks out.
 */
import { addDays, etDate, previousTradingDay, session } from "../../domain/exchange-calendar.ts";
import { roundTicks, toTicks } from "./exchange/ticks.ts";
import type { SimBar, SyntheticMarket } from "./market/market.ts";

const MINUTE = 60_000;
const ROUND_LOT = 100;

export interface Snapshot {
  trade: { at: number; price: number; size: number };
  quote: { at: number; bid: number; ask: number; size: number };
  minuteBar: SimBar | null;
  dailyBar: SimBar | null;
  prevDailyBar: SimBar | null;
}

/** The latest trading day whose session has started by `now` (today once pre-market opens). */
export function currentTradingDay(now: number): string {
  let day = etDate(now);
  for (;;) {
    const trading = session(day);
    if (trading && now >= trading.preOpen) return day;
    day = addDays(day, -1);
  }
}

export class MarketFeed {
  constructor(private readonly market: SyntheticMarket) {}

  /** Minute bars of `day` that have completed by `now`. */
  completedMinutes(symbol: string, day: string, now: number): readonly SimBar[] {
    const bars = this.market.minuteBars(symbol, day);
    let end = bars.length;
    while (end > 0 && bars[end - 1]!.t + MINUTE > now) end--;
    return end === bars.length ? bars : bars.slice(0, end);
  }

  /** The daily bar of `day` as of `now`: complete for past days, the running regular session for today. */
  dailyBarAsOf(symbol: string, day: string, now: number): SimBar | null {
    const trading = session(day);
    if (!trading || now < trading.open) return null;
    return now >= trading.close ? this.market.dailyBar(symbol, day) : this.market.dailyBarSoFar(symbol, day, now);
  }

  /**
   * The last trade and the quote around it: what latest trades/quotes need, without the day's
   * bars. Both carry the time of the last print (the quote moves only with the price here), not
   * the time of the request: a closed market's latest quote is its last session's.
   */
  top(symbol: string, now: number): Pick<Snapshot, "trade" | "quote"> | null {
    const price = this.market.priceAt(symbol, now);
    const printedAt = this.market.lastTradeAt(symbol, now);
    if (price === null || printedAt === null) return null;
    const half = Math.max(toTicks(this.market.spread(symbol, price)) / 2, 1);
    const priceTicks = toTicks(price);
    const at = Math.floor(printedAt / 1000) * 1000;
    return {
      trade: { at, price, size: ROUND_LOT },
      quote: {
        at,
        bid: roundTicks(priceTicks - half, "down") / 10_000,
        ask: roundTicks(priceTicks + half, "up") / 10_000,
        size: ROUND_LOT * 3,
      },
    };
  }

  snapshot(symbol: string, now: number): Snapshot | null {
    const top = this.top(symbol, now);
    if (!top) return null;
    const day = currentTradingDay(now);
    const todaysBar = this.dailyBarAsOf(symbol, day, now);
    const latestDay = todaysBar ? day : previousTradingDay(day);
    return {
      ...top,
      minuteBar: this.market.lastCompletedMinuteBar(symbol, day, now),
      dailyBar: todaysBar ?? this.market.dailyBar(symbol, latestDay),
      prevDailyBar: this.market.dailyBar(symbol, previousTradingDay(latestDay)),
    };
  }

}

export interface ScreenerRow {
  symbol: string;
  price: number;
  change: number;
  percentChange: number;
  volume: number;
  trades: number;
}

/** Today's move and activity of every tradable symbol, for the most-actives and movers screens. */
export function screenerRows(market: SyntheticMarket, now: number): ScreenerRow[] {
  const rows: ScreenerRow[] = [];
  const day = currentTradingDay(now);
  const previous = previousTradingDay(day);
  for (const asset of market.assets()) {
    if (!asset.tradable) continue;
    const price = market.priceAt(asset.symbol, now);
    const prevClose = market.dailyBar(asset.symbol, previous)?.c;
    if (price === null || !prevClose) continue;
    const traded = market.tradedSoFar(asset.symbol, day, now);
    const volume = traded?.v ?? 0;
    const trades = traded?.n ?? 0;
    const change = Math.round((price - prevClose) * 10_000) / 10_000;
    rows.push({ symbol: asset.symbol, price, change, percentChange: Math.round((change / prevClose) * 1e6) / 1e4, volume, trades });
  }
  return rows;
}
