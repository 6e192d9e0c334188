/**
 * Which symbol-days carry a price-moving catalyst, and what it does. Catalyst days are drawn per
 * block of trading days, so the sum of past jumps (part of every close) costs a few draws per
 * block instead of one per day.
 */
import { session } from "../../../domain/exchange-calendar.ts";
import { DAY_CAPACITY, dayAt, PREMARKET_MINUTES } from "./day-axis.ts";
import { mix, Purpose, Rng } from "./rng.ts";
import type { CatalystKind } from "./types.ts";
import type { AssetModel } from "./universe.ts";

const BLOCK_DAYS = 64;
const NO_DAYS: readonly number[] = [];

export type MovingKind = Exclude<CatalystKind, "general">;

export interface Catalyst {
  readonly day: number;
  readonly kind: MovingKind;
  readonly direction: 1 | -1;
  /** Fractional move, e.g. 0.12 for 12%. */
  readonly impact: number;
  /** ln(1 + direction × impact): what the catalyst adds to the log close for good. */
  readonly logJump: number;
  /** Publish time: minutes after 04:00 ET, and the second within that minute. */
  readonly minute: number;
  readonly second: number;
  readonly premarket: boolean;
  /** For pre-market news: the share of the jump already priced at the open. */
  readonly openShare: number;
  /** The day's volume relative to a quiet day. */
  readonly volumeMultiplier: number;
}

interface KindRule {
  readonly weight: number;
  readonly upProbability: number;
  /** Impact ranges, before scaling by the stock's volatility when `scaled`. */
  readonly up: readonly [number, number];
  readonly down: readonly [number, number];
  readonly scaled: boolean;
  readonly premarketProbability: number;
}

const KIND_RULES: Record<MovingKind, KindRule> = {
  earnings: { weight: 30, upProbability: 0.55, up: [0.03, 0.15], down: [0.03, 0.15], scaled: true, premarketProbability: 0.8 },
  fda: { weight: 0, upProbability: 0.65, up: [0.15, 0.7], down: [0.2, 0.6], scaled: true, premarketProbability: 0.5 },
  // A takeover premium does not depend on how jumpy the stock was.
  merger: { weight: 5, upProbability: 0.93, up: [0.15, 0.45], down: [0.08, 0.25], scaled: false, premarketProbability: 0.75 },
  offering: { weight: 9, upProbability: 0, up: [0, 0], down: [0.04, 0.2], scaled: true, premarketProbability: 0.8 },
  analyst: { weight: 22, upProbability: 0.55, up: [0.015, 0.06], down: [0.015, 0.06], scaled: true, premarketProbability: 0.7 },
  guidance: { weight: 10, upProbability: 0.5, up: [0.04, 0.15], down: [0.04, 0.15], scaled: true, premarketProbability: 0.6 },
  contract: { weight: 10, upProbability: 0.92, up: [0.03, 0.2], down: [0.05, 0.15], scaled: true, premarketProbability: 0.45 },
  legal: { weight: 6, upProbability: 0.2, up: [0.03, 0.1], down: [0.03, 0.15], scaled: true, premarketProbability: 0.4 },
};
const FDA_WEIGHT_IN_HEALTH_CARE = 25;
/** Reporting seasons (MM-DD ranges): earnings news is three times as common then. */
const EARNINGS_SEASONS: readonly (readonly [string, string])[] = [
  ["01-20", "02-28"],
  ["04-15", "05-31"],
  ["07-15", "08-31"],
  ["10-15", "11-30"],
];

function inEarningsSeason(date: string): boolean {
  const monthDay = date.slice(5);
  return EARNINGS_SEASONS.some(([from, to]) => monthDay >= from && monthDay <= to);
}

/** Kind weights for (health care?, earnings season?): FDA news only for health care. */
function kindWeights(healthCare: boolean, season: boolean): readonly (readonly [MovingKind, number])[] {
  return (Object.keys(KIND_RULES) as MovingKind[]).map((kind) => {
    if (kind === "fda") return [kind, healthCare ? FDA_WEIGHT_IN_HEALTH_CARE : 0] as const;
    return [kind, KIND_RULES[kind].weight * (kind === "earnings" && season ? 3 : 1)] as const;
  });
}

