import { describe, expect, test } from "bun:test";
import { orderSideFor, type PositionAction, type PositionSide } from "../../src/domain/order-side.ts";
import {
  ALPACA_ORDER_STATUSES,
  isTerminal,
  mapAlpacaStatus,
  ORDER_STATUSES,
  orderStatusFor,
  UnknownAlpacaStatusError,
  type AlpacaOrderStatus,
  type OrderStatus,
} from "../../src/domain/order-status.ts";

/** The decided mapping, restated here so a change to it is a deliberate change to this test. */
const EXPECTED: Record<AlpacaOrderStatus, OrderStatus> = {
  new: "accepted",
  pending_new: "submitted",
  accepted: "accepted",
  held: "accepted",
  partially_filled: "partial_fill",
  filled: "filled",
  canceled: "cancelled",
  expired: "expired",
  done_for_day: "accepted",
  replaced: "replaced",
  pending_cancel: "accepted",
  pending_replace: "accepted",
  rejected: "rejected",
  suspended: "accepted",
  calculated: "accepted",
  stopped: "accepted",
  accepted_for_bidding: "accepted",
};

describe("Alpaca status → ours", () => {
  test("all seventeen Alpaca statuses (SPEC §3) are mapped", () => {
    expect<string[]>([...ALPACA_ORDER_STATUSES].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(ALPACA_ORDER_STATUSES).toHaveLength(17);
  });

  for (const [alpaca, ours] of Object.entries(EXPECTED)) {
    test(`${alpaca} → ${ours}`, () => expect(mapAlpacaStatus(alpaca)).toBe(ours));
  }

  test("an unknown status throws, naming it; so do near misses", () => {
    for (const unknown of ["cancelled", "NEW", "", "partial_fill", "pending"]) {
      expect(() => mapAlpacaStatus(unknown)).toThrow(UnknownAlpacaStatusError);
    }
    expect(() => mapAlpacaStatus("frozen")).toThrow('"frozen"');
  });

  test("inherited object keys are not statuses", () => {
    expect(() => mapAlpacaStatus("toString")).toThrow(UnknownAlpacaStatusError);
    expect(() => mapAlpacaStatus("__proto__")).toThrow(UnknownAlpacaStatusError);
  });

  test("an open order with a filled quantity is a partial fill", () => {
    expect(orderStatusFor("pending_cancel", "4")).toBe("partial_fill");
    expect(orderStatusFor("done_for_day", "0.5")).toBe("partial_fill");
    expect(orderStatusFor("new", "0")).toBe("accepted");
    // Final statuses keep their word whatever filled.
    expect(orderStatusFor("canceled", "4")).toBe("cancelled");
    expect(orderStatusFor("filled", "10")).toBe("filled");
    expect(orderStatusFor("pending_new", "0")).toBe("submitted");
  });
});

describe("terminal statuses", () => {
  test("filled, cancelled, rejected, expired and replaced are final; the rest are not", () => {
    const terminal = ORDER_STATUSES.filter(isTerminal);
    expect(terminal).toEqual(["filled", "cancelled", "rejected", "expired", "replaced"]);
  });

  test("done_for_day is not final: a GTC order works again tomorrow", () => {
    expect(isTerminal(mapAlpacaStatus("done_for_day"))).toBe(false);
    expect(isTerminal(mapAlpacaStatus("held"))).toBe(false);
    expect(isTerminal(mapAlpacaStatus("pending_cancel"))).toBe(false);
  });
});

describe("order side from the position", () => {
  test("long: buy to open, sell to close; short: sell to open, buy to close", () => {
    expect(orderSideFor("long", "open")).toBe("buy");
    expect(orderSideFor("long", "close")).toBe("sell");
    expect(orderSideFor("short", "open")).toBe("sell");
    expect(orderSideFor("short", "close")).toBe("buy");
  });

  test("anything else throws rather than defaulting to a side", () => {
    expect(() => orderSideFor("buy" as PositionSide, "open")).toThrow("long or short");
    expect(() => orderSideFor("long", "exit" as PositionAction)).toThrow("open or close");
    expect(() => orderSideFor(undefined as unknown as PositionSide, "open")).toThrow(RangeError);
  });
});
