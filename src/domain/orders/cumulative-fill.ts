/**
 * Fills learnt from cumulative order state. The stream, the polling backstop and a restart all
 * see an order's cumulative filled qty and average price; a new fill is whatever that cumulative
 * state adds to what is already recorded. Keyed by (broker order id, cumulative qty), the same
 * execution is one fill whichever path reports it, in whatever order or however often.
 */
import { compareDecimal, divideDecimal, multiplyDecimal, subtractDecimal, type Decimal } from "../money.ts";

export interface RecordedFills {
  /** Σ qty of the order's recorded fills. */
  qty: Decimal;
  /** Σ qty × price of them. */
  value: Decimal;
}

export interface CumulativeState {
  brokerOrderId: string;
  filledQty: Decimal;
  filledAvgPrice: Decimal | null;
  /** The execution's own price and qty when the report is a fill event. */
  eventPrice: Decimal | null;
  eventQty: Decimal | null;
}

export interface NewFill {
  key: string;
  qty: Decimal;
  price: Decimal;
}

/** The fill this report adds, or null when it adds nothing (a replay, or an older report). */
export function newFillFrom(state: CumulativeState, recorded: RecordedFills): NewFill | null {
  const qty = subtractDecimal(state.filledQty, recorded.qty);
  if (compareDecimal(qty, "0") <= 0) return null;
  const key = `${state.brokerOrderId}:${state.filledQty}`;
  // The event's own price is exact when it is the whole gap; otherwise the gap is priced from averages.
  if (state.eventPrice !== null && state.eventQty !== null && compareDecimal(state.eventQty, qty) === 0) {
    return { key, qty, price: state.eventPrice };
  }
  if (state.filledAvgPrice === null) {
    throw new RangeError(`order ${state.brokerOrderId} reports ${state.filledQty} filled without an average price`);
  }
  const totalValue = multiplyDecimal(state.filledQty, state.filledAvgPrice);
  return { key, qty, price: divideDecimal(subtractDecimal(totalValue, recorded.value), qty, 4, "half_up") };
}
