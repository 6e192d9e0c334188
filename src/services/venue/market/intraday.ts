/**
 * One symbol-day of 1-minute bars from 04:00 ET to the regular close. The log-price path is a
 * Brownian bridge pinned at the previous close (04:00), the open (09:30) and the close, with the
 * catalyst's jump and follow-through drift added at its publish minute; volume follows a U-shaped
 * profile (thin pre-market) plus a decaying burst after news. Minutes without trades have no bar.
 */
import { PREMARKET_MINUTES } from "./catalysts.ts";
import type { DayPlan } from "./daily.ts";
import { roundToTick } from "./price.ts";
import { BAR_STRIDE, PackedBars } from "./packed-bars.ts";
import { Rng } from "./rng.ts";

const MAX_MINUTES = PREMARKET_MINUTES + 390;
/** Pre-market wanders a little (share of the daily volatility, spread over 5.5 hours). */
const PREMARKET_VOLATILITY_SHARE = 0.35;
/** Share of the day's volume printed in the closing auction (the last minute's bar). */
const CLOSING_AUCTION_SHARE = 0.05;
/** Per-minute volume noise: a fixed table of 256 log-normal factors (st.dev. 0.45, mean 1), picked by one byte. */
const VOLUME_NOISE = ((sigma: number) => {
  const rng = new Rng(0x5eed);
  const table = new Float64Array(256).map(() => Math.exp(sigma * rng.normal()));
  const mean = table.reduce((sum, x) => sum + x, 0) / table.length;
  return table.map((x) => x / mean);
})(0.45);

const minutesScratch = new Uint16Array(MAX_MINUTES);
const valuesScratch = new Float64Array(MAX_MINUTES * BAR_STRIDE);
const logPath = new Float64Array(MAX_MINUTES + 1);
const cumulativeVariance = new Float64Array(MAX_MINUTES + 1);
const stepSd = new Float64Array(MAX_MINUTES);
const expectedVolume = new Float64Array(MAX_MINUTES);

interface Profile {
  /** Share of the segment's volume per minute (sums to 1). */
  readonly volume: Float64Array;
  /** Square root of the share of the segment's variance per minute (the shares sum to 1). */
  readonly sd: Float64Array;
}

function normalised(weights: Float64Array): Float64Array {
  let total = 0;
  for (const w of weights) total += w;
  return weights.map((w) => w / total);
}

/** Pre-market activity builds toward the open. */
const premarketProfile: Profile = (() => {
  const ramp = new Float64Array(PREMARKET_MINUTES).map((_, k) => Math.exp((k - PREMARKET_MINUTES) / 80));
  return { volume: normalised(ramp), sd: new Float64Array(PREMARKET_MINUTES).fill(Math.sqrt(1 / PREMARKET_MINUTES)) };
})();

const regularProfiles = new Map<number, Profile>();

/** U-shaped intraday profiles: heavy after the open, quieter midday, heavy into the close. */
function regularProfile(minutes: number): Profile {
  const cached = regularProfiles.get(minutes);
  if (cached) return cached;
  const volume = new Float64Array(minutes).map((_, k) => 1 + 2.2 * Math.exp(-k / 10) + Math.exp(-k / 45) + 1.4 * Math.exp(-(minutes - 1 - k) / 12));
  let total = 0;
  for (const w of volume) total += w;
  volume[minutes - 1] = (volume[minutes - 1] ?? 0) + (total * CLOSING_AUCTION_SHARE) / (1 - CLOSING_AUCTION_SHARE);
  const variance = new Float64Array(minutes).map((_, k) => 1 + 2 * Math.exp(-k / 15) + 0.5 * Math.exp(-(minutes - 1 - k) / 20));
  const profile = { volume: normalised(volume), sd: normalised(variance).map(Math.sqrt) };
  regularProfiles.set(minutes, profile);
  return profile;
}

