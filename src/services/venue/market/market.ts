/**
 * A deterministic synthetic US equity market: the same seed gives the same universe, bars and
 * news, byte for byte, whatever is asked first. Generated data is cached in bounded LRUs; daily
 * closes are computed on demand (see daily.ts), so memory does not grow with history.
 */
import {
  etDate,
  etInstant,
  type IsoDate,
  previousTradingDay,
  session,
  tradingDaysBetween,
  type TradingSession,
} from "../../../domain/exchange-calendar.ts";
import { LruCache } from "../../../runtime/lru.ts";
import { catalystOn } from "./catalysts.ts";
import { logClose, marketFactor, planDay } from "./daily.ts";
import { dayIndex, MAX_DAY_MINUTES, PREMARKET_MINUTES } from "./day-axis.ts";
import { type DayBarsView, MinuteBarStore } from "./day-bars.ts";
import { simulateSession } from "./intraday.ts";
import { type CatalystStory, dayNews } from "./news.ts";
import { roundToTick, tickAt } from "./price.ts";
import { hashString, mix, Purpose, Rng } from "./rng.ts";
import type { SimAsset, SimBar, SimNews } from "./types.ts";
import { type AssetModel, buildUniverse } from "./universe.ts";

export type { CatalystKind, ListingExchange, SimAsset, SimBar, SimNews } from "./types.ts";

export interface SyntheticMarketOptions {
  /** Listings, tradable or not (about 2.4% are not). Default 8,200. */
  universeSize?: number;
  /** Symbol-days of minute bars kept (41 KB each, reserved up front, committed as used). Default 128. */
  minuteCacheSymbolDays?: number;
}

const MINUTE_MS = 60_000;
const DEFAULT_UNIVERSE_SIZE = 8_200;
/**
 * The symbols read again and again (positions, open orders, a scan's candidates): passes over the
 * whole universe do not store what they generate (see `sweep`), so they never evict these.
 */
const DEFAULT_MINUTE_CACHE = 128;
/** A scan's previous-day bars (8,000) and the technical history of its candidates fit. */
const DAILY_CACHE = 20_000;
const NEWS_CACHE_DAYS = 64;
/** Spread for a symbol the market does not list. */
const UNKNOWN_SPREAD_BPS = 10;
const NO_BARS: readonly SimBar[] = Object.freeze([]);
const NO_NEWS: readonly SimNews[] = Object.freeze([]);

interface SymbolDay {
  model: AssetModel;
  index: number;
  session: TradingSession;
}

export class SyntheticMarket {
  readonly seed: number;
  private readonly seedKey: number;
  private readonly assetList: readonly SimAsset[];
  private readonly bySymbol: ReadonlyMap<string, AssetModel>;
  private readonly storyCandidates: readonly AssetModel[];
  private readonly marketLevels: Float64Array;
  private readonly minuteStore: MinuteBarStore;
  /** Inside `sweep`: what the generator's scratch holds, so one symbol's several reads generate it once. */
  private sweeping = 0;
  private scratch: { key: string; view: DayBarsView } | null = null;
  private readonly dailyCache = new LruCache<string, SimBar>(DAILY_CACHE);
  private readonly newsCache = new LruCache<number, readonly SimNews[]>(NEWS_CACHE_DAYS);

