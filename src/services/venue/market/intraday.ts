/**
 * One symbol-day of 1-minute bars from 04:00 ET to the regular close. The log-price path is a
 * Brownian bridge pinned at the previous close (04:00), the open (09:30) and the close, with the
 * catalyst's jump and follow-through drift added at its publish minute; volume follows a U-shaped
 * profile (thin pre-market) plus a decaying burst after news. Minutes without trades have no bar.
 */
import type { DayPlan } from "./daily.ts";
import { BAR_STRIDE, DayBarsView } from "./day-bars.ts";
import { MAX_DAY_MINUTES, PREMARKET_MINUTES } from "./day-axis.ts";
import { roundToTick } from "./price.ts";
import { Rng } from "./rng.ts";

/** Pre-market wanders a little (share of the daily volatility, spread over 5.5 hours). */
const PREMARKET_VOLATILITY_SHARE = 0.35;
/** 2^-16: scales 16 random bits to a uniform in [0, 1). */
const UNIT_16 = 1 / 65_536;
const UNIT_8 = 1 / 256;
/** Share of the day's volume printed in the closing auction (the last minute's bar). */
const CLOSING_AUCTION_SHARE = 0.05;
/** Per-minute volume noise: a fixed table of 256 log-normal factors (st.dev. 0.45, mean 1), picked by one byte. */
const VOLUME_NOISE = ((sigma: number) => {
  const rng = new Rng(0x5eed);
  const table = new Float64Array(256).map(() => Math.exp(sigma * rng.normal()));
  const mean = table.reduce((sum, x) => sum + x, 0) / table.length;
  return table.map((x) => x / mean);
})(0.45);

const minutesScratch = new Uint16Array(MAX_DAY_MINUTES);
const valuesScratch = new Float64Array(MAX_DAY_MINUTES * BAR_STRIDE);
const logPath = new Float64Array(MAX_DAY_MINUTES + 1);
const expectedVolume = new Float64Array(MAX_DAY_MINUTES);

/** Per-minute shapes of a session with a given regular length, pre-market first. */
interface SessionProfile {
  /** Share of the segment's (pre-market or regular) volume in each minute. */
  readonly volume: Float64Array;
  /** Each minute's price st.dev. per unit of daily volatility. */
  readonly sd: Float64Array;
  /** At each path point, the share of its segment's variance already elapsed (0 … 1). */
  readonly elapsedVariance: Float64Array;
}

function normalised(weights: Float64Array): Float64Array {
  let total = 0;
  for (const w of weights) total += w;
  return weights.map((w) => w / total);
}

function cumulativeShares(variances: Float64Array): Float64Array {
  const shares = new Float64Array(variances.length + 1);
  for (let k = 0; k < variances.length; k++) shares[k + 1] = (shares[k] ?? 0) + (variances[k] ?? 0);
  return shares;
}

const profiles = new Map<number, SessionProfile>();

/**
 * Pre-market: thin, building toward the open, wandering little. Regular session: U-shaped volume
 * (heavy after the open, quiet midday, heavy into the close and its auction) and volatility.
 */
function sessionProfile(regularMinutes: number): SessionProfile {
  const cached = profiles.get(regularMinutes);
  if (cached) return cached;
  const pre = PREMARKET_MINUTES;
  const last = regularMinutes - 1;
  const preVolume = normalised(new Float64Array(pre).map((_, k) => Math.exp((k - pre) / 80)));
  const regularVolume = new Float64Array(regularMinutes).map((_, k) => 1 + 2.2 * Math.exp(-k / 10) + Math.exp(-k / 45) + 1.4 * Math.exp(-(last - k) / 12));
  const continuous = regularVolume.reduce((sum, w) => sum + w, 0);
  regularVolume[last] = (regularVolume[last] ?? 0) + (continuous * CLOSING_AUCTION_SHARE) / (1 - CLOSING_AUCTION_SHARE);
  const preVariance = new Float64Array(pre).fill(1 / pre);
  const regularVariance = normalised(new Float64Array(regularMinutes).map((_, k) => 1 + 2 * Math.exp(-k / 15) + 0.5 * Math.exp(-(last - k) / 20)));
  const preElapsed = cumulativeShares(preVariance);
  const regularElapsed = cumulativeShares(regularVariance);
  const elapsedVariance = new Float64Array(pre + regularMinutes + 1);
  elapsedVariance.set(preElapsed);
  elapsedVariance.set(regularElapsed, pre);
  const profile: SessionProfile = {
    volume: new Float64Array([...preVolume, ...normalised(regularVolume)]),
    sd: new Float64Array([...preVariance.map((v) => PREMARKET_VOLATILITY_SHARE * Math.sqrt(v)), ...regularVariance.map(Math.sqrt)]),
    elapsedVariance,
  };
  profiles.set(regularMinutes, profile);
  return profile;
}

/** Brownian bridge on path points [from, to], pinned at `start` and `end`. */
function bridge(rng: Rng, profile: SessionProfile, volatility: number, from: number, to: number, start: number, end: number): void {
  const { sd, elapsedVariance } = profile;
  let walk = 0;
  for (let k = from + 1; k <= to; k++) {
    walk += volatility * (sd[k - 1] ?? 0) * rng.roughNormal();
    logPath[k] = walk;
  }
  logPath[from] = start;
  for (let k = from + 1; k < to; k++) {
    const share = elapsedVariance[k] ?? 0;
    logPath[k] = start + (end - start - walk) * share + (logPath[k] ?? 0);
  }
  logPath[to] = end;
}

