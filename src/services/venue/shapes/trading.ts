/** The exchange's records in Alpaca's trading-API JSON (test/fixtures/alpaca/trading-openapi.yaml). */
import { formatEt, type TradingSession } from "../../../domain/exchange-calendar.ts";
import type { AccountState } from "../exchange/exchange.ts";
import { formatMoney, formatPrice } from "../exchange/ticks.ts";
import type { TradeEvent, VenueFill, VenueOrder, VenuePosition } from "../exchange/types.ts";

export const ACCOUNT_ID = "5c7f0b4e-1b7a-4a51-9d4e-0c1a7e5e0001";
const ACCOUNT_NUMBER = "SIM000001";
const ACCOUNT_CREATED_AT = "2024-01-02T14:30:00.000Z";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface AssetFacts {
  id: string;
  symbol: string;
  name: string;
  exchange: string;
  tradable: boolean;
  marginable: boolean;
  shortable: boolean;
  easyToBorrow: boolean;
  fractionable: boolean;
  active: boolean;
}

export function assetJson(asset: AssetFacts) {
  return {
    id: asset.id,
    class: "us_equity",
    exchange: asset.exchange,
    symbol: asset.symbol,
    name: asset.name,
    status: asset.active ? "active" : "inactive",
    tradable: asset.tradable,
    marginable: asset.marginable,
    shortable: asset.shortable,
    easy_to_borrow: asset.easyToBorrow,
    fractionable: asset.fractionable,
  };
}

export interface OrderJson {
  [field: string]: unknown;
  legs: OrderJson[] | null;
}

/** One order; `legs` filled in when the caller asked for nested orders (Alpaca: null otherwise). */
export function orderJson(order: VenueOrder, legs: VenueOrder[] | null): OrderJson {
  return {
    id: order.id,
    client_order_id: order.clientOrderId,
    created_at: iso(order.createdAt),
    updated_at: iso(order.updatedAt),
    submitted_at: iso(order.submittedAt),
    filled_at: iso(order.filledAt),
    expired_at: iso(order.expiredAt),
    canceled_at: iso(order.canceledAt),
    failed_at: iso(order.failedAt),
    replaced_at: iso(order.replacedAt),
    replaced_by: order.replacedBy,
    replaces: order.replaces,
    asset_id: order.assetId,
    symbol: order.symbol,
    asset_class: "us_equity",
    notional: null,
    qty: String(order.qty),
    filled_qty: String(order.filledQty),
    filled_avg_price: order.filledQty > 0 ? formatMoney(Math.round(order.filledNotional / order.filledQty)) : null,
    order_class: order.orderClass,
    order_type: order.type,
    type: order.type,
    side: order.side,
    time_in_force: order.timeInForce,
    limit_price: order.limitPrice === null ? null : formatPrice(order.limitPrice),
    stop_price: order.stopPrice === null ? null : formatPrice(order.stopPrice),
    status: order.status,
    extended_hours: order.extendedHours,
    legs: legs && legs.length > 0 ? legs.map((leg) => orderJson(leg, null)) : null,
  };
}

export function positionJson(position: VenuePosition, exchange: string, currentPrice: number, lastdayPrice: number, availableQty: number) {
  const qty = position.qty;
  const marketValue = qty * currentPrice;
  const unrealized = marketValue - position.costBasis;
  const intraday = qty * (currentPrice - lastdayPrice);
  const lastdayValue = qty * lastdayPrice;
  const ratio = (part: number, whole: number) => (whole === 0 ? "0" : String(Number((part / Math.abs(whole)).toFixed(6))));
  return {
    asset_id: position.assetId,
    symbol: position.symbol,
    exchange,
    asset_class: "us_equity",
    asset_marginable: true,
    avg_entry_price: formatMoney(Math.round(position.costBasis / qty)),
    qty: String(qty),
    qty_available: String(availableQty),
    side: qty > 0 ? "long" : "short",
    market_value: formatMoney(marketValue),
    cost_basis: formatMoney(Math.round(position.costBasis)),
    unrealized_pl: formatMoney(Math.round(unrealized)),
    unrealized_plpc: ratio(unrealized, position.costBasis),
    unrealized_intraday_pl: formatMoney(intraday),
    unrealized_intraday_plpc: ratio(intraday, lastdayValue),
    current_price: formatPrice(currentPrice),
    lastday_price: formatPrice(lastdayPrice),
    change_today: lastdayPrice === 0 ? "0" : String(Number(((currentPrice - lastdayPrice) / lastdayPrice).toFixed(6))),
  };
}

