/**
 * One symbol-day of minute bars packed into typed arrays (about 58 bytes a bar against ~100 as
 * objects, and no garbage-collector work while cached). Bars become SimBar objects on request.
 */
import type { SimBar } from "./types.ts";

const MINUTE_MS = 60_000;
/** Values per bar in `values`: o, h, l, c, v, n, vw. */
export const BAR_STRIDE = 7;

export class PackedBars {
  /**
   * @param preOpen 04:00 ET of the day (epoch ms), the origin of `minutes`
   * @param minutes each bar's minute after 04:00 ET, ascending
   * @param values BAR_STRIDE numbers per bar
   */
  constructor(
    readonly preOpen: number,
    private readonly minutes: Uint16Array,
    private readonly values: Float64Array,
  ) {}

  get count(): number {
    return this.minutes.length;
  }

  /** Start of bar i, epoch ms. */
  time(i: number): number {
    return this.preOpen + (this.minutes[i] ?? 0) * MINUTE_MS;
  }

  bar(i: number): SimBar {
    const at = i * BAR_STRIDE;
    const v = this.values;
    return {
      t: this.time(i),
      o: v[at] ?? 0,
      h: v[at + 1] ?? 0,
      l: v[at + 2] ?? 0,
      c: v[at + 3] ?? 0,
      v: v[at + 4] ?? 0,
      n: v[at + 5] ?? 0,
      vw: v[at + 6] ?? 0,
    };
  }

  bars(): SimBar[] {
    const bars: SimBar[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) bars[i] = this.bar(i);
    return bars;
  }

  open(i: number): number {
    return this.values[i * BAR_STRIDE] ?? 0;
  }

  close(i: number): number {
    return this.values[i * BAR_STRIDE + 3] ?? 0;
  }

  /** Index of the last bar starting at or before `atMs`, or -1. */
  lastIndexAtOrBefore(atMs: number): number {
    let low = 0;
    let high = this.count - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.time(mid) <= atMs) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /** Aggregate of the bars from minute `fromMinute` on (the regular session), stamped `t`. */
  aggregate(fromMinute: number, t: number): SimBar {
    let first = 0;
    while (first < this.count && (this.minutes[first] ?? 0) < fromMinute) first++;
    const v = this.values;
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    let trades = 0;
    let notional = 0;
    for (let i = first; i < this.count; i++) {
      const at = i * BAR_STRIDE;
      high = Math.max(high, v[at + 1] ?? 0);
      low = Math.min(low, v[at + 2] ?? 0);
      volume += v[at + 4] ?? 0;
      trades += v[at + 5] ?? 0;
      notional += (v[at + 6] ?? 0) * (v[at + 4] ?? 0);
    }
    return {
      t,
      o: this.open(first),
      h: high,
      l: low,
      c: this.close(this.count - 1),
      v: volume,
      n: trades,
      vw: Math.round((notional / volume) * 10_000) / 10_000,
    };
  }
}
