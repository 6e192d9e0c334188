/**
 * The one door to the broker (Alpaca, or the simulated venue that speaks its API). Orders,
 * fills, positions and account money are decimal strings exactly as the broker sent them;
 * market-data prices are numbers (they inform decisions, they are not the amounts ordered).
 * Times are ISO-8601 UTC strings.
 */
import type { Decimal } from "../../domain/money.ts";
import type { OrderSide, PositionSide } from "../../domain/order-side.ts";
import type { OrderStatus } from "../../domain/order-status.ts";

/** ISO-8601 UTC instant: "2024-01-02T14:30:00.000Z". */
export type IsoTime = string;
/** A calendar date: "2024-01-02". */
export type IsoDate = string;

export type OrderType = "market" | "limit" | "stop" | "stop_limit";
export type TimeInForce = "day" | "gtc" | "ioc" | "fok";
export type OrderClass = "simple" | "bracket" | "oco" | "oto";

export interface OrderRequest {
  symbol: string;
  /** Whole shares: "10". */
  qty: Decimal;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  orderClass: OrderClass;
  takeProfit?: { limitPrice: Decimal };
  stopLoss?: { stopPrice: Decimal; limitPrice?: Decimal };
  /** Ours, deterministic and unique (≤ 128 characters): how an ambiguous submit is resolved. */
  clientOrderId: string;
  extendedHours?: boolean;
}

/** Changes to a working order. The replacement is a new order, so it needs its own client id. */
export interface ReplaceOrderRequest {
  clientOrderId: string;
  qty?: Decimal;
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  timeInForce?: TimeInForce;
}

export interface BrokerOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  /** Orders placed outside Catalyst may be trailing stops; we never place one. */
  type: OrderType | "trailing_stop";
  timeInForce: TimeInForce | "opg" | "cls";
  /** Alpaca's empty order class is "simple"; "mleg" is an options order placed elsewhere. */
  orderClass: OrderClass | "mleg";
  /** null for a notional (dollar-amount) order placed outside Catalyst. */
  qty: Decimal | null;
  notional: Decimal | null;
  filledQty: Decimal;
  filledAvgPrice: Decimal | null;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  status: OrderStatus;
  /** Alpaca's own word, kept for the audit and the doctor's status-mismatch check. */
  alpacaStatus: string;
  extendedHours: boolean;
  /** Bracket/OCO/OTO legs; only filled in when the order was fetched nested. */
  legs: BrokerOrder[];
  /** Set on a leg reached through its parent's `legs`; Alpaca's flat listing does not say. */
  parentId: string | null;
  /** The order this one replaced, and the order that replaced this one. */
  replaces: string | null;
  replacedBy: string | null;
  createdAt: IsoTime | null;
  updatedAt: IsoTime | null;
  submittedAt: IsoTime | null;
  filledAt: IsoTime | null;
  canceledAt: IsoTime | null;
  expiredAt: IsoTime | null;
  failedAt: IsoTime | null;
  replacedAt: IsoTime | null;
}

/**
 * What became of a submit. The POST is sent exactly once; when its answer is lost (timeout,
 * network, 5xx) the order is looked up by client order id, and if still not found the outcome
 * is "unknown": the order may yet exist, so the caller must not resend under a new id.
 */
export type SubmitOutcome =
  | {
      kind: "submitted";
      order: BrokerOrder;
      /** response: the POST's own answer; lookup: found after a lost answer; duplicate: the client id was already used. */
      resolvedBy: "response" | "lookup" | "duplicate";
    }
  | {
      kind: "rejected";
      clientOrderId: string;
      /** null when refused before sending (invalid request). */
      httpStatus: number | null;
      code: string | null;
      message: string;
      /** Set on a 429: nothing was placed, and the same request may be sent again after this. */
      retryAfterMs: number | null;
    }
  | { kind: "unknown"; clientOrderId: string; reason: string };

export type CancelOutcome = "requested" | "not_cancelable" | "not_found";

export interface BrokerAccount {
  id: string;
  accountNumber: string | null;
  /** Alpaca's account status ("ACTIVE", …). */
  status: string;
  currency: string;
  cash: Decimal;
  equity: Decimal;
  /** Equity at the previous close: the base of today's P&L. */
  lastEquity: Decimal;
  buyingPower: Decimal;
  longMarketValue: Decimal;
  shortMarketValue: Decimal;
  /** null when the broker did not say. */
  patternDayTrader: boolean | null;
  daytradeCount: number | null;
  tradingBlocked: boolean;
  accountBlocked: boolean;
  tradeSuspendedByUser: boolean;
  shortingEnabled: boolean;
}

