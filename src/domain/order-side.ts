/**
 * Which way an order goes, derived from the position it opens or closes. Explicit and checked
 * at run time: an inverted side opens a position the wrong way round (a fault of the original).
 */

export type PositionSide = "long" | "short";
export type PositionAction = "open" | "close";
export type OrderSide = "buy" | "sell";

/** Long: buy to open, sell to close. Short: sell to open, buy to close. */
export function orderSideFor(positionSide: PositionSide, action: PositionAction): OrderSide {
  if (positionSide !== "long" && positionSide !== "short") {
    throw new RangeError(`position side must be long or short (got ${JSON.stringify(positionSide)})`);
  }
  if (action !== "open" && action !== "close") {
    throw new RangeError(`position action must be open or close (got ${JSON.stringify(action)})`);
  }
  const opensWithBuy = positionSide === "long";
  return (action === "open") === opensWithBuy ? "buy" : "sell";
}
