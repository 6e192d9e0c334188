/**
 * The inputs and answers of the risk rules. Pure data: the risk service and trading load a
 * snapshot (limits, account, market, book) and every rule is a function of it. Money and prices
 * are decimal strings (src/domain/money.ts); no float decides an order.
 */
import type { Decimal } from "../money.ts";
import type { PositionSide } from "../order-side.ts";
import type { DoctorSilence } from "../doctor/window.ts";

export interface RiskLimits {
  maxOpenPositions: number;
  maxPositionNotional: Decimal;
  /** 0–100 */
  maxPositionPctEquity: Decimal;
  maxDailyLoss: Decimal;
  /** 0–100: warn at this share of maxDailyLoss. */
  dailyLossWarnPct: Decimal;
  /** 0–100, of equity. */
  maxSectorExposurePct: Decimal;
  minRewardRisk: Decimal;
  maxTradesPerDay: number;
  /** 0–100, of equity, lost if the stop is hit. */
  riskPerTradePct: Decimal;
}

/** An entry as risk sees it: prices already on the tick grid. */
export interface EntryRequest {
  symbol: string;
  direction: PositionSide;
  orderType: "market" | "limit";
  limitPrice: Decimal | null;
  stopLoss: Decimal;
  takeProfit: Decimal;
  /** Whole shares asked for; null → sized from the stop distance. */
  qty: number | null;
  /** The cycle mode's multiplier on risk per trade ("0.5", "1", "1.5"). */
  sizeMultiplier: Decimal;
}

export interface MarketSnapshot {
  isOpen: boolean;
  bid: Decimal | null;
  ask: Decimal | null;
  last: Decimal | null;
  /** When the latest quote was made, on the market's clock (epoch ms; null: no quote). */
  quoteAt: number | null;
  /** The asset as the broker lists it (null: unknown to the broker). */
  asset: { tradable: boolean; shortable: boolean } | null;
  /** Regular-session volume of recent sessions, from the broker's daily bars (null: none known). */
  recentVolume: RecentVolume | null;
}

/**
 * What traded in recent regular sessions: their summed volume over their summed minutes is the
 * average minute volume (an early close counts its 210 minutes, a full day 390).
 */
export interface RecentVolume {
  /** How many sessions (daily bars) the figures cover. */
  sessions: number;
  /** Shares traded in those sessions' regular hours. */
  shares: number;
  /** Regular-session minutes of those sessions. */
  sessionMinutes: number;
}

export interface AccountSnapshot {
  equity: Decimal;
  /** Equity at the previous close: today's P&L is equity − lastEquity. */
  lastEquity: Decimal;
  buyingPower: Decimal;
  tradingBlocked: boolean;
}

/** Something that already uses risk capacity: an open position or a working (unfilled) entry. */
export interface Exposure {
  symbol: string;
  sector: string | null;
  direction: PositionSide;
  qty: Decimal;
  /** Mark for open positions (last price, else entry), limit/reference for working entries. */
  price: Decimal;
  kind: "position" | "working_entry";
  /**
   * What more is lost from here in the worst case (exposureAtRisk): to its stop where a stop is
   * working, a configured share of its mark value where none is; never "0" for naked shares.
   */
  riskToStop: Decimal;
  /** Some of its shares have no working stop (a working entry: no sized bracket stop on record). */
  unprotected: boolean;
}

export interface BookSnapshot {
  exposures: Exposure[];
  entriesToday: number;
  killSwitch: { reason: string } | null;
  /** Today's daily-loss halt, if it happened. */
  halt: { reason: string } | null;
  /** Critical doctor issues still open (entries fail closed until they are resolved). */
  openCriticalIssues: string[];
  /** The doctor's last completed sweep: entries fail closed too while it is silent in its window. */
  doctorSilence: DoctorSilence;
  /** The candidate's sector (null: unclassified, limited as the "unclassified" bucket). */
  sector: string | null;
}

export interface RiskInput {
  request: EntryRequest;
  limits: RiskLimits;
  market: MarketSnapshot;
  account: AccountSnapshot;
  book: BookSnapshot;
  /** A limit price may be at most this % away from the quote. */
  priceBandPct: number;
  /** The market's now (the broker's clock), epoch ms. */
  now: number;
  /** Minutes before the close in which no entry is taken and positions are brought flat. */
  flattenWindowMinutes: number;
  /** 0–100: the share of each minute's volume an exit may take (the venue's fill model: 10). */
  exitParticipationPct: Decimal;
  /** A market entry needs a quote at most this old, on the market's clock (stale_quote). */
  maxQuoteAgeSeconds: number;
}

export interface Sizing {
  qty: number;
  /**
   * The most shares that could be exited inside the flatten window (null: unknown); a size risk
   * chooses is capped at it, a requested size is refused above it (exit_liquidity).
   */
  maxExitQty: number | null;
  referencePrice: Decimal;
  notional: Decimal;
  riskUsd: Decimal;
  rewardUsd: Decimal;
  /** reward ÷ risk per share; null when the stop distance is 0. */
  rewardRisk: number | null;
}

export interface Verdict {
  rule: RuleName;
  ok: boolean;
  /** A plain sentence with the numbers: why it passed or failed, and what to change. */
  detail: string;
}

export const RULE_NAMES = [
  "kill_switch",
  "books_reconciled",
  "daily_loss_halt",
  "market_open",
  "flatten_window",
  "tradable",
  "protective_stop",
  "reward_risk",
  "price_band",
  "stale_quote",
  "position_size",
  "max_position_notional",
  "buying_power",
  "max_open_positions",
  "duplicate_symbol",
  "sector_exposure",
  "max_trades_per_day",
  "daily_loss_budget",
  "exit_liquidity",
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export interface RiskEvaluation {
  approved: boolean;
  verdicts: Verdict[];
  /** null when no reference price exists (no quote for a market order). */
  sizing: Sizing | null;
}

export interface DailyLossStatus {
  /** equity − lastEquity (negative = loss). */
  pnl: Decimal;
  /** max(0, −pnl) ÷ maxDailyLoss × 100. */
  lossUsedPct: number;
  level: "ok" | "warning" | "halt";
}

/** One limit, a pure function of the snapshot and the sizing (null: no price to size against). */
export type RiskRule = (input: RiskInput, sizing: Sizing | null) => Verdict;
