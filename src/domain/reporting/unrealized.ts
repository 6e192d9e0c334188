/** Mark-to-market P&L of an open position: (mark − entry) × qty, negated for a short; 0 with no mark. */
import type { Decimal } from "../money.ts";
import { multiplyDecimal, roundDecimal, subtractDecimal } from "../money.ts";
import type { PositionSide } from "../order-side.ts";

export interface MarkedPosition {
  side: PositionSide;
  qty: Decimal;
  avgEntryPrice: Decimal;
  lastPrice: Decimal | null;
}

export function unrealizedPnl({ side, qty, avgEntryPrice, lastPrice }: MarkedPosition): Decimal {
  if (lastPrice === null) return "0.00";
  const move = side === "long" ? subtractDecimal(lastPrice, avgEntryPrice) : subtractDecimal(avgEntryPrice, lastPrice);
  return roundDecimal(multiplyDecimal(move, qty), 2);
}
