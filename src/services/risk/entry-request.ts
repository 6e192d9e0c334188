/** An entry intent from the wire → the risk domain's EntryRequest: prices exact and on the tick grid. */
import type { EntryIntent } from "../../contracts/risk.ts";
import type { PriceInput } from "../../contracts/common.ts";
import { isDecimal, roundToTick, type Decimal, type TickRounding } from "../../domain/money.ts";
import type { EntryRequest } from "../../domain/risk/types.ts";
import { ApiError } from "../../runtime/errors.ts";

/**
 * A JSON number is read as written (12.34 → "12.34"), never through float arithmetic; the tick
 * rounding favours us (a buy limit rounds down, a sell limit up).
 */
export function priceFrom(input: PriceInput, field: string, rounding?: TickRounding): Decimal {
  const text = typeof input === "number" ? String(input) : input;
  if (!isDecimal(text)) throw new ApiError(422, "validation_failed", `${field} must be a plain decimal price like 12.34 (got ${text})`, field);
  try {
    return roundToTick(text, rounding);
  } catch {
    throw new ApiError(422, "validation_failed", `${field} must be a price above zero (got ${text})`, field);
  }
}

export function entryRequestFrom(intent: EntryIntent, sizeMultiplier: Decimal): EntryRequest {
  const buying = intent.side === "long";
  if (intent.type === "limit" && intent.limitPrice === undefined) {
    throw new ApiError(422, "validation_failed", "limitPrice is required for a limit entry (or use type market)", "limitPrice");
  }
  if (intent.type === "market" && intent.limitPrice !== undefined) {
    throw new ApiError(422, "validation_failed", "a market entry takes no limitPrice (use type limit to set one)", "limitPrice");
  }
  return {
    symbol: intent.symbol.toUpperCase(),
    direction: intent.side,
    orderType: intent.type,
    limitPrice: intent.limitPrice === undefined ? null : priceFrom(intent.limitPrice, "limitPrice", buying ? "buy" : "sell"),
    stopLoss: priceFrom(intent.stopLoss, "stopLoss"),
    takeProfit: priceFrom(intent.takeProfit, "takeProfit"),
    qty: intent.qty ?? null,
    sizeMultiplier,
  };
}
