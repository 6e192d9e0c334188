/** Alpaca's order-entry rules, as pure checks that throw the rejection Alpaca would answer with. */
import { formatMoney, formatPrice, isOnTick, tickSize } from "./ticks.ts";
import { forbidden, invalid, type OrderSubmission } from "./types.ts";

export const MAX_CLIENT_ORDER_ID_LENGTH = 128;

function checkPrice(name: string, ticks: number | null): void {
  if (ticks === null) return;
  if (ticks <= 0) throw invalid(`${name} must be > 0`);
  if (!isOnTick(ticks)) {
    throw invalid(`invalid ${name} ${ticks / 10_000}. sub-penny increment does not fulfill minimum pricing criteria`);
  }
}

/** Shape rules that need no market state: types, prices, classes, time in force. */
export function checkOrderShape(order: OrderSubmission): void {
  if (!Number.isInteger(order.qty)) throw invalid("qty must be a whole number of shares: the simulated venue does not trade fractions");
  if (order.qty <= 0) throw invalid("qty must be > 0");
  if (order.clientOrderId !== null && order.clientOrderId.length > MAX_CLIENT_ORDER_ID_LENGTH) {
    throw invalid(`client_order_id must be at most ${MAX_CLIENT_ORDER_ID_LENGTH} characters`);
  }
  const needsLimit = order.type === "limit" || order.type === "stop_limit";
  const needsStop = order.type === "stop" || order.type === "stop_limit";
  if (needsLimit && order.limitPrice === null) throw invalid(`limit_price is required for ${order.type} orders`);
  if (!needsLimit && order.limitPrice !== null) throw invalid(`limit_price must not be set for ${order.type} orders`);
  if (needsStop && order.stopPrice === null) throw invalid(`stop_price is required for ${order.type} orders`);
  if (!needsStop && order.stopPrice !== null) throw invalid(`stop_price must not be set for ${order.type} orders`);
  checkPrice("limit_price", order.limitPrice);
  checkPrice("stop_price", order.stopPrice);
  checkPrice("take_profit.limit_price", order.takeProfit?.limitPrice ?? null);
  checkPrice("stop_loss.stop_price", order.stopLoss?.stopPrice ?? null);
  checkPrice("stop_loss.limit_price", order.stopLoss?.limitPrice ?? null);
  if (order.extendedHours && (order.type !== "limit" || order.timeInForce !== "day")) {
    throw invalid("extended hours order must be DAY limit orders");
  }
  switch (order.orderClass) {
    case "simple":
      if (order.takeProfit || order.stopLoss) throw invalid("take_profit and stop_loss need order_class bracket, oco or oto");
      return;
    case "bracket":
      if (!order.takeProfit || !order.stopLoss) throw invalid("bracket orders need both take_profit and stop_loss");
      if (order.type !== "market" && order.type !== "limit") throw invalid("bracket entry must be a market or limit order");
      if (order.timeInForce !== "day" && order.timeInForce !== "gtc") throw invalid("bracket orders must be DAY or GTC");
      return;
    case "oto":
      if (Boolean(order.takeProfit) === Boolean(order.stopLoss)) throw invalid("oto orders need exactly one of take_profit or stop_loss");
      if (order.timeInForce !== "day" && order.timeInForce !== "gtc") throw invalid("oto orders must be DAY or GTC");
      return;
    case "oco":
      if (!order.takeProfit || !order.stopLoss) throw invalid("oco orders need both take_profit and stop_loss");
      if (order.type !== "limit") throw invalid("oco orders must be of type limit");
      if (order.timeInForce !== "day" && order.timeInForce !== "gtc") throw invalid("oco orders must be DAY or GTC");
      return;
  }
}

/** Exit legs must sit on the right side of the entry's base price (its limit, or the current price). */
export function checkExitPrices(order: OrderSubmission, basePrice: number): void {
  // The exits of a buy entry are sells above (take profit) and below (stop) the base, and the reverse for a short.
  const exitsAbove = order.orderClass === "oco" ? order.side === "sell" : order.side === "buy";
  const minGap = tickSize(basePrice);
  const tp = order.takeProfit?.limitPrice;
  const sl = order.stopLoss?.stopPrice;
  if (exitsAbove) {
    if (tp !== undefined && tp < basePrice + minGap) throw invalid(`take_profit.limit_price must be >= base_price + ${formatMoney(minGap)} (base_price ${formatPrice(basePrice)})`);
    if (sl !== undefined && sl > basePrice - minGap) throw invalid(`stop_loss.stop_price must be <= base_price - ${formatMoney(minGap)} (base_price ${formatPrice(basePrice)})`);
  } else {
    if (tp !== undefined && tp > basePrice - minGap) throw invalid(`take_profit.limit_price must be <= base_price - ${formatMoney(minGap)} (base_price ${formatPrice(basePrice)})`);
    if (sl !== undefined && sl < basePrice + minGap) throw invalid(`stop_loss.stop_price must be >= base_price + ${formatMoney(minGap)} (base_price ${formatPrice(basePrice)})`);
  }
}

/** Whether an order on `side` shrinks a position of `positionQty` (signed) rather than opening or adding. */
export function reducesPosition(side: "buy" | "sell", positionQty: number): boolean {
  return (side === "sell" && positionQty > 0) || (side === "buy" && positionQty < 0);
}

/**
 * Quantity rules: an order that reduces a position may use only the shares not already held for
 * other open orders; one that would cross through zero is refused (Alpaca does not flip in one order);
 * opening a short needs a shortable, easy-to-borrow asset.
 */
export function checkQuantityAvailable(
  side: "buy" | "sell",
  qty: number,
  positionQty: number,
  reservedQty: number,
  asset: { symbol: string; shortable: boolean; easyToBorrow: boolean },
): void {
  if (reducesPosition(side, positionQty)) {
    const available = Math.abs(positionQty) - reservedQty;
    if (qty > available) throw forbidden(`insufficient qty available for order (requested: ${qty}, available: ${Math.max(0, available)})`);
    return;
  }
  if (side === "sell" && !(asset.shortable && asset.easyToBorrow)) throw forbidden(`asset "${asset.symbol}" cannot be sold short`);
}