/** Brownian bridge on path points [from, to], pinned at `start` and `end`. */
function bridge(rng: Rng, from: number, to: number, start: number, end: number): void {
  let walk = 0;
  let variance = 0;
  for (let k = from + 1; k <= to; k++) {
    const sd = stepSd[k - 1] ?? 0;
    walk += sd * rng.roughNormal();
    variance += sd * sd;
    logPath[k] = walk;
    cumulativeVariance[k] = variance;
  }
  logPath[from] = start;
  for (let k = from + 1; k < to; k++) {
    const share = (cumulativeVariance[k] ?? 0) / variance;
    logPath[k] = start + (end - start) * share + (logPath[k] ?? 0) - share * walk;
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

/** Simulates one symbol-day; `preOpen` is 04:00 ET of the day. */
export function simulateSession(
  plan: DayPlan,
  preOpen: number,
  regularMinutes: number,
  volatility: number,
  tradeSize: number,
  rng: Rng,
): PackedBars {
  const pre = PREMARKET_MINUTES;
  const total = pre + regularMinutes;
  const regular = regularProfile(regularMinutes);
  const catalyst = plan.catalyst;
  const logOpen = Math.log(plan.open);
  const logClose = Math.log(plan.close);

  // Price path.
  const preSd = volatility * PREMARKET_VOLATILITY_SHARE;
  for (let k = 0; k < pre; k++) stepSd[k] = preSd * (premarketProfile.sd[k] ?? 0);
  for (let k = 0; k < regularMinutes; k++) stepSd[pre + k] = volatility * (regular.sd[k] ?? 0);
  const preStep = catalyst?.premarket ? catalyst.openShare * catalyst.logJump : 0;
  const intradayJump = catalyst && !catalyst.premarket ? catalyst.logJump : 0;
  bridge(rng, 0, pre, Math.log(plan.prevClose), logOpen - preStep);
  bridge(rng, pre, total, logOpen, logClose - intradayJump);
  if (catalyst?.premarket) addJump(catalyst.minute, preStep, 0.7, Math.min(15, pre - catalyst.minute - 1), pre);
  else if (catalyst) addJump(catalyst.minute, intradayJump, 0.6, 30, total);
  logPath[pre] = logOpen;
  logPath[total] = logClose;

  // Expected volume per minute.
  for (let k = 0; k < pre; k++) expectedVolume[k] = plan.premarketVolume * (premarketProfile.volume[k] ?? 0);
  for (let k = 0; k < regularMinutes; k++) expectedVolume[pre + k] = plan.regularVolume * (regular.volume[k] ?? 0);
  if (catalyst?.premarket) {
    addBurst(catalyst.minute, pre, 0.15 * plan.catalystVolume, 30);
    addBurst(pre, total, 0.85 * plan.catalystVolume, 60);
  } else if (catalyst) {
    addBurst(catalyst.minute, total, plan.catalystVolume, 45);
  }

  // Bars: trades arrive around the expected count; the opening and closing prints always happen.
  // One draw per minute gives three uniforms: count rounding (16 bits), size noise and volume noise (8 each).
  let count = 0;
  let knownPoint = -1;
  let knownPrice = 0;
  for (let k = 0; k < total; k++) {
    const draw = rng.nextUint32();
    const expectedTrades = ((expectedVolume[k] ?? 0) * (VOLUME_NOISE[draw >>> 24] ?? 1)) / tradeSize;
    let trades = Math.floor(expectedTrades + (draw & 0xffff) / 65_536);
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
    const reach = high * (stepSd[k] ?? 0) * 0.6;
    const wicks = rng.nextUint32();
    const h = Math.max(high, roundToTick(high + (reach * (wicks & 0xffff)) / 65_536));
    const l = Math.min(low, roundToTick(low - (reach * (wicks >>> 16)) / 65_536));
    const at = count * BAR_STRIDE;
    minutesScratch[count] = k;
    valuesScratch[at] = open;
    valuesScratch[at + 1] = h;
    valuesScratch[at + 2] = l;
    valuesScratch[at + 3] = close;
    valuesScratch[at + 4] = Math.max(trades, Math.round(trades * tradeSize * (0.6 + (0.8 * ((draw >>> 16) & 0xff)) / 256)));
    valuesScratch[at + 5] = trades;
    valuesScratch[at + 6] = Math.round(((open + h + l + 2 * close) / 5) * 10_000) / 10_000;
    count++;
  }
  return new PackedBars(preOpen, minutesScratch.slice(0, count), valuesScratch.slice(0, count * BAR_STRIDE));
}
