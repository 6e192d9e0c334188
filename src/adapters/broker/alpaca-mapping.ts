/**
 * The SDK's models → our broker types, and our requests → the SDK's. Pure. Anything that does
 * not fit (a missing id, a float where Alpaca sends a decimal string, an unknown status or
 * side) throws BrokerDataError rather than being guessed into shape.
 */
import type { marketData, streaming, trading } from "@alpacahq/alpaca-trade-api";
import { absDecimal, compareDecimal, isDecimal, type Decimal } from "../../domain/money.ts";
import { orderStatusFor } from "../../domain/order-status.ts";
import {
  TRADE_UPDATE_EVENTS,
  type Bar,
  type BrokerAccount,
  type BrokerAsset,
  type BrokerCalendarDay,
  type BrokerClock,
  type BrokerFill,
  type BrokerOrder,
  type BrokerPosition,
  type CancelOrderResult,
  type IsoTime,
  type MostActive,
  type Mover,
  type NewsArticle,
  type OrderRequest,
  type Quote,
  type ReplaceOrderRequest,
  type Snapshot,
  type Trade,
  type TradeUpdate,
} from "./broker.ts";

export class BrokerDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BrokerDataError";
  }
}

function required<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined || value === "") throw new BrokerDataError(`${field} is missing`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new BrokerDataError(`${field} is ${JSON.stringify(value)}, expected one of ${allowed.join(", ")}`);
}

function decimal(value: unknown, field: string): Decimal {
  if (typeof value === "string" && isDecimal(value)) return value;
  throw new BrokerDataError(`${field} is ${JSON.stringify(value)}, expected a decimal string`);
}

function optionalDecimal(value: unknown, field: string): Decimal | null {
  return value === null || value === undefined ? null : decimal(value, field);
}

/** The SDK parses most times to Date, but leaves those inside symbol-keyed maps as strings. */
function isoTime(value: Date | string | null | undefined, field: string): IsoTime | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new BrokerDataError(`${field} is not a time: ${JSON.stringify(value)}`);
  return date.toISOString();
}

function requiredIsoTime(value: Date | string | null | undefined, field: string): IsoTime {
  return required(isoTime(value, field), field);
}

/** A field the SDK's model does not declare but keeps from the wire (its models spread the raw JSON). */
function wireField(model: object, key: string): unknown {
  return (model as Record<string, unknown>)[key];
}

const SIDES = ["buy", "sell"] as const;
const ORDER_TYPES = ["market", "limit", "stop", "stop_limit", "trailing_stop"] as const;
const TIMES_IN_FORCE = ["day", "gtc", "opg", "cls", "ioc", "fok"] as const;
const ORDER_CLASSES = ["simple", "bracket", "oco", "oto", "mleg"] as const;

function orderFields(order: trading.Order | trading.OrderLeg, parentId: string | null, legs: BrokerOrder[]): BrokerOrder {
  const id = required(order.id, "order.id");
  const field = (name: string) => `order ${id} ${name}`;
  const filledQty = decimal(order.filledQty ?? "0", field("filled_qty"));
  const alpacaStatus = required<string>(order.status, field("status"));
  return {
    id,
    clientOrderId: required(order.clientOrderId, field("client_order_id")),
    symbol: required(order.symbol, field("symbol")),
    side: oneOf(order.side, SIDES, field("side")),
    type: oneOf(order.type, ORDER_TYPES, field("type")),
    timeInForce: oneOf(order.timeInForce, TIMES_IN_FORCE, field("time_in_force")),
    // Alpaca answers "" (or nothing) for a simple order.
    orderClass: order.orderClass ? oneOf(order.orderClass, ORDER_CLASSES, field("order_class")) : "simple",
    qty: optionalDecimal(order.qty, field("qty")),
    notional: optionalDecimal(order.notional, field("notional")),
    filledQty,
    filledAvgPrice: optionalDecimal(order.filledAvgPrice, field("filled_avg_price")),
    limitPrice: optionalDecimal(order.limitPrice, field("limit_price")),
    stopPrice: optionalDecimal(order.stopPrice, field("stop_price")),
    status: orderStatusFor(alpacaStatus, filledQty),
    alpacaStatus,
    extendedHours: order.extendedHours ?? false,
    legs,
    parentId,
    replaces: order.replaces ?? null,
    replacedBy: order.replacedBy ?? null,
    createdAt: isoTime(order.createdAt, field("created_at")),
    updatedAt: isoTime(order.updatedAt, field("updated_at")),
    submittedAt: isoTime(order.submittedAt, field("submitted_at")),
    filledAt: isoTime(order.filledAt, field("filled_at")),
    canceledAt: isoTime(order.canceledAt, field("canceled_at")),
    expiredAt: isoTime(order.expiredAt, field("expired_at")),
    failedAt: isoTime(order.failedAt, field("failed_at")),
    replacedAt: isoTime(order.replacedAt, field("replaced_at")),
  };
}

