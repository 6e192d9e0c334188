/**
 * The votes behind the technical signal, after the original's score rules but signed: + is the
 * long case, − the short case. Each rule is symmetric, so a mirrored market gets mirrored votes.
 */
import type { IndicatorSet } from "./compute.ts";

export interface Vote {
  /** Signed: > 0 long, < 0 short. */
  points: number;
  /** The rule and the values it saw, e.g. "RSI 28.4 < 30: oversold". */
  finding: string;
}

/** Each rule's weight: what it adds to the long or the short case when it fires. */
export const RULE_WEIGHTS = {
  rsi: 20,
  macd: 15,
  bollinger: 15,
  sma20: 10,
  emaTrend: 10,
  stochastic: 10,
  adx: 10,
  relVolume: 5,
} as const;

/** The largest net any set of indicators can reach: the score's 100. */
export const MAX_NET_POINTS = Object.values(RULE_WEIGHTS).reduce((sum, w) => sum + w, 0);

export const THRESHOLDS = {
  rsiOversold: 30,
  rsiOverbought: 70,
  stochOversold: 20,
  stochOverbought: 80,
  adxStrongTrend: 25,
  relVolumeConfirms: 1.5,
} as const;

/** Up to `digits` decimals, without trailing zeros: 28.4, 0.0123, 101.25. */
const num = (value: number, digits = 2) => String(Number(value.toFixed(digits)));
export const sideOf = (points: number) => (points > 0 ? "long" : "short");

function rsiVote(rsi: number | null): Vote | null {
  if (rsi === null) return null;
  const { rsiOversold, rsiOverbought } = THRESHOLDS;
  if (rsi < rsiOversold) return { points: RULE_WEIGHTS.rsi, finding: `RSI ${num(rsi)} < ${rsiOversold}: oversold` };
  if (rsi > rsiOverbought) return { points: -RULE_WEIGHTS.rsi, finding: `RSI ${num(rsi)} > ${rsiOverbought}: overbought` };
  return null;
}

function macdVote(macd: IndicatorSet["macd"]): Vote | null {
  if (macd === null || macd.macd === macd.signal) return null;
  const above = macd.macd > macd.signal;
  return {
    points: above ? RULE_WEIGHTS.macd : -RULE_WEIGHTS.macd,
    finding: `MACD ${num(macd.macd, 4)} ${above ? ">" : "<"} signal ${num(macd.signal, 4)}: ${above ? "bullish" : "bearish"} momentum`,
  };
}

function bollingerVote(bb: IndicatorSet["bb"], close: number): Vote | null {
  if (bb === null) return null;
  if (close < bb.lower) return { points: RULE_WEIGHTS.bollinger, finding: `price ${num(close)} < lower band ${num(bb.lower)}: stretched down` };
  if (close > bb.upper) return { points: -RULE_WEIGHTS.bollinger, finding: `price ${num(close)} > upper band ${num(bb.upper)}: stretched up` };
  return null;
}

function sma20Vote(sma20: number | null, close: number): Vote | null {
  if (sma20 === null || close === sma20) return null;
  const above = close > sma20;
  return {
    points: above ? RULE_WEIGHTS.sma20 : -RULE_WEIGHTS.sma20,
    finding: `price ${num(close)} ${above ? ">" : "<"} SMA20 ${num(sma20)}: ${above ? "above" : "below"} its average`,
  };
}

/** EMA9 > EMA20 (> EMA50 when known) is an uptrend; the reverse a downtrend; anything else no vote. */
function emaTrendVote({ ema9, ema20, ema50 }: IndicatorSet): Vote | null {
  if (ema9 === null || ema20 === null) return null;
  const stack: [string, number][] = [["EMA9", ema9], ["EMA20", ema20]];
  if (ema50 !== null) stack.push(["EMA50", ema50]);
  const values = stack.map(([, v]) => v);
  const rising = values.every((v, i) => i === 0 || values[i - 1]! > v);
  const falling = values.every((v, i) => i === 0 || values[i - 1]! < v);
  if (!rising && !falling) return null;
  const shown = stack.map(([name, v]) => `${name} ${num(v)}`).join(rising ? " > " : " < ");
  return rising
    ? { points: RULE_WEIGHTS.emaTrend, finding: `${shown}: uptrend` }
    : { points: -RULE_WEIGHTS.emaTrend, finding: `${shown}: downtrend` };
}

function stochasticVote(stoch: IndicatorSet["stoch"]): Vote | null {
  if (stoch === null) return null;
  const { stochOversold, stochOverbought } = THRESHOLDS;
  if (stoch.k < stochOversold) return { points: RULE_WEIGHTS.stochastic, finding: `stochastic %K ${num(stoch.k)} < ${stochOversold}: oversold` };
  if (stoch.k > stochOverbought) return { points: -RULE_WEIGHTS.stochastic, finding: `stochastic %K ${num(stoch.k)} > ${stochOverbought}: overbought` };
  return null;
}

/** A strong trend (ADX ≥ 25) adds weight to whichever way the trend votes (SMA20, EMAs) point. */
function adxVote(adx: number | null, trendPoints: number): Vote | null {
  if (adx === null || adx < THRESHOLDS.adxStrongTrend || trendPoints === 0) return null;
  const points = Math.sign(trendPoints) * RULE_WEIGHTS.adx;
  return { points, finding: `ADX ${num(adx)} ≥ ${THRESHOLDS.adxStrongTrend}: strong trend confirms the ${sideOf(points)} trend` };
}

/** Heavy volume (≥ 1.5× the 20-bar mean) confirms whichever case the other rules make. */
function relVolumeVote(relVolume: number | null, netPoints: number): Vote | null {
  if (relVolume === null || relVolume < THRESHOLDS.relVolumeConfirms || netPoints === 0) return null;
  const points = Math.sign(netPoints) * RULE_WEIGHTS.relVolume;
  return { points, finding: `relative volume ${num(relVolume)} ≥ ${THRESHOLDS.relVolumeConfirms}: confirms the ${sideOf(points)} case` };
}

/** Every vote that fired, in rule order; the confirming rules see the votes before them. */
export function collectVotes(indicators: IndicatorSet, lastClose: number): Vote[] {
  const sum = (votes: Vote[]) => votes.reduce((total, v) => total + v.points, 0);
  const trend = [sma20Vote(indicators.sma20, lastClose), emaTrendVote(indicators)].filter((v): v is Vote => v !== null);
  const votes = [
    rsiVote(indicators.rsi14),
    macdVote(indicators.macd),
    bollingerVote(indicators.bb, lastClose),
    ...trend,
    stochasticVote(indicators.stoch),
    adxVote(indicators.adx14, sum(trend)),
  ].filter((v): v is Vote => v !== null);
  const volume = relVolumeVote(indicators.relVolume, sum(votes));
  return volume ? [...votes, volume] : votes;
}