export interface BrokerClock {
  timestamp: IsoTime;
  isOpen: boolean;
  nextOpen: IsoTime;
  nextClose: IsoTime;
}

/** One trading day; times are America/New_York wall-clock as Alpaca sends them ("09:30"). */
export interface BrokerCalendarDay {
  date: IsoDate;
  open: string;
  close: string;
  sessionOpen: string;
  sessionClose: string;
}

export interface AssetFilter {
  status?: "active" | "inactive";
  assetClass?: string;
  exchange?: string;
}

export interface BrokerAsset {
  id: string;
  symbol: string;
  name: string;
  exchange: string;
  assetClass: string;
  status: string;
  tradable: boolean;
  marginable: boolean;
  shortable: boolean;
  easyToBorrow: boolean;
  fractionable: boolean;
}

export interface BrokerPosition {
  symbol: string;
  assetId: string;
  side: PositionSide;
  /** Always positive; `side` says which way (Alpaca sends shorts negative). */
  qty: Decimal;
  qtyAvailable: Decimal | null;
  avgEntryPrice: Decimal;
  costBasis: Decimal;
  marketValue: Decimal;
  currentPrice: Decimal;
  lastdayPrice: Decimal;
  changeToday: Decimal;
  unrealizedPl: Decimal;
  unrealizedPlpc: Decimal;
  unrealizedIntradayPl: Decimal;
}

export interface ClosePositionResult {
  symbol: string;
  /** The per-symbol HTTP status of the multi-status answer (200 = closing order placed). */
  httpStatus: number;
  order: BrokerOrder | null;
}

export interface CancelOrderResult {
  orderId: string;
  httpStatus: number;
}

/** One execution (Alpaca activity FILL). Alpaca's "sell_short" is a sell. */
export interface BrokerFill {
  id: string;
  orderId: string;
  symbol: string;
  side: OrderSide;
  qty: Decimal;
  price: Decimal;
  transactionTime: IsoTime;
  cumQty: Decimal;
  leavesQty: Decimal;
}

export interface OrderQuery {
  /** Default open, as Alpaca's. */
  status?: "open" | "closed" | "all";
  /** Submitted strictly after / before these instants. */
  after?: IsoTime;
  until?: IsoTime;
  symbols?: string[];
  /** Roll legs up under their parent (default true, so legs know their parent). */
  nested?: boolean;
  /** Page size, at most 500 (the default); every page is fetched. */
  limit?: number;
}

export interface FillQuery {
  after?: IsoTime;
  until?: IsoTime;
}

export type Timeframe = "1Min" | "5Min" | "15Min" | "1Hour" | "1Day";

export interface BarQuery {
  start: IsoTime;
  end?: IsoTime;
  /** Page size (at most 10000); every page in [start, end] is fetched. */
  limit?: number;
}

export interface Bar {
  timestamp: IsoTime;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number;
  tradeCount: number;
}

export interface Quote {
  timestamp: IsoTime;
  bidPrice: number;
  bidSize: number;
  askPrice: number;
  askSize: number;
}

export interface Trade {
  timestamp: IsoTime;
  price: number;
  size: number;
}

export interface Snapshot {
  symbol: string;
  latestTrade: Trade | null;
  latestQuote: Quote | null;
  minuteBar: Bar | null;
  dailyBar: Bar | null;
  prevDailyBar: Bar | null;
}

export interface MostActive {
  symbol: string;
  volume: number;
  tradeCount: number;
}

export interface Mover {
  symbol: string;
  price: number;
  change: number;
  percentChange: number;
}

export interface Movers {
  gainers: Mover[];
  losers: Mover[];
}

export interface NewsQuery {
  symbols?: string[];
  start?: IsoTime;
  end?: IsoTime;
  /** Most articles to return in all, newest first (default 50). */
  limit?: number;
  includeContent?: boolean;
}