/** An order with its legs (Alpaca nests one level: a bracket's take-profit and stop-loss). */
export function mapOrder(order: trading.Order): BrokerOrder {
  const id = required(order.id, "order.id");
  return orderFields(order, null, (order.legs ?? []).map((leg) => orderFields(leg, id, [])));
}

export function mapCancelResult(result: trading.CanceledOrderResponse): CancelOrderResult {
  return { orderId: required(result.id, "cancel result id"), httpStatus: required(result.status, "cancel result status") };
}

export function mapAccount(account: trading.Account): BrokerAccount {
  const field = (name: string) => `account ${name}`;
  const patternDayTrader = wireField(account, "pattern_day_trader");
  const daytradeCount = wireField(account, "daytrade_count");
  return {
    id: required(account.id, field("id")),
    accountNumber: account.accountNumber ?? null,
    status: required<string>(account.status, field("status")),
    currency: account.currency ?? "USD",
    cash: decimal(account.cash, field("cash")),
    equity: decimal(account.equity, field("equity")),
    lastEquity: decimal(account.lastEquity, field("last_equity")),
    buyingPower: decimal(account.buyingPower, field("buying_power")),
    longMarketValue: decimal(account.longMarketValue ?? "0", field("long_market_value")),
    shortMarketValue: decimal(account.shortMarketValue ?? "0", field("short_market_value")),
    patternDayTrader: typeof patternDayTrader === "boolean" ? patternDayTrader : null,
    daytradeCount: typeof daytradeCount === "number" ? daytradeCount : null,
    tradingBlocked: account.tradingBlocked ?? false,
    accountBlocked: account.accountBlocked ?? false,
    tradeSuspendedByUser: account.tradeSuspendedByUser ?? false,
    shortingEnabled: account.shortingEnabled ?? false,
  };
}

export function mapClock(clock: trading.LegacyClock): BrokerClock {
  return {
    timestamp: requiredIsoTime(clock.timestamp, "clock timestamp"),
    isOpen: clock.isOpen === true,
    nextOpen: requiredIsoTime(clock.nextOpen, "clock next_open"),
    nextClose: requiredIsoTime(clock.nextClose, "clock next_close"),
  };
}

export function mapCalendarDay(day: trading.LegacyCalendarDay): BrokerCalendarDay {
  return {
    // Alpaca sends "2024-01-02", which the SDK parses as UTC midnight: the date part is the day.
    date: requiredIsoTime(day.date, "calendar date").slice(0, 10),
    open: required(day.open, "calendar open"),
    close: required(day.close, "calendar close"),
    sessionOpen: required(day.sessionOpen, "calendar session_open"),
    sessionClose: required(day.sessionClose, "calendar session_close"),
  };
}

export function mapAsset(asset: trading.Assets): BrokerAsset {
  return {
    id: required(asset.id, "asset id"),
    symbol: required(asset.symbol, "asset symbol"),
    name: asset.name ?? "",
    exchange: required<string>(asset.exchange, `asset ${asset.symbol} exchange`),
    assetClass: required<string>(asset._class, `asset ${asset.symbol} class`),
    status: required<string>(asset.status, `asset ${asset.symbol} status`),
    tradable: asset.tradable === true,
    marginable: asset.marginable === true,
    shortable: asset.shortable === true,
    easyToBorrow: asset.easyToBorrow === true,
    fractionable: asset.fractionable === true,
  };
}

export function mapPosition(position: trading.Position): BrokerPosition {
  const symbol = required(position.symbol, "position symbol");
  const field = (name: string) => `position ${symbol} ${name}`;
  const qty = decimal(position.qty, field("qty"));
  const side = oneOf(position.side, ["long", "short"] as const, field("side"));
  if ((compareDecimal(qty, "0") < 0) !== (side === "short")) {
    throw new BrokerDataError(`${field("qty")} ${qty} disagrees with its side ${side}`);
  }
  return {
    symbol,
    assetId: required(position.assetId, field("asset_id")),
    side,
    qty: absDecimal(qty),
    qtyAvailable: position.qtyAvailable === undefined ? null : absDecimal(decimal(position.qtyAvailable, field("qty_available"))),
    avgEntryPrice: decimal(position.avgEntryPrice, field("avg_entry_price")),
    costBasis: decimal(position.costBasis, field("cost_basis")),
    marketValue: decimal(position.marketValue, field("market_value")),
    currentPrice: decimal(position.currentPrice, field("current_price")),
    lastdayPrice: decimal(position.lastdayPrice, field("lastday_price")),
    changeToday: decimal(position.changeToday, field("change_today")),
    unrealizedPl: decimal(position.unrealizedPl, field("unrealized_pl")),
    unrealizedPlpc: decimal(position.unrealizedPlpc, field("unrealized_plpc")),
    unrealizedIntradayPl: decimal(position.unrealizedIntradayPl, field("unrealized_intraday_pl")),
  };
}

