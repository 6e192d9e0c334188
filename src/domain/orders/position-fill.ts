/**
 * What one fill does to a position: opens it, adds to it, or reduces it and realizes P&L.
 * Pure and exact (decimal strings). A fill that would flip a position through zero is refused:
 * Catalyst never reverses in one order, so such a fill means the books are wrong.
 */
import { addDecimal, compareDecimal, divideDecimal, multiplyDecimal, roundDecimal, subtractDecimal, type Decimal } from "../money.ts";
import type { OrderSide, PositionSide } from "../order-side.ts";

export interface PositionBook {
  side: PositionSide;
  qty: Decimal;
  avgEntryPrice: Decimal;
  /** Shares exited so far and their average price (null before the first exit). */
  exitedQty: Decimal;
  avgExitPrice: Decimal | null;
  realizedPnl: Decimal;
}

export interface FillFact {
  side: OrderSide;
  qty: Decimal;
  price: Decimal;
}

export interface FillEffect {
  book: PositionBook;
  /** P&L this fill realized (cents). */
  realized: Decimal;
  closed: boolean;
}

const PRICE_DIGITS = 4;

function weightedAverage(qtyA: Decimal, priceA: Decimal, qtyB: Decimal, priceB: Decimal): Decimal {
  const total = addDecimal(qtyA, qtyB);
  const value = addDecimal(multiplyDecimal(qtyA, priceA), multiplyDecimal(qtyB, priceB));
  return divideDecimal(value, total, PRICE_DIGITS, "half_up");
}

export function openingSide(side: OrderSide): PositionSide {
  return side === "buy" ? "long" : "short";
}

/** An entry fill with no position yet opens one. */
export function openPosition(fill: FillFact): PositionBook {
  return { side: openingSide(fill.side), qty: fill.qty, avgEntryPrice: fill.price, exitedQty: "0", avgExitPrice: null, realizedPnl: "0" };
}

export function applyFill(book: PositionBook, fill: FillFact): FillEffect {
  if (compareDecimal(fill.qty, "0") <= 0) throw new RangeError(`a fill's qty must be > 0 (got ${fill.qty})`);
  if (openingSide(fill.side) === book.side) {
    const avgEntryPrice = weightedAverage(book.qty, book.avgEntryPrice, fill.qty, fill.price);
    return { book: { ...book, qty: addDecimal(book.qty, fill.qty), avgEntryPrice }, realized: "0", closed: false };
  }
  const remaining = subtractDecimal(book.qty, fill.qty);
  if (compareDecimal(remaining, "0") < 0) {
    throw new RangeError(`a ${fill.side} fill of ${fill.qty} exceeds the ${book.side} position of ${book.qty}: it would reverse it`);
  }
  const perShare = book.side === "long" ? subtractDecimal(fill.price, book.avgEntryPrice) : subtractDecimal(book.avgEntryPrice, fill.price);
  const realized = roundDecimal(multiplyDecimal(perShare, fill.qty), 2);
  const avgExitPrice = book.avgExitPrice === null ? fill.price : weightedAverage(book.exitedQty, book.avgExitPrice, fill.qty, fill.price);
  return {
    book: {
      ...book,
      qty: remaining,
      exitedQty: addDecimal(book.exitedQty, fill.qty),
      avgExitPrice,
      realizedPnl: addDecimal(book.realizedPnl, realized),
    },
    realized,
    closed: compareDecimal(remaining, "0") === 0,
  };
}
