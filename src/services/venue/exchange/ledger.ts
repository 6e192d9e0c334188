/** Cash and positions, changed only by fills. Cash is exact (integer ticks); entry averages are display values. */
import type { Side, VenuePosition } from "./types.ts";

export class Ledger {
  private readonly open = new Map<string, VenuePosition>();

  constructor(public cash: number) {}

  positions(): VenuePosition[] {
    return [...this.open.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  position(symbol: string): VenuePosition | undefined {
    return this.open.get(symbol);
  }

  qty(symbol: string): number {
    return this.open.get(symbol)?.qty ?? 0;
  }

  /** Applies one execution; returns the position's quantity afterwards. */
  applyFill(symbol: string, assetId: string, side: Side, qty: number, price: number): number {
    const signed = side === "buy" ? qty : -qty;
    this.cash -= signed * price;
    const current = this.open.get(symbol);
    if (!current) {
      this.open.set(symbol, { symbol, assetId, qty: signed, costBasis: signed * price });
      return signed;
    }
    const after = current.qty + signed;
    if (after === 0) {
      this.open.delete(symbol);
    } else if (Math.sign(after) !== Math.sign(current.qty)) {
      // Crossed through zero: the remainder opens a new position at this price.
      current.qty = after;
      current.costBasis = after * price;
    } else if (Math.sign(signed) === Math.sign(current.qty)) {
      current.qty = after;
      current.costBasis += signed * price;
    } else {
      // Reducing keeps the average entry price.
      current.costBasis = (current.costBasis * after) / current.qty;
      current.qty = after;
    }
    return after;
  }

  /** Removes a position without a trade (the "position vanishes" fault). */
  remove(symbol: string): boolean {
    return this.open.delete(symbol);
  }
}
