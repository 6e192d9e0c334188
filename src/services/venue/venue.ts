/** The venue as one object: market, clock, exchange, faults and audit, advanced by a real-time ticker. */
import { etDate } from "../../domain/exchange-calendar.ts";
import { AuditLog } from "./audit.ts";
import { SimClock } from "./clock.ts";
import { Exchange, type MarketView } from "./exchange/exchange.ts";
import { MarketFeed, screenerRows, type ScreenerRow } from "./feed.ts";
import { FaultDice, NO_FAULTS, type FaultPlan } from "./faults.ts";
import { SyntheticMarket } from "./market/market.ts";

export interface VenueCredentials {
  keyId: string;
  secretKey: string;
}

export interface VenueOptions {
  seed: number;
  /** Simulated seconds per real second. */
  speed: number;
  /** Simulated instant to start at (epoch ms). */
  start: number;
  /** Starting cash in ticks ($0.0001). */
  initialCash: number;
  credentials: VenueCredentials;
  universeSize?: number;
  faults?: Partial<FaultPlan>;
  /** Real milliseconds between exchange ticks. */
  tickMs?: number;
}

const DEFAULT_TICK_MS = 50;

export class Venue {
  readonly market: SyntheticMarket;
  readonly feed: MarketFeed;
  readonly clock: SimClock;
  readonly exchange: Exchange;
  readonly audit = new AuditLog();
  readonly dice: FaultDice;
  faults: FaultPlan;
  private ticker: Timer | null = null;
  /** Screens cost a pass over the whole universe: computed at most once per simulated minute. */
  private screen: { minute: number; rows: ScreenerRow[] } | null = null;

  constructor(readonly options: VenueOptions) {
    this.market = new SyntheticMarket(options.seed, options.universeSize === undefined ? undefined : { universeSize: options.universeSize });
    this.feed = new MarketFeed(this.market);
    this.clock = new SimClock(options.start, options.speed);
    this.exchange = new Exchange(marketView(this.market), { seed: options.seed, initialCash: options.initialCash, startAt: options.start });
    this.dice = new FaultDice(options.seed);
    this.faults = { ...NO_FAULTS, ...options.faults };
  }

  /** The simulated now, with the exchange brought up to it. */
  now(): number {
    const now = this.clock.now();
    this.exchange.advance(now);
    return now;
  }

  setFaults(changes: Partial<FaultPlan>): FaultPlan {
    this.faults = { ...this.faults, ...changes };
    if (changes.partialFills !== undefined) this.exchange.forcedPartialFills = changes.partialFills;
    return this.faults;
  }

  screener(): { rows: ScreenerRow[]; at: number } {
    const now = this.now();
    const minute = Math.floor(now / 60_000);
    if (this.screen?.minute !== minute) this.screen = { minute, rows: screenerRows(this.market, this.feed, now) };
    return { rows: this.screen.rows, at: minute * 60_000 };
  }

  start(): void {
    this.ticker ??= setInterval(() => this.now(), this.options.tickMs ?? DEFAULT_TICK_MS);
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }
}

/** Adapts the generator to what the exchange needs: one minute bar by its start instant (none if nothing traded). */
export function marketView(market: SyntheticMarket): MarketView {
  return {
    asset: (symbol) => market.asset(symbol),
    priceAt: (symbol, at) => market.priceAt(symbol, at),
    spread: (symbol, price) => market.spread(symbol, price),
    minuteBar: (symbol, minuteStart) => barStartingAt(market.minuteBars(symbol, etDate(minuteStart)), minuteStart),
  };
}

/** Binary search: minutes without trades have no bar, so bars are not at fixed offsets. */
function barStartingAt<T extends { t: number }>(bars: readonly T[], t: number): T | null {
  let lo = 0;
  let hi = bars.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const bar = bars[mid]!;
    if (bar.t === t) return bar;
    if (bar.t < t) lo = mid + 1;
    else hi = mid - 1;
  }
  return null;
}
