/** The venue as one object: market, clock, exchange, faults and audit, advanced by a real-time ticker. */
import { AuditLog } from "./audit.ts";
import { SimClock } from "./clock.ts";
import { Exchange } from "./exchange/exchange.ts";
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
    this.exchange = new Exchange(this.market, { seed: options.seed, initialCash: options.initialCash, startAt: options.start });
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
    if (this.screen?.minute !== minute) this.screen = { minute, rows: this.market.sweep(() => screenerRows(this.market, now)) };
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
