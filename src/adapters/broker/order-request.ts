/**
 * Checks an order request before it is sent, so a malformed order never reaches the broker
 * (and is never half-placed). Returns the first problem, naming the field, or null.
 */
import { compareDecimal, isDecimal, isOnTick } from "../../domain/money.ts";
import type { OrderRequest, ReplaceOrderRequest } from "./broker.ts";

const WHOLE_SHARES = /^[1-9]\d*$/;
/** Alpaca's limit on client_order_id. */
const MAX_CLIENT_ORDER_ID = 128;

export function isWholeShares(qty: string): boolean {
  return WHOLE_SHARES.test(qty);
}

function clientOrderIdProblem(clientOrderId: string): string | null {
  return clientOrderId && clientOrderId.length <= MAX_CLIENT_ORDER_ID
    ? null
    : `clientOrderId is required, at most ${MAX_CLIENT_ORDER_ID} characters`;
}

function priceProblem(field: string, price: string | undefined): string | null {
  if (price === undefined) return null;
  if (!isDecimal(price) || compareDecimal(price, "0") <= 0) return `${field} must be a positive decimal string (got "${price}")`;
  if (!isOnTick(price)) return `${field} ${price} is not on the tick grid (cents at ≥ $1, 4 decimals below)`;
  return null;
}

function legsProblem(request: OrderRequest): string | null {
  const { orderClass, takeProfit, stopLoss } = request;
  if (orderClass === "simple") {
    return takeProfit || stopLoss ? "a simple order takes no takeProfit or stopLoss (use orderClass bracket, oco or oto)" : null;
  }
  if (orderClass === "oto") {
    return Boolean(takeProfit) === Boolean(stopLoss) ? "an oto order needs exactly one of takeProfit and stopLoss" : null;
  }
  if (!takeProfit || !stopLoss) return `a ${orderClass} order needs both takeProfit and stopLoss`;
  // The target must lie on the profitable side of the stop, or the bracket is inverted.
  const targetAboveStop = compareDecimal(takeProfit.limitPrice, stopLoss.stopPrice) > 0;
  const exitsBySelling = orderClass === "bracket" ? request.side === "buy" : request.side === "sell";
  if (targetAboveStop !== exitsBySelling) {
    const { side } = request;
    return `takeProfit.limitPrice ${takeProfit.limitPrice} is on the wrong side of stopLoss.stopPrice ${stopLoss.stopPrice} for a ${side} ${orderClass}`;
  }
  return null;
}

export function orderRequestProblem(request: OrderRequest): string | null {
  if (!request.symbol) return "symbol is required";
  const idProblem = clientOrderIdProblem(request.clientOrderId);
  if (idProblem) return idProblem;
  if (!isWholeShares(request.qty)) return `qty must be a whole number of shares > 0 (got "${request.qty}")`;
  const needsLimit = request.type === "limit" || request.type === "stop_limit";
  const needsStop = request.type === "stop" || request.type === "stop_limit";
  if (needsLimit !== (request.limitPrice !== undefined)) {
    return needsLimit ? `limitPrice is required for a ${request.type} order` : `a ${request.type} order takes no limitPrice`;
  }
  if (needsStop !== (request.stopPrice !== undefined)) {
    return needsStop ? `stopPrice is required for a ${request.type} order` : `a ${request.type} order takes no stopPrice`;
  }
  if (request.orderClass !== "simple" && request.timeInForce !== "day" && request.timeInForce !== "gtc") {
    return `timeInForce of a ${request.orderClass} order must be day or gtc`;
  }
  if (request.extendedHours && (request.type !== "limit" || request.timeInForce !== "day")) {
    return "extendedHours needs a limit order with timeInForce day";
  }
  return (
    priceProblem("limitPrice", request.limitPrice) ??
    priceProblem("stopPrice", request.stopPrice) ??
    priceProblem("takeProfit.limitPrice", request.takeProfit?.limitPrice) ??
    priceProblem("stopLoss.stopPrice", request.stopLoss?.stopPrice) ??
    priceProblem("stopLoss.limitPrice", request.stopLoss?.limitPrice) ??
    legsProblem(request)
  );
}

export function replaceRequestProblem(changes: ReplaceOrderRequest): string | null {
  const idProblem = clientOrderIdProblem(changes.clientOrderId);
  if (idProblem) return idProblem;
  if (changes.qty !== undefined && !isWholeShares(changes.qty)) return `qty must be a whole number of shares > 0 (got "${changes.qty}")`;
  return priceProblem("limitPrice", changes.limitPrice) ?? priceProblem("stopPrice", changes.stopPrice);
}