/** External text: whoever shows it to a model must mark it as untrusted. */
export interface NewsArticle {
  id: number;
  headline: string;
  summary: string;
  /** "" unless asked for with includeContent. */
  content: string;
  author: string;
  source: string;
  url: string | null;
  symbols: string[];
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export const TRADE_UPDATE_EVENTS = [
  "new",
  "fill",
  "partial_fill",
  "canceled",
  "expired",
  "done_for_day",
  "replaced",
  "rejected",
  "pending_new",
  "stopped",
  "pending_cancel",
  "pending_replace",
  "calculated",
  "suspended",
  "order_replace_rejected",
  "order_cancel_rejected",
] as const;

export type TradeUpdateEvent = (typeof TRADE_UPDATE_EVENTS)[number];

export interface TradeUpdate {
  event: TradeUpdateEvent;
  order: BrokerOrder;
  /** Set on fill and partial_fill: this execution's price and quantity, and the position after it. */
  price: Decimal | null;
  qty: Decimal | null;
  positionQty: Decimal | null;
  timestamp: IsoTime;
  executionId: string | null;
}

/**
 * listening: subscribed, updates flow (again, after a reconnect: poll to catch what was missed).
 * error: a problem worth logging (a malformed or unmappable update is reported here, not dropped silently).
 */
export type StreamState = "connecting" | "authenticated" | "listening" | "reconnecting" | "disconnected" | "error";

export interface TradeUpdateStream {
  /** true once the broker confirmed the subscription; false if it refused or did not confirm in time (it keeps trying). */
  ready: Promise<boolean>;
  close(): void;
}

export interface TradingBroker {
  getAccount(): Promise<BrokerAccount>;
  getClock(): Promise<BrokerClock>;
  getCalendar(start: IsoDate, end: IsoDate): Promise<BrokerCalendarDay[]>;
  listAssets(filter?: AssetFilter): Promise<BrokerAsset[]>;
  getAsset(symbol: string): Promise<BrokerAsset | null>;

  submitOrder(request: OrderRequest): Promise<SubmitOutcome>;
  /** null only when the broker answers 404; any other failure throws. */
  getOrder(id: string): Promise<BrokerOrder | null>;
  getOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null>;
  listOrders(query?: OrderQuery): Promise<BrokerOrder[]>;
  cancelOrder(id: string): Promise<CancelOutcome>;
  cancelAllOrders(): Promise<CancelOrderResult[]>;
  replaceOrder(id: string, changes: ReplaceOrderRequest): Promise<BrokerOrder>;

  listPositions(): Promise<BrokerPosition[]>;
  /** null only when the broker answers 404 (flat); a failed call throws, it is never evidence of flat. */
  getPosition(symbol: string): Promise<BrokerPosition | null>;
  /** Places the closing order (all of it, or qty shares). */
  closePosition(symbol: string, options?: { qty?: Decimal }): Promise<BrokerOrder>;
  closeAllPositions(options: { cancelOrders: boolean }): Promise<ClosePositionResult[]>;
  /** Every fill in the window, oldest first. */
  listFills(query?: FillQuery): Promise<BrokerFill[]>;
}

export interface MarketDataBroker {
  /** Bars by symbol, oldest first; symbols without bars are absent. */
  getBars(symbols: string[], timeframe: Timeframe, query: BarQuery): Promise<Record<string, Bar[]>>;
  getLatestTrades(symbols: string[]): Promise<Record<string, Trade>>;
  getLatestQuotes(symbols: string[]): Promise<Record<string, Quote>>;
  getSnapshots(symbols: string[]): Promise<Record<string, Snapshot>>;
  getMostActives(top: number): Promise<MostActive[]>;
  getMovers(top: number): Promise<Movers>;
  getNews(query?: NewsQuery): Promise<NewsArticle[]>;
}

export interface Broker extends TradingBroker, MarketDataBroker {
  /** Order events as they happen; reconnects by itself until closed. */
  streamTradeUpdates(
    onUpdate: (update: TradeUpdate) => void,
    onState?: (state: StreamState, detail?: string) => void,
  ): TradeUpdateStream;
}

export type BrokerErrorKind =
  /** Refused before sending: the call's own arguments are wrong. */
  | "invalid_request"
  | "timeout"
  | "network"
  | "rate_limited"
  | "auth"
  | "rejected"
  | "not_found"
  | "server"
  | "invalid_response"
  | "too_many_pages";

/** Every broker failure, whatever the transport said: callers never see SDK errors. */
export class BrokerError extends Error {
  constructor(
    readonly kind: BrokerErrorKind,
    readonly operation: string,
    message: string,
    readonly details: { httpStatus?: number; code?: string; retryAfterMs?: number; requestId?: string } = {},
  ) {
    super(`${operation}: ${message}`);
    this.name = "BrokerError";
  }
}