const KIND_WEIGHTS = [kindWeights(false, false), kindWeights(false, true), kindWeights(true, false), kindWeights(true, true)];

/** The catalyst days (sorted, distinct) of one block of trading days. */
function blockCatalystDays(model: AssetModel, block: number): readonly number[] {
  if (model.catalystRate === 0) return NO_DAYS;
  const rng = new Rng(mix(mix(model.key, Purpose.catalystBlock), block));
  const count = rng.poisson(model.catalystRate * BLOCK_DAYS);
  if (count === 0) return NO_DAYS;
  const days: number[] = [];
  for (let i = 0; i < count; i++) {
    const day = block * BLOCK_DAYS + rng.int(BLOCK_DAYS);
    if (day < DAY_CAPACITY && !days.includes(day)) days.push(day);
  }
  return days.sort((x, y) => x - y);
}

function describeCatalyst(model: AssetModel, day: number): Catalyst {
  const date = dayAt(day);
  const daySession = date === undefined ? null : session(date);
  if (!date || !daySession) throw new RangeError(`day ${day} is outside the simulated calendar`);
  const regularMinutes = (daySession.close - daySession.open) / 60_000;
  const rng = new Rng(mix(mix(model.key, Purpose.catalyst), day));
  const weights = KIND_WEIGHTS[(model.sector.name === "Health Care" ? 2 : 0) + (inEarningsSeason(date) ? 1 : 0)] ?? [];
  const kind = rng.weighted(weights);
  const rule = KIND_RULES[kind];
  const direction = rng.chance(rule.upProbability) ? 1 : -1;
  const [low, high] = direction === 1 ? rule.up : rule.down;
  // Volatile small caps move more on the same news than sleepy large caps.
  const scale = rule.scaled ? Math.min(2.5, Math.max(0.5, model.asset.dailyVolatility / 0.03)) : 1;
  const impact = Math.round(Math.min(direction === 1 ? 1.5 : 0.85, rng.between(low, high) * scale) * 10_000) / 10_000;
  const premarket = rng.chance(rule.premarketProbability);
  // Pre-market news clusters before the open; intraday news stops 30 minutes before the close.
  const minute = premarket
    ? 30 + Math.floor((PREMARKET_MINUTES - 34) * Math.sqrt(rng.next()))
    : PREMARKET_MINUTES + 5 + rng.int(regularMinutes - 35);
  return {
    day,
    kind,
    direction,
    impact,
    logJump: Math.log(1 + direction * impact),
    minute,
    second: rng.int(60),
    premarket,
    openShare: rng.between(0.7, 1.05),
    volumeMultiplier: Math.min(30, Math.max(3, (3 + 40 * impact) * rng.between(0.8, 1.25))),
  };
}

/** The symbol's catalyst on that trading day, if any. */
export function catalystOn(model: AssetModel, day: number): Catalyst | null {
  return blockCatalystDays(model, Math.floor(day / BLOCK_DAYS)).includes(day) ? describeCatalyst(model, day) : null;
}

function blockJump(model: AssetModel, block: number, lastDay: number): number {
  let total = 0;
  for (const day of blockCatalystDays(model, block)) if (day <= lastDay) total += describeCatalyst(model, day).logJump;
  return total;
}

/** Per symbol, memoised: the jump total before each block, filled as far as asked (≤ 264 bytes). */
const jumpsBeforeBlock = new WeakMap<AssetModel, { filled: number; totals: Float64Array }>();

/** Sum of the log jumps of every catalyst up to and including `day`. */
export function cumulativeJump(model: AssetModel, day: number): number {
  const block = Math.floor(day / BLOCK_DAYS);
  let memo = jumpsBeforeBlock.get(model);
  if (!memo) {
    memo = { filled: 0, totals: new Float64Array(DAY_CAPACITY / BLOCK_DAYS + 1) };
    jumpsBeforeBlock.set(model, memo);
  }
  for (; memo.filled < block; memo.filled++) {
    memo.totals[memo.filled + 1] = (memo.totals[memo.filled] ?? 0) + blockJump(model, memo.filled, Infinity);
  }
  return (memo.totals[block] ?? 0) + blockJump(model, block, day);
}