/** Adds a jump after `minute`: `firstShare` of it at once, the rest drifting in over `rampMinutes`. */
function addJump(minute: number, size: number, firstShare: number, rampMinutes: number, lastPoint: number): void {
  for (let k = minute + 1; k <= lastPoint; k++) {
    const progress = rampMinutes > 0 ? Math.min(1, (k - minute - 1) / rampMinutes) : 1;
    logPath[k] = (logPath[k] ?? 0) + size * (firstShare + (1 - firstShare) * progress);
  }
}

/** Adds `total` shares over minutes [from, to), decaying from `from` with time constant `tau`. */
function addBurst(from: number, to: number, total: number, tau: number): void {
  const ratio = Math.exp(-1 / tau);
  const norm = (1 - ratio ** (to - from)) / (1 - ratio);
  let weight = 1;
  for (let k = from; k < to; k++) {
    expectedVolume[k] = (expectedVolume[k] ?? 0) + (total * weight) / norm;
    weight *= ratio;
  }
}

/** Simulates one symbol-day into the shared scratch arrays; `preOpen` is 04:00 ET of the day. */
export function simulateSession(
  plan: DayPlan,
  preOpen: number,
  regularMinutes: number,
  volatility: number,
  tradeSize: number,
  rng: Rng,
): DayBarsView {
  const pre = PREMARKET_MINUTES;
  const total = pre + regularMinutes;
  const profile = sessionProfile(regularMinutes);
  const catalyst = plan.catalyst;
  const logOpen = Math.log(plan.open);
  const logClose = Math.log(plan.close);

  // Price path.
  const preStep = catalyst?.premarket ? catalyst.openShare * catalyst.logJump : 0;
  const intradayJump = catalyst && !catalyst.premarket ? catalyst.logJump : 0;
  bridge(rng, profile, volatility, 0, pre, Math.log(plan.prevClose), logOpen - preStep);
  bridge(rng, profile, volatility, pre, total, logOpen, logClose - intradayJump);
  if (catalyst?.premarket) addJump(catalyst.minute, preStep, 0.7, Math.min(15, pre - catalyst.minute - 1), pre);
  else if (catalyst) addJump(catalyst.minute, intradayJump, 0.6, 30, total);
  logPath[pre] = logOpen;
  logPath[total] = logClose;

  // Expected volume per minute.
  const volumeShare = profile.volume;
  for (let k = 0; k < pre; k++) expectedVolume[k] = plan.premarketVolume * (volumeShare[k] ?? 0);
  for (let k = pre; k < total; k++) expectedVolume[k] = plan.regularVolume * (volumeShare[k] ?? 0);
  if (catalyst?.premarket) {
    addBurst(catalyst.minute, pre, 0.15 * plan.catalystVolume, 30);
    addBurst(pre, total, 0.85 * plan.catalystVolume, 60);
  } else if (catalyst) {
    addBurst(catalyst.minute, total, plan.catalystVolume, 45);
  }

  // Bars: trades arrive around the expected count; the opening and closing prints always happen.
  // One draw per minute gives three uniforms: count rounding (16 bits), size noise and volume noise (8 each).
  const wickScale = 0.6 * volatility;
  let count = 0;
  let knownPoint = -1;
  let knownPrice = 0;
  for (let k = 0; k < total; k++) {
    const draw = rng.nextUint32();
    const expectedTrades = ((expectedVolume[k] ?? 0) * (VOLUME_NOISE[draw >>> 24] ?? 1)) / tradeSize;
    let trades = Math.floor(expectedTrades + (draw & 0xffff) * UNIT_16);
    if (trades === 0) {
      if (k !== pre && k !== total - 1) continue;
      trades = 1;
    }
    const open = knownPoint === k ? knownPrice : roundToTick(Math.exp(logPath[k] ?? 0));
    const close = roundToTick(Math.exp(logPath[k + 1] ?? 0));
    knownPoint = k + 1;
    knownPrice = close;
    const high = Math.max(open, close);
    const low = Math.min(open, close);
    const reach = high * (profile.sd[k] ?? 0) * wickScale;
    const wicks = rng.nextUint32();
    const h = Math.max(high, roundToTick(high + reach * (wicks & 0xffff) * UNIT_16));
    const l = Math.min(low, roundToTick(low - reach * (wicks >>> 16) * UNIT_16));
    const at = count * BAR_STRIDE;
    minutesScratch[count] = k;
    valuesScratch[at] = open;
    valuesScratch[at + 1] = h;
    valuesScratch[at + 2] = l;
    valuesScratch[at + 3] = close;
    valuesScratch[at + 4] = Math.max(trades, Math.round(trades * tradeSize * (0.6 + 0.8 * ((draw >>> 16) & 0xff) * UNIT_8)));
    valuesScratch[at + 5] = trades;
    valuesScratch[at + 6] = Math.round(((open + h + l + 2 * close) / 5) * 10_000) / 10_000;
    count++;
  }
  return new DayBarsView(preOpen, count, minutesScratch, valuesScratch, 0);
}
