/**
 * Pattern-only parts around the shared recent-bars loader: the close of the session before the
 * last bar's (for gaps), and the 404/422 when there are too few bars for the detectors.
 */
import type { Bar, MarketDataBroker, Timeframe } from "../../adapters/broker/broker.ts";
import { addDays, etDate, etInstant } from "../../domain/exchange-calendar.ts";
import { ApiError } from "../../runtime/errors.ts";

/** Fewer bars than this and no detector has enough history. */
const MIN_BARS = 20;
/** Calendar days searched back for the previous session's daily bar. */
const PREV_CLOSE_LOOKBACK_DAYS = 10;

/** The close of the last daily bar before the day of `bars`' last bar; null when there is none. */
export async function loadPrevClose(broker: Pick<MarketDataBroker, "getBars">, symbol: string, timeframe: Timeframe, bars: readonly Bar[]): Promise<number | null> {
  const last = bars.at(-1);
  if (!last) return null;
  // Daily bars already hold the previous session.
  if (timeframe === "1Day") return bars.at(-2)?.close ?? null;
  const day = etDate(Date.parse(last.timestamp));
  const fetched = await broker.getBars([symbol], "1Day", {
    start: new Date(etInstant(addDays(day, -PREV_CLOSE_LOOKBACK_DAYS), "00:00")).toISOString(),
    end: new Date(etInstant(day, "00:00")).toISOString(),
  });
  const before = (fetched[symbol] ?? []).filter((bar) => etDate(Date.parse(bar.timestamp)) < day);
  return before.at(-1)?.close ?? null;
}

/** 404 and 422 with what to do about them. */
export function checkEnough(symbol: string, timeframe: Timeframe, bars: readonly Bar[], symbolExists: boolean): void {
  if (bars.length === 0) {
    throw symbolExists
      ? new ApiError(404, "no_bars", `no completed regular-session ${timeframe} bars for ${symbol} yet: try a longer timeframe, or again after the open`)
      : new ApiError(404, "unknown_symbol", `no market data for symbol ${symbol}: check the ticker (e.g. AAPL, BRK.B)`);
  }
  if (bars.length < MIN_BARS) {
    throw new ApiError(
      422,
      "insufficient_bars",
      `${symbol} has ${bars.length} completed ${timeframe} bars; the detectors need ${MIN_BARS}: try a shorter timeframe or wait for more of the session`,
    );
  }
}
