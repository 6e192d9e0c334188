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

/**
 * Per symbol, the close of the last daily bar before the day of its last bar (null when there is
 * none), from one multi-symbol daily request.
 */
export async function loadPrevCloses(
  broker: Pick<MarketDataBroker, "getBars">,
  timeframe: Timeframe,
  barsBySymbol: ReadonlyMap<string, readonly Bar[]>,
): Promise<Map<string, number | null>> {
  const lastDays = new Map<string, string>();
  for (const [symbol, bars] of barsBySymbol) {
    const last = bars.at(-1);
    if (last) lastDays.set(symbol, etDate(Date.parse(last.timestamp)));
  }
  const closes = new Map<string, number | null>([...barsBySymbol.keys()].map((s) => [s, null]));
  if (lastDays.size === 0) return closes;
  // Daily bars already hold the previous session.
  if (timeframe === "1Day") {
    for (const [symbol, bars] of barsBySymbol) closes.set(symbol, bars.at(-2)?.close ?? null);
    return closes;
  }
  const days = [...lastDays.values()].sort();
  const fetched = await broker.getBars([...lastDays.keys()], "1Day", {
    start: new Date(etInstant(addDays(days[0]!, -PREV_CLOSE_LOOKBACK_DAYS), "00:00")).toISOString(),
    end: new Date(etInstant(days.at(-1)!, "00:00")).toISOString(),
  });
  for (const [symbol, day] of lastDays) {
    const before = (fetched[symbol] ?? []).filter((bar) => etDate(Date.parse(bar.timestamp)) < day);
    closes.set(symbol, before.at(-1)?.close ?? null);
  }
  return closes;
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