/** A FILL activity. Alpaca reports an opening short sale as side "sell_short": a sell. */
export function mapFill(activity: trading.TradingActivities): BrokerFill {
  const id = required(activity.id, "fill id");
  const field = (name: string) => `fill ${id} ${name}`;
  const side = oneOf(activity.side, ["buy", "sell", "sell_short"] as const, field("side"));
  return {
    id,
    orderId: required(activity.orderId, field("order_id")),
    symbol: required(activity.symbol, field("symbol")),
    side: side === "sell_short" ? "sell" : side,
    qty: decimal(activity.qty, field("qty")),
    price: decimal(activity.price, field("price")),
    transactionTime: requiredIsoTime(activity.transactionTime, field("transaction_time")),
    cumQty: decimal(activity.cumQty, field("cum_qty")),
    leavesQty: decimal(activity.leavesQty, field("leaves_qty")),
  };
}

export function mapBar(bar: marketData.StockBar): Bar {
  return {
    timestamp: requiredIsoTime(bar.t, "bar t"),
    open: bar.o,
    high: bar.h,
    low: bar.l,
    close: bar.c,
    volume: bar.v,
    vwap: bar.vw,
    tradeCount: bar.n,
  };
}

export function mapTrade(trade: marketData.StockTrade): Trade {
  return { timestamp: requiredIsoTime(trade.t, "trade t"), price: trade.p, size: trade.s };
}

export function mapQuote(quote: marketData.StockQuote): Quote {
  return {
    timestamp: requiredIsoTime(quote.t, "quote t"),
    bidPrice: quote.bp,
    bidSize: quote.bs,
    askPrice: quote.ap,
    askSize: quote.as,
  };
}

export function mapSnapshot(symbol: string, snapshot: marketData.StockSnapshot): Snapshot {
  return {
    symbol,
    latestTrade: snapshot.latestTrade ? mapTrade(snapshot.latestTrade) : null,
    latestQuote: snapshot.latestQuote ? mapQuote(snapshot.latestQuote) : null,
    minuteBar: snapshot.minuteBar ? mapBar(snapshot.minuteBar) : null,
    dailyBar: snapshot.dailyBar ? mapBar(snapshot.dailyBar) : null,
    prevDailyBar: snapshot.prevDailyBar ? mapBar(snapshot.prevDailyBar) : null,
  };
}

export function mapMostActive(item: marketData.MostActive): MostActive {
  return { symbol: item.symbol, volume: item.volume, tradeCount: item.tradeCount };
}

export function mapMover(item: marketData.Mover): Mover {
  return { symbol: item.symbol, price: item.price, change: item.change, percentChange: item.percentChange };
}

export function mapNews(article: marketData.News): NewsArticle {
  const field = (name: string) => `news ${article.id} ${name}`;
  return {
    id: required(article.id, "news id"),
    headline: article.headline ?? "",
    summary: article.summary ?? "",
    content: article.content ?? "",
    author: article.author ?? "",
    source: article.source ?? "",
    url: article.url ?? null,
    symbols: article.symbols ?? [],
    createdAt: requiredIsoTime(article.createdAt, field("created_at")),
    updatedAt: requiredIsoTime(article.updatedAt, field("updated_at")),
  };
}

export function mapTradeUpdate(update: streaming.TradeUpdate): TradeUpdate {
  const order = mapOrder(update.order);
  const field = (name: string) => `trade update for order ${order.id} ${name}`;
  return {
    event: oneOf(update.event, TRADE_UPDATE_EVENTS, field("event")),
    order,
    price: optionalDecimal(update.price, field("price")),
    qty: optionalDecimal(update.qty, field("qty")),
    positionQty: optionalDecimal(update.positionQty, field("position_qty")),
    timestamp: isoTime(update.timestamp, field("timestamp")) ?? required(order.updatedAt, field("timestamp")),
    executionId: update.executionId ?? null,
  };
}

/** Our optional time as the SDK's query parameter. */
export function optionalDate(time: IsoTime | undefined): Date | undefined {
  return time === undefined ? undefined : new Date(time);
}

export function toPostOrderRequest(request: OrderRequest): trading.PostOrderRequest {
  return {
    symbol: request.symbol,
    qty: request.qty,
    side: request.side,
    type: request.type,
    timeInForce: request.timeInForce,
    orderClass: request.orderClass,
    limitPrice: request.limitPrice,
    stopPrice: request.stopPrice,
    takeProfit: request.takeProfit && { limitPrice: request.takeProfit.limitPrice },
    stopLoss: request.stopLoss && { stopPrice: request.stopLoss.stopPrice, limitPrice: request.stopLoss.limitPrice },
    clientOrderId: request.clientOrderId,
    extendedHours: request.extendedHours,
  };
}

export function toPatchOrderRequest(changes: ReplaceOrderRequest): trading.PatchOrderRequest {
  return {
    clientOrderId: changes.clientOrderId,
    qty: changes.qty,
    limitPrice: changes.limitPrice,
    stopPrice: changes.stopPrice,
    timeInForce: changes.timeInForce,
  };
}