export function accountJson(account: AccountState, daytradeCount: number) {
  const money = formatMoney;
  return {
    id: ACCOUNT_ID,
    account_number: ACCOUNT_NUMBER,
    status: "ACTIVE",
    currency: "USD",
    cash: money(account.cash),
    portfolio_value: money(account.equity),
    equity: money(account.equity),
    last_equity: money(account.lastEquity),
    long_market_value: money(account.longMarketValue),
    short_market_value: money(account.shortMarketValue),
    multiplier: String(account.multiplier),
    buying_power: money(account.buyingPower),
    daytrading_buying_power: money(account.multiplier === 4 ? account.buyingPower : 0),
    regt_buying_power: money(Math.max(0, Math.min(account.buyingPower, 2 * account.equity))),
    initial_margin: money(Math.round((account.longMarketValue - account.shortMarketValue) / 2)),
    maintenance_margin: money(Math.round((account.longMarketValue - account.shortMarketValue) / 4)),
    last_maintenance_margin: "0",
    sma: "0",
    daytrade_count: daytradeCount,
    pattern_day_trader: false,
    trade_suspended_by_user: false,
    trading_blocked: false,
    transfers_blocked: false,
    account_blocked: false,
    shorting_enabled: true,
    created_at: ACCOUNT_CREATED_AT,
  };
}

export function clockJson(now: number, isOpen: boolean, nextOpen: number, nextClose: number) {
  return { timestamp: formatEt(now), is_open: isOpen, next_open: formatEt(nextOpen), next_close: formatEt(nextClose) };
}

/** "HH:MM" of an instant in New York. */
const hhmm = (at: number) => formatEt(at).slice(11, 16);

export function calendarJson(session: TradingSession) {
  return {
    date: session.date,
    open: hhmm(session.open),
    close: hhmm(session.close),
    session_open: hhmm(session.preOpen).replace(":", ""),
    session_close: hhmm(session.postClose).replace(":", ""),
  };
}

/** Alpaca's activity id: the execution time to the millisecond, then a unique suffix. */
export function activityId(fill: VenueFill): string {
  const stamp = new Date(fill.at).toISOString().replace(/[-:TZ.]/g, "");
  return `${stamp}::${fill.id}`;
}

export function fillActivityJson(fill: VenueFill, orderStatus: string) {
  return {
    id: activityId(fill),
    activity_type: "FILL",
    transaction_time: new Date(fill.at).toISOString(),
    type: fill.final ? "fill" : "partial_fill",
    price: formatPrice(fill.price),
    qty: String(fill.qty),
    side: fill.side,
    symbol: fill.symbol,
    leaves_qty: String(fill.leavesQty),
    order_id: fill.orderId,
    cum_qty: String(fill.cumQty),
    order_status: orderStatus,
  };
}

export function tradeUpdateJson(event: TradeEvent, legs: VenueOrder[] | null) {
  const data: Record<string, unknown> = { event: event.event, timestamp: new Date(event.at).toISOString(), order: orderJson(event.order, legs) };
  if (event.fill) {
    data.execution_id = event.fill.id;
    data.price = formatPrice(event.fill.price);
    data.qty = String(event.fill.qty);
    data.position_qty = String(event.positionQty ?? 0);
  }
  return { stream: "trade_updates", data };
}
