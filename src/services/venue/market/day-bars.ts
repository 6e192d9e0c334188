/**
 * A symbol-day of minute bars in typed arrays, and a bounded store of them. The store is one
 * arena allocated up front (pages are committed as slots fill), so generating day after day
 * neither allocates nor leaves garbage: resident memory stays flat at the store's size.
 */
import { MAX_DAY_MINUTES } from "./day-axis.ts";
import type { SimBar } from "./types.ts";

const MINUTE_MS = 60_000;
/** Values per bar: o, h, l, c, v, n, vw. */
export const BAR_STRIDE = 7;

/**
 * `count` bars starting at bar `first` of some arrays (the generator's scratch or a store slot).
 * Valid until those arrays are reused: read it, do not keep it.
 */
export class DayBarsView {
  constructor(
    /** 04:00 ET of the day, epoch ms: the origin of the minute numbers. */
    readonly preOpen: number,
    readonly count: number,
    private readonly minutes: Uint16Array,
    private readonly values: Float64Array,
    private readonly first: number,
  ) {}

  /** Minutes after 04:00 ET of bar i. */
  minute(i: number): number {
    return this.minutes[this.first + i] ?? 0;
  }

  /** Start of bar i, epoch ms. */
  time(i: number): number {
    return this.preOpen + this.minute(i) * MINUTE_MS;
  }

  private value(i: number, field: number): number {
    return this.values[(this.first + i) * BAR_STRIDE + field] ?? 0;
  }

  open(i: number): number {
    return this.value(i, 0);
  }

  close(i: number): number {
    return this.value(i, 3);
  }

  bar(i: number): SimBar {
    const at = (this.first + i) * BAR_STRIDE;
    const v = this.values;
    return { t: this.time(i), o: v[at] ?? 0, h: v[at + 1] ?? 0, l: v[at + 2] ?? 0, c: v[at + 3] ?? 0, v: v[at + 4] ?? 0, n: v[at + 5] ?? 0, vw: v[at + 6] ?? 0 };
  }

  bars(): SimBar[] {
    const bars: SimBar[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) bars[i] = this.bar(i);
    return bars;
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

  /**
   * Aggregate of the bars in minutes [fromMinute, toMinute) (e.g. the regular session so far),
   * stamped `t`; null when no bar falls in that range.
   */
  aggregate(fromMinute: number, toMinute: number, t: number): SimBar | null {
    let first = 0;
    while (first < this.count && this.minute(first) < fromMinute) first++;
    let end = first;
    while (end < this.count && this.minute(end) < toMinute) end++;
    if (end === first) return null;
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    let trades = 0;
    let notional = 0;
    for (let i = first; i < end; i++) {
      high = Math.max(high, this.value(i, 1));
      low = Math.min(low, this.value(i, 2));
      volume += this.value(i, 4);
      trades += this.value(i, 5);
      notional += this.value(i, 6) * this.value(i, 4);
    }
    return {
      t,
      o: this.open(first),
      h: high,
      l: low,
      c: this.close(end - 1),
      v: volume,
      n: trades,
      vw: Math.round((notional / volume) * 10_000) / 10_000,
    };
  }

  /** Copies the bars to bar `first` of other arrays. */
  copyInto(minutes: Uint16Array, values: Float64Array, first: number): void {
    minutes.set(this.minutes.subarray(this.first, this.first + this.count), first);
    values.set(this.values.subarray(this.first * BAR_STRIDE, (this.first + this.count) * BAR_STRIDE), first * BAR_STRIDE);
  }
}

/** Up to `capacity` symbol-days of bars (about 41 KB each), least recently used evicted first. */
export class MinuteBarStore {
  private readonly minutes: Uint16Array;
  private readonly values: Float64Array;
  private readonly counts: Uint16Array;
  private readonly preOpens: Float64Array;
  /** key → slot; a Map iterates in insertion order, so the first entry is the least recently used. */
  private readonly slotByKey = new Map<string, number>();
  private slotsUsed = 0;

  constructor(private readonly capacity: number) {
    this.minutes = new Uint16Array(capacity * MAX_DAY_MINUTES);
    this.values = new Float64Array(capacity * MAX_DAY_MINUTES * BAR_STRIDE);
    this.counts = new Uint16Array(capacity);
    this.preOpens = new Float64Array(capacity);
  }

  get size(): number {
    return this.slotByKey.size;
  }

  get(key: string): DayBarsView | null {
    const slot = this.slotByKey.get(key);
    if (slot === undefined) return null;
    this.slotByKey.delete(key);
    this.slotByKey.set(key, slot);
    return this.view(slot);
  }

  /** Stores a copy of `day` (which is returned as is when the store holds nothing). */
  put(key: string, day: DayBarsView): DayBarsView {
    if (this.capacity === 0) return day;
    let slot = this.slotsUsed < this.capacity ? this.slotsUsed++ : -1;
    if (slot < 0) {
      const [oldestKey, oldestSlot] = this.slotByKey.entries().next().value ?? ["", 0];
      this.slotByKey.delete(oldestKey);
      slot = oldestSlot;
    }
    day.copyInto(this.minutes, this.values, slot * MAX_DAY_MINUTES);
    this.counts[slot] = day.count;
    this.preOpens[slot] = day.preOpen;
    this.slotByKey.set(key, slot);
    return this.view(slot);
  }

  private view(slot: number): DayBarsView {
    return new DayBarsView(this.preOpens[slot] ?? 0, this.counts[slot] ?? 0, this.minutes, this.values, slot * MAX_DAY_MINUTES);
  }
}