  constructor(seed: number, options: SyntheticMarketOptions = {}) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    this.seed = seed;
    this.seedKey = hashString(String(seed));
    const models = buildUniverse(seed, this.seedKey, options.universeSize ?? DEFAULT_UNIVERSE_SIZE);
    for (const model of models) Object.freeze(model.asset);
    this.assetList = Object.freeze(models.map((m) => m.asset));
    this.bySymbol = new Map(models.map((m) => [m.asset.symbol, m]));
    this.storyCandidates = models.filter((m) => m.asset.tradable && !m.isEtf);
    this.marketLevels = marketFactor(this.seedKey);
    this.minuteStore = new MinuteBarStore(options.minuteCacheSymbolDays ?? DEFAULT_MINUTE_CACHE);
  }

  /** Every listing, sorted by symbol. */
  assets(): readonly SimAsset[] {
    return this.assetList;
  }

  /**
   * Runs a pass over many symbols (a scan's snapshots, the screens) without storing the minute bars
   * it generates: the universe (8,000 symbol-days) outgrows any store that fits in memory, so storing
   * a sweep would only evict the few symbols read again and again.
   */
  sweep<T>(pass: () => T): T {
    this.sweeping++;
    try {
      return pass();
    } finally {
      this.sweeping--;
    }
  }

  /** Symbol-days of minute bars the store holds now. */
  get storedSymbolDays(): number {
    return this.minuteStore.size;
  }

  asset(symbol: string): SimAsset | undefined {
    return this.bySymbol.get(symbol)?.asset;
  }

  /**
   * Minute bars from 04:00 ET to the regular close (minutes without trades have none); [] for
   * closed days, days outside the simulated range, unknown or non-tradable symbols. A new array
   * each call (the store keeps typed arrays); for one bar or one price use minuteBar / priceAt.
   */
  minuteBars(symbol: string, day: IsoDate): readonly SimBar[] {
    return this.dayBars(symbol, day)?.bars() ?? NO_BARS;
  }

  /** The bar of the minute starting at `minuteStartMs`, or null when nothing traded in it. */
  minuteBar(symbol: string, minuteStartMs: number): SimBar | null {
    const bars = this.dayBars(symbol, etDate(minuteStartMs));
    if (!bars) return null;
    const i = bars.lastIndexAtOrBefore(minuteStartMs);
    return i >= 0 && bars.time(i) === minuteStartMs ? bars.bar(i) : null;
  }

  /**
   * The regular-session aggregate of the minute bars (09:30 to the close), stamped at midnight
   * ET of the day as Alpaca stamps daily bars; null when there is no session. Cached and frozen.
   */
  dailyBar(symbol: string, day: IsoDate): SimBar | null {
    const key = `${symbol}|${day}`;
    const cached = this.dailyCache.get(key);
    if (cached) return cached;
    const symbolDay = this.symbolDay(symbol, day);
    if (!symbolDay) return null;
    // Reuse held minute bars, but do not store history that is only aggregated.
    const bars = this.heldDayBars(key) ?? this.simulate(symbolDay);
    const bar = bars.aggregate(PREMARKET_MINUTES, MAX_DAY_MINUTES, etInstant(day, "00:00"));
    if (bar) this.dailyCache.set(key, Object.freeze(bar));
    return bar;
  }

  /**
   * The day's regular session so far: the aggregate of the minutes that have ended by `atMs`
   * (what a snapshot's daily bar shows mid-session, without the rest of the day). Null before
   * 09:31 ET or without a session; equals dailyBar once the session is over.
   */
  dailyBarSoFar(symbol: string, day: IsoDate, atMs: number): SimBar | null {
    const bars = this.dayBars(symbol, day);
    if (!bars) return null;
    const endedMinutes = Math.floor((atMs - bars.preOpen) / MINUTE_MS);
    return bars.aggregate(PREMARKET_MINUTES, endedMinutes, etInstant(day, "00:00"));
  }

  /** The last minute bar that has ended by `atMs` on `day` (pre-market included), or null. */
  lastCompletedMinuteBar(symbol: string, day: IsoDate, atMs: number): SimBar | null {
    const bars = this.dayBars(symbol, day);
    const i = bars ? bars.lastIndexAtOrBefore(atMs - MINUTE_MS) : -1;
    return i >= 0 ? bars!.bar(i) : null;
  }

  /** Everything traded on `day` from 04:00 ET in the minutes ended by `atMs`, as one bar (the screens' volume). */
  tradedSoFar(symbol: string, day: IsoDate, atMs: number): SimBar | null {
    const bars = this.dayBars(symbol, day);
    if (!bars) return null;
    return bars.aggregate(0, Math.floor((atMs - bars.preOpen) / MINUTE_MS), etInstant(day, "00:00"));
  }

  /** Daily bars of the trading days from `from` to `to`, both inclusive. */
  dailyBars(symbol: string, from: IsoDate, to: IsoDate): SimBar[] {
    const bars: SimBar[] = [];
    for (const day of tradingDaysBetween(from, to)) {
      const bar = this.dailyBar(symbol, day);
      if (bar) bars.push(bar);
    }
    return bars;
  }

  /** That ET day's news (pre-market included), sorted by createdAt then id. Shared: do not mutate. */
  news(day: IsoDate): readonly SimNews[] {
    const index = dayIndex(day);
    const daySession = index === undefined ? null : session(day);
    if (index === undefined || !daySession) return NO_NEWS;
    const cached = this.newsCache.get(index);
    if (cached) return cached;
    const stories: CatalystStory[] = [];
    for (const model of this.storyCandidates) {
      const catalyst = catalystOn(model, index);
      if (catalyst) stories.push({ model, catalyst, previousClose: this.closeOf(model, index - 1) });
    }
    const items = dayNews(this.seedKey, index, day, daySession, stories, this.storyCandidates);
    this.newsCache.set(index, items);
    return items;
  }

  /**
   * The last trade price at an instant. Inside a minute it moves from the bar's open to its close
   * in proportion to the elapsed time; before 04:00 ET (or on a closed day) it is the previous
   * regular close, after the close the day's close. Null for unknown or non-tradable symbols and
   * outside the simulated range.
   */
  priceAt(symbol: string, atMs: number): number | null {
    const model = this.bySymbol.get(symbol);
    if (!model?.asset.tradable) return null;
    const date = etDate(atMs);
    const daySession = session(date);
    const index = dayIndex(date);
    if (daySession && index !== undefined) {
      if (atMs >= daySession.close) return this.closeOf(model, index);
      if (atMs >= daySession.preOpen) {
        const bars = this.dayBars(symbol, date);
        const i = bars ? bars.lastIndexAtOrBefore(atMs) : -1;
        if (!bars || i < 0) return this.closeOf(model, index - 1);
        const elapsed = atMs - bars.time(i);
        if (elapsed >= MINUTE_MS) return bars.close(i);
        return roundToTick(bars.open(i) + ((bars.close(i) - bars.open(i)) * elapsed) / MINUTE_MS);
      }
      if (index === 0) return this.closeOf(model, -1);
    }
    const previous = dayIndex(previousTradingDay(date));
    return previous === undefined ? null : this.closeOf(model, previous);
  }

  /**
   * When the price priceAt gives was last printed: now inside a minute that trades; the end of
   * the last minute that traded (a minute without trades has no bar, so nothing printed in it);
   * before today's first trade, or on a closed day, the previous session's close (its closing
   * print). So on a Sunday the last trade is Friday's close, as at Alpaca, never "now".
   */
  lastTradeAt(symbol: string, atMs: number): number | null {
    const model = this.bySymbol.get(symbol);
    if (!model?.asset.tradable) return null;
    const date = etDate(atMs);
    const daySession = session(date);
    if (daySession && atMs >= daySession.preOpen) {
      const bars = this.dayBars(symbol, date);
      const i = bars ? bars.lastIndexAtOrBefore(atMs) : -1;
      if (bars && i >= 0) return Math.min(atMs, bars.time(i) + MINUTE_MS);
    }
    return session(previousTradingDay(date))?.close ?? null;
  }

  /** The full quoted spread in dollars at a price: a whole number of ticks, at least one. */
  spread(symbol: string, price: number): number {
    const bps = this.bySymbol.get(symbol)?.asset.spreadBps ?? UNKNOWN_SPREAD_BPS;
    const tick = tickAt(price);
    const ticks = Math.max(1, Math.round((price * bps) / 10_000 / tick));
    return Math.round(ticks * tick * 10_000) / 10_000;
  }

  /** The regular close of simulated day `index` (-1: the reference close), as the daily bar has it. */
  private closeOf(model: AssetModel, index: number): number {
    return roundToTick(Math.exp(logClose(model, this.marketLevels, index)));
  }

  /** A tradable symbol on a simulated trading day, or null. */
  private symbolDay(symbol: string, day: IsoDate): SymbolDay | null {
    const model = this.bySymbol.get(symbol);
    const index = dayIndex(day);
    const daySession = index === undefined ? null : session(day);
    if (!model?.asset.tradable || index === undefined || !daySession) return null;
    return { model, index, session: daySession };
  }

  /** A symbol-day's bars already generated: in the store, or (inside a sweep) on the scratch. */
  private heldDayBars(key: string): DayBarsView | null {
    const stored = this.minuteStore.get(key);
    if (stored) return stored;
    return this.sweeping > 0 && this.scratch?.key === key ? this.scratch.view : null;
  }

  /** The day's bars, generated on a miss and stored (outside a sweep). Read at once: see DayBarsView. */
  private dayBars(symbol: string, day: IsoDate): DayBarsView | null {
    const key = `${symbol}|${day}`;
    const held = this.heldDayBars(key);
    if (held) return held;
    const symbolDay = this.symbolDay(symbol, day);
    if (!symbolDay) return null;
    const generated = this.simulate(symbolDay);
    if (this.sweeping === 0) return this.minuteStore.put(key, generated);
    this.scratch = { key, view: generated };
    return generated;
  }

  /** Into the generator's shared scratch arrays: whatever view was on them is stale from here on. */
  private simulate({ model, index, session: daySession }: SymbolDay): DayBarsView {
    this.scratch = null;
    const plan = planDay(model, this.marketLevels, index);
    const regularMinutes = (daySession.close - daySession.open) / MINUTE_MS;
    const rng = new Rng(mix(mix(model.key, Purpose.intraday), index));
    return simulateSession(plan, daySession.preOpen, regularMinutes, model.asset.dailyVolatility, model.tradeSize, rng);
  }
}
