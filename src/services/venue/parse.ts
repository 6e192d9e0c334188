/** Request fields → typed values, refusing what Alpaca would refuse with a 422 that names the field. */
import { toTicks } from "./exchange/ticks.ts";
import { invalid, type OrderChanges, type OrderClass, type OrderSubmission, type OrderType, type Side, type TimeInForce } from "./exchange/types.ts";

type Fields = Record<string, unknown>;

export function jsonObject(body: unknown): Fields {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("request body must be a JSON object");
  return body as Fields;
}

function oneOf<T extends string>(fields: Fields, name: string, allowed: readonly T[], fallback?: T): T {
  const value = fields[name];
  if (value === undefined || value === null || value === "") {
    if (fallback !== undefined) return fallback;
    throw invalid(`${name} is required`);
  }
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`invalid ${name} ${JSON.stringify(value)}: must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/** A decimal given as a JSON number or string ("10", 10.5). */
function decimal(fields: Fields, name: string): number | null {
  const value = fields[name];
  if (value === undefined || value === null || value === "") return null;
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^-?\d+(\.\d+)?$/.test(text.trim())) throw invalid(`invalid ${name} ${JSON.stringify(value)}: must be a decimal number`);
  return Number(text);
}

function priceTicks(fields: Fields, name: string): number | null {
  const value = decimal(fields, name);
  return value === null ? null : toTicks(value);
}

function nested(fields: Fields, name: string): Fields | null {
  const value = fields[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw invalid(`${name} must be an object`);
  return value as Fields;
}

function optionalString(fields: Fields, name: string): string | null {
  const value = fields[name];
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") throw invalid(`${name} must be a string`);
  return value;
}

const SIDES = ["buy", "sell"] as const;
const TYPES = ["market", "limit", "stop", "stop_limit"] as const;
const TIFS = ["day", "gtc", "ioc", "fok"] as const;
const CLASSES = ["simple", "bracket", "oco", "oto"] as const;

/** POST /v2/orders body. Trailing stops, notional and opg/cls are refused by name rather than ignored. */
export function parseOrderSubmission(body: unknown): OrderSubmission {
  const fields = jsonObject(body);
  const symbol = optionalString(fields, "symbol");
  if (!symbol) throw invalid("symbol is required");
  if (fields.notional !== undefined && fields.notional !== null) throw invalid("notional orders are not supported by the simulated venue; send qty");
  const qty = decimal(fields, "qty");
  if (qty === null) throw invalid("qty is required");
  if (fields.type === "trailing_stop") throw invalid("trailing_stop orders are not supported by the simulated venue");
  if (fields.time_in_force === "opg" || fields.time_in_force === "cls") throw invalid(`time_in_force ${fields.time_in_force} is not supported by the simulated venue`);
  const takeProfit = nested(fields, "take_profit");
  const stopLoss = nested(fields, "stop_loss");
  const takeProfitPrice = takeProfit ? priceTicks(takeProfit, "limit_price") : null;
  const stopLossPrice = stopLoss ? priceTicks(stopLoss, "stop_price") : null;
  if (takeProfit && takeProfitPrice === null) throw invalid("take_profit.limit_price is required");
  if (stopLoss && stopLossPrice === null) throw invalid("stop_loss.stop_price is required");
  const extended = fields.extended_hours;
  if (extended !== undefined && extended !== null && typeof extended !== "boolean") throw invalid("extended_hours must be true or false");
  return {
    symbol: symbol.toUpperCase(),
    qty,
    side: oneOf<Side>(fields, "side", SIDES),
    type: oneOf<OrderType>(fields, "type", TYPES),
    timeInForce: oneOf<TimeInForce>(fields, "time_in_force", TIFS),
    orderClass: oneOf<OrderClass>(fields, "order_class", CLASSES, "simple"),
    limitPrice: priceTicks(fields, "limit_price"),
    stopPrice: priceTicks(fields, "stop_price"),
    extendedHours: extended === true,
    clientOrderId: optionalString(fields, "client_order_id"),
    takeProfit: takeProfitPrice === null ? null : { limitPrice: takeProfitPrice },
    stopLoss: stopLossPrice === null ? null : { stopPrice: stopLossPrice, limitPrice: priceTicks(stopLoss!, "limit_price") },
  };
}

/** PATCH /v2/orders/{id} body. */
export function parseOrderChanges(body: unknown): OrderChanges {
  const fields = jsonObject(body);
  const changes: OrderChanges = {};
  const qty = decimal(fields, "qty");
  if (qty !== null) changes.qty = qty;
  const limit = priceTicks(fields, "limit_price");
  if (limit !== null) changes.limitPrice = limit;
  const stop = priceTicks(fields, "stop_price");
  if (stop !== null) changes.stopPrice = stop;
  if (fields.time_in_force !== undefined) changes.timeInForce = oneOf<TimeInForce>(fields, "time_in_force", TIFS);
  const clientOrderId = optionalString(fields, "client_order_id");
  if (clientOrderId !== null) changes.clientOrderId = clientOrderId;
  if (Object.keys(changes).length === 0) throw invalid("nothing to replace: send qty, limit_price, stop_price, time_in_force or client_order_id");
  return changes;
}

/** An RFC 3339 timestamp or a YYYY-MM-DD date in a query string → epoch ms. */
export function instant(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw invalid(`invalid ${name} ${JSON.stringify(value)}: must be RFC 3339 or YYYY-MM-DD`);
  return ms;
}

export function integerParam(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`invalid ${name} ${JSON.stringify(value)}: must be an integer from ${min} to ${max}`);
  return n;
}

export function symbolList(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
}

export function queryChoice<T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === "") return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw invalid(`invalid ${name} ${JSON.stringify(value)}: must be one of ${allowed.join(", ")}`);
  return value as T;
}
