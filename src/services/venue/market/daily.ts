/**
 * Daily prices: each close is a random walk (market factor × beta + a drifting idiosyncratic walk,
 * kept within a range of the base price) plus every catalyst jump so far. The idiosyncratic walk
 * is built dyadically (Brownian bridge from the ends inward), so the close of any day costs
 * log2(days) keyed draws and nothing is stored.
 */
import { type Catalyst, catalystOn, cumulativeJump } from "./catalysts.ts";
import { DAY_CAPACITY } from "./day-axis.ts";
import { mix, normalFromKey, Purpose, Rng } from "./rng.ts";
import { type AssetModel, MARKET_DRIFT, MARKET_VOLATILITY } from "./universe.ts";

/** Everything the intraday generator needs about one symbol-day (prices unrounded). */
export interface DayPlan {
  readonly prevClose: number;
  readonly open: number;
  readonly close: number;
  /** Expected regular-session and pre-market shares before catalyst volume. */
  readonly regularVolume: number;
  readonly premarketVolume: number;
  /** Extra shares the catalyst brings, if any. */
  readonly catalystVolume: number;
  readonly catalyst: Catalyst | null;
}

/** The market factor's cumulative log level at walk indices 0 … DAY_CAPACITY (one per seed). */
export function marketFactor(seedKey: number): Float64Array {
  const rng = new Rng(mix(seedKey, Purpose.marketFactor));
  const levels = new Float64Array(DAY_CAPACITY + 1);
  for (let i = 1; i <= DAY_CAPACITY; i++) levels[i] = (levels[i - 1] ?? 0) + MARKET_DRIFT + MARKET_VOLATILITY * rng.normal();
  return levels;
}

/** Standard Brownian motion at integer `index` (0 … DAY_CAPACITY), fixed by `key`. */
function brownian(key: number, index: number): number {
  if (index === 0) return 0;
  let low = 0;
  let high = DAY_CAPACITY;
  let lowValue = 0;
  let highValue = Math.sqrt(DAY_CAPACITY) * normalFromKey(mix(key, DAY_CAPACITY));
  // Invariant: low < index <= high. Each dyadic midpoint is a distinct integer: its own key.
  while (index !== high) {
    const mid = (low + high) >>> 1;
    const midValue = (lowValue + highValue) / 2 + Math.sqrt((high - low) / 4) * normalFromKey(mix(key, mid));
    if (index <= mid) {
      high = mid;
      highValue = midValue;
    } else {
      low = mid;
      lowValue = midValue;
    }
  }
  return highValue;
}

/**
 * How far (in log price) the idiosyncratic walk may take a symbol from its base: the walk is
 * squashed through tanh, so over years volatile names do not end at $0.0001 or $100,000.
 */
const IDIOSYNCRATIC_RANGE = 3;

/** ln(close) of trading day `day`; day -1 is the reference close (the asset's basePrice). */
export function logClose(model: AssetModel, market: Float64Array, day: number): number {
  const base = Math.log(model.asset.basePrice);
  if (day < 0) return base;
  const index = day + 1;
  const idiosyncratic = model.drift * index + model.idiosyncraticVolatility * brownian(mix(model.key, Purpose.walk), index);
  return (
    base +
    IDIOSYNCRATIC_RANGE * Math.tanh(idiosyncratic / IDIOSYNCRATIC_RANGE) +
    model.beta * (market[index] ?? 0) +
    cumulativeJump(model, day)
  );
}

export function planDay(model: AssetModel, market: Float64Array, day: number): DayPlan {
  const previous = logClose(model, market, day - 1);
  const closing = logClose(model, market, day);
  const catalyst = catalystOn(model, day);
  const volatility = model.asset.dailyVolatility;
  const diffusion = closing - previous - (catalyst?.logJump ?? 0);
  const rng = new Rng(mix(mix(model.key, Purpose.day), day));
  // Part of the day's move happens overnight; the rest of the gap is noise the session reverts.
  let gap = 0.3 * diffusion + 0.2 * volatility * rng.normal();
  if (catalyst?.premarket) {
    const step = catalyst.openShare * catalyst.logJump;
    // The news dominates the gap: it always opens on the news' side.
    const limit = 0.5 * Math.abs(step);
    gap = step + Math.max(-limit, Math.min(limit, gap));
  }
  // Volume varies day to day (log-normal, mean 1) and rises on big moves.
  const volumeNoise = Math.exp(0.3 * rng.normal() - 0.045);
  const activity = Math.min(2.5, Math.max(0.6, 1 + 0.3 * (Math.abs(diffusion) / volatility - 0.8)));
  const average = model.asset.avgDailyVolume;
  return {
    prevClose: Math.exp(previous),
    open: Math.exp(previous + gap),
    close: Math.exp(closing),
    regularVolume: average * volumeNoise * activity,
    premarketVolume: average * model.premarketShare * volumeNoise,
    catalystVolume: catalyst ? average * (catalyst.volumeMultiplier - 1) : 0,
    catalyst,
  };
}
