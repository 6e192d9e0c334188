/**
 * The stop placed again on a position that lost its bracket's stop (an exit refused, or shares left
 * at the close). Its planned stop when that is still on the safe side of the market; otherwise a
 * stop just beyond the last price, so the order is accepted and triggers only on a further move.
 */
import { compareDecimal, divideDecimal, multiplyDecimal, roundToTick, type Decimal } from "../money.ts";
import type { PositionSide } from "../order-side.ts";

/** How far beyond the last price a fallback stop sits: 1 %. */
const FALLBACK_DISTANCE_BP = 100n;

export function protectiveStopPrice(side: PositionSide, plannedStop: Decimal | null, lastPrice: Decimal | null, avgEntryPrice: Decimal): Decimal {
  const reference = lastPrice ?? avgEntryPrice;
  if (plannedStop !== null) {
    const safe = side === "long" ? compareDecimal(plannedStop, reference) < 0 : compareDecimal(plannedStop, reference) > 0;
    if (safe) return roundToTick(plannedStop, side === "long" ? "buy" : "sell");
  }
  const factor = side === "long" ? String(10_000n - FALLBACK_DISTANCE_BP) : String(10_000n + FALLBACK_DISTANCE_BP);
  const price = divideDecimal(multiplyDecimal(reference, factor), "10000", 6, "half_up");
  // A long's stop rounds down (further away), a short's up.
  return roundToTick(price, side === "long" ? "buy" : "sell");
}
