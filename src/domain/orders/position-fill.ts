/**
 * A position as the sum of its fills: entry fills (qty, value) and exit fills (qty, value).
 * Every figure is derived from those exact sums, never carried forward from a rounded one, so a
 * position closed in any number of partial fills realizes exactly Σ exit value − Σ entry value:
 * what the broker's cash moved by. Averages are for display (4 dp) and never feed the maths.
 * A fill that would take a position through zero is refused: Catalyst never reverses in one order,
 * so such a fill means the books are wrong.
 */
import { addDecimal, compareDecimal, divideDecimal, multiplyDecimal, roundDecimal, subtractDecimal, type Decimal } from "../money.ts";
import type { OrderSide, PositionSide } from "../order-side.ts";

export interface PositionFills {
  side: PositionSide;
  entryQty: Decimal;
  /** Σ qty × price over the entry fills, exact. */
  entryValue: Decimal;
  exitQty: Decimal;
  exitValue: Decimal;
}

export interface FillFact {
  side: OrderSide;
  qty: Decimal;
  price: Decimal;
}

export interface PositionFigures {
  qty: Decimal;
  avgEntryPrice: Decimal;
  avgExitPrice: Decimal | null;
  /** Cumulative realized P&L in cents, from the exact sums (not a sum of rounded per-fill figures). */
  realizedPnl: Decimal;
  closed: boolean;
}

const PRICE_DIGITS = 4;
/** Digits kept for the cost of a partial exit; the last exit takes the exact remainder. */
const COST_DIGITS = 8;

export function openingSide(side: OrderSide): PositionSide {
  return side === "buy" ? "long" : "short";
}

/** The fills of a position that has none yet. */
export function noFills(side: PositionSide): PositionFills {
  return { side, entryQty: "0", entryValue: "0", exitQty: "0", exitValue: "0" };
}

/** Adds one fill: the position's own side adds to the entry, the other side exits. */
export function withFill(fills: PositionFills, fill: FillFact): PositionFills {
  if (compareDecimal(fill.qty, "0") <= 0) throw new RangeError(`a fill's qty must be > 0 (got ${fill.qty})`);
  const value = multiplyDecimal(fill.qty, fill.price);
  if (openingSide(fill.side) === fills.side) {
    return { ...fills, entryQty: addDecimal(fills.entryQty, fill.qty), entryValue: addDecimal(fills.entryValue, value) };
  }
  const exitQty = addDecimal(fills.exitQty, fill.qty);
  if (compareDecimal(exitQty, fills.entryQty) > 0) {
    const open = subtractDecimal(fills.entryQty, fills.exitQty);
    throw new RangeError(`a ${fill.side} fill of ${fill.qty} exceeds the ${fills.side} position of ${open}: it would reverse it`);
  }
  return { ...fills, exitQty, exitValue: addDecimal(fills.exitValue, value) };
}

export function positionFigures(fills: PositionFills): PositionFigures {
  if (compareDecimal(fills.entryQty, "0") <= 0) throw new RangeError("a position needs at least one entry fill");
  const qty = subtractDecimal(fills.entryQty, fills.exitQty);
  const closed = compareDecimal(qty, "0") === 0;
  const hasExits = compareDecimal(fills.exitQty, "0") > 0;
  // Average-cost basis of the shares exited so far; all of it once the position is flat.
  const exitedCost = closed
    ? fills.entryValue
    : hasExits
      ? divideDecimal(multiplyDecimal(fills.entryValue, fills.exitQty), fills.entryQty, COST_DIGITS, "half_up")
      : "0";
  const gain = fills.side === "long" ? subtractDecimal(fills.exitValue, exitedCost) : subtractDecimal(exitedCost, fills.exitValue);
  return {
    qty,
    avgEntryPrice: divideDecimal(fills.entryValue, fills.entryQty, PRICE_DIGITS, "half_up"),
    avgExitPrice: hasExits ? divideDecimal(fills.exitValue, fills.exitQty, PRICE_DIGITS, "half_up") : null,
    realizedPnl: roundDecimal(gain, 2),
    closed,
  };
}
