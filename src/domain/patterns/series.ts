/** Small measurements over bar series that several detectors share. */
import type { Bar, Timeframe } from "../../adapters/broker/broker.ts";
import { etDate } from "../exchange-calendar.ts";

/** Minutes per bar (a daily bar counts as a whole regular session). */
export const TIMEFRAME_MINUTES: Record<Timeframe, number> = { "1Min": 1, "5Min": 5, "15Min": 15, "1Hour": 60, "1Day": 390 };

/**
 * Typical moves grow with the bar length (roughly with its square root), so percentage thresholds
 * tuned on 5-minute bars are multiplied by this for the other timeframes.
 */
export const MOVE_SCALE: Record<Timeframe, number> = { "1Min": 0.5, "5Min": 1, "15Min": 1.7, "1Hour": 3, "1Day": 5 };

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Mean volume of bars[from, to). */
export function averageVolume(bars: readonly Bar[], from: number, to: number): number {
  return mean(bars.slice(Math.max(0, from), to).map((bar) => bar.volume));
}

/** Index of the first bar of the last bar's ET trading day. */
export function sessionStartIndex(bars: readonly Bar[]): number {
  const last = bars.at(-1);
  if (!last) return 0;
  const day = etDate(Date.parse(last.timestamp));
  let start = bars.length - 1;
  while (start > 0 && etDate(Date.parse(bars[start - 1]!.timestamp)) === day) start--;
  return start;
}

/** Clamped to [min, max] and rounded to two decimals. */
export function confidence(value: number, min = 0.05, max = 0.95): number {
  return Math.round(Math.min(max, Math.max(min, value)) * 100) / 100;
}

/** Bonus growing linearly with how far `value` exceeds `from`, up to `cap`. */
export function bonus(value: number, from: number, perUnit: number, cap: number): number {
  return Math.min(cap, Math.max(0, (value - from) * perUnit));
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function ratio(value: number): string {
  return `${value.toFixed(1)}×`;
}

export function price(value: number): string {
  return value >= 1 ? value.toFixed(2) : value.toFixed(4);
}
