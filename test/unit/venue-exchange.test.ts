/** The simulated exchange's order lifecycle and fill model, on constructed price paths. */
import { describe, expect, test } from "bun:test";
import { session } from "../../src/domain/exchange-calendar.ts";
import { Exchange, type MarketView } from "../../src/services/venue/exchange/exchange.ts";
import { toTicks } from "../../src/services/venue/exchange/ticks.ts";
import type { OrderSubmission, TradeEvent, VenueRejection } from "../../src/services/venue/exchange/types.ts";

const DAY = session("2026-03-10")!;
const MINUTE = 60_000;
const SPREAD = 0.02;

interface Bar {
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

/** A market whose bars come from a function of the minute index since the open (flat at $10 by default). */
function fakeMarket(barAt: (minute: number) => Bar = () => ({ o: 10, h: 10, l: 10, c: 10, v: 10_000 })): MarketView {
  const assets: Record<string, { id: string; symbol: string; tradable: boolean; shortable: boolean; easyToBorrow: boolean }> = {
    ACME: { id: "00000000-0000-4000-8000-000000000001", symbol: "ACME", tradable: true, shortable: true, easyToBorrow: true },
    HTB: { id: "00000000-0000-4000-8000-000000000002", symbol: "HTB", tradable: true, shortable: false, easyToBorrow: false },
  };
  const minuteIndex = (at: number) => Math.floor((at - DAY.open) / MINUTE);
  return {
    asset: (symbol) => assets[symbol],
    priceAt: (_symbol, at) => {
      const bar = barAt(Math.max(0, minuteIndex(at)));
      return at < DAY.open ? bar.o : bar.o + ((bar.c - bar.o) * ((at - DAY.open) % MINUTE)) / MINUTE;
    },
    minuteBar: (_symbol, start) => (start >= DAY.preOpen && start < DAY.close ? barAt(Math.max(0, minuteIndex(start))) : null),
    spread: () => SPREAD,
  };
}

function order(overrides: Partial<OrderSubmission> = {}): OrderSubmission {
  return {
    symbol: "ACME",
    qty: 10,
    side: "buy",
    type: "market",
    timeInForce: "day",
    orderClass: "simple",
    limitPrice: null,
    stopPrice: null,
    extendedHours: false,
    clientOrderId: null,
    takeProfit: null,
    stopLoss: null,
    ...overrides,
  };
}

function exchangeWith(market = fakeMarket(), cashUsd = 100_000) {
  const exchange = new Exchange(market, { seed: 7, initialCash: toTicks(cashUsd), startAt: DAY.preOpen });
  const events: TradeEvent[] = [];
  exchange.onEvent((event) => events.push({ ...event, order: { ...event.order } }));
  return { exchange, events };
}

function rejection(run: () => unknown): VenueRejection {
  try {
    run();
  } catch (error) {
    return error as VenueRejection;
  }
  throw new Error("expected a rejection");
}

describe("market orders", () => {
  test("fill at the next trade across half the spread, then the position and cash follow the fill", () => {
    const { exchange, events } = exchangeWith();
    const at = DAY.open + 5 * MINUTE;
    const placed = exchange.submit(order(), at);
    expect(placed.status).toBe("new");
    exchange.advance(at + 2_000);
    const filled = exchange.order(placed.id)!;
    expect(filled.status).toBe("filled");
    // $10 + half of a 2¢ spread + 5 bps × sqrt(10/1000) slippage, rounded up to the cent.
    expect(filled.filledNotional / filled.filledQty).toBe(toTicks(10.02));
    expect(exchange.position("ACME")).toMatchObject({ qty: 10, costBasis: 10 * toTicks(10.02) });
    expect(exchange.account(at + 2_000).cash).toBe(toTicks(100_000) - 10 * toTicks(10.02));
    expect(events.map((e) => e.event)).toEqual(["new", "fill"]);
    expect(events[1]!.positionQty).toBe(10);
  });

  test("an order placed before the open waits as accepted and fills at the open", () => {
    const { exchange, events } = exchangeWith();
    const placed = exchange.submit(order(), DAY.open - 30 * MINUTE);
    expect(placed.status).toBe("accepted");
    exchange.advance(DAY.open - MINUTE);
    expect(exchange.order(placed.id)!.status).toBe("accepted");
    exchange.advance(DAY.open + 5_000);
    expect(exchange.order(placed.id)!.status).toBe("filled");
    expect(events.map((e) => e.event)).toEqual(["new", "fill"]);
    expect(events[0]!.at).toBe(DAY.open);
  });

  test("size beyond a minute's liquidity fills partially across minutes", () => {
    const { exchange, events } = exchangeWith(fakeMarket(() => ({ o: 10, h: 10, l: 10, c: 10, v: 500 })));
    const placed = exchange.submit(order({ qty: 120 }), DAY.open + MINUTE);
    exchange.advance(DAY.open + 2 * MINUTE + 1_500);
    expect(exchange.order(placed.id)!.filledQty).toBe(50);
    expect(exchange.order(placed.id)!.status).toBe("partially_filled");
    exchange.advance(DAY.open + 5 * MINUTE);
    expect(exchange.order(placed.id)!.status).toBe("filled");
    expect(events.filter((e) => e.event === "partial_fill").length).toBe(2);
    expect(exchange.fills().map((f) => f.qty)).toEqual([50, 50, 20]);
  });
});

describe("limit and stop orders", () => {
  const dip = (minute: number): Bar => (minute === 10 ? { o: 9.95, h: 9.97, l: 9.8, c: 9.9, v: 10_000 } : { o: 10, h: 10.01, l: 9.99, c: 10, v: 10_000 });

  test("a resting buy limit fills when a bar touches it, at the limit", () => {
    const { exchange } = exchangeWith(fakeMarket(dip));
    const placed = exchange.submit(order({ type: "limit", limitPrice: toTicks(9.85) }), DAY.open + MINUTE);
    exchange.advance(DAY.open + 10 * MINUTE);
    expect(exchange.order(placed.id)!.status).toBe("new");
    exchange.advance(DAY.open + 11 * MINUTE);
    const filled = exchange.order(placed.id)!;
    expect(filled.status).toBe("filled");
    expect(filled.filledNotional / filled.qty).toBe(toTicks(9.85));
  });

  test("a buy limit the bar opens below fills at the open (price improvement)", () => {
    const { exchange } = exchangeWith(fakeMarket(dip));
    const placed = exchange.submit(order({ type: "limit", limitPrice: toTicks(9.96) }), DAY.open + MINUTE);
    exchange.advance(DAY.open + 11 * MINUTE);
    expect(exchange.order(placed.id)!.filledNotional / 10).toBe(toTicks(9.95));
  });

  test("a sell stop triggers when the bar trades through it", () => {
    const { exchange } = exchangeWith(fakeMarket(dip));
    exchange.submit(order({ qty: 10 }), DAY.open);
    exchange.advance(DAY.open + 2 * MINUTE);
    const stop = exchange.submit(order({ side: "sell", type: "stop", stopPrice: toTicks(9.9) }), DAY.open + 2 * MINUTE);
    exchange.advance(DAY.open + 10 * MINUTE);
    expect(exchange.order(stop.id)!.status).toBe("new");
    exchange.advance(DAY.open + 11 * MINUTE);
    expect(exchange.order(stop.id)!.status).toBe("filled");
    expect(exchange.position("ACME")).toBeUndefined();
  });

  test("day orders expire at the close; GTC orders do not", () => {
    const { exchange, events } = exchangeWith();
    const day = exchange.submit(order({ type: "limit", limitPrice: toTicks(5) }), DAY.open + MINUTE);
    const gtc = exchange.submit(order({ type: "limit", limitPrice: toTicks(5), timeInForce: "gtc" }), DAY.open + MINUTE);
    exchange.advance(DAY.close + MINUTE);
    expect(exchange.order(day.id)!.status).toBe("expired");
    expect(exchange.order(day.id)!.expiredAt).toBe(DAY.close);
    expect(exchange.order(gtc.id)!.status).toBe("new");
    expect(events.filter((e) => e.event === "expired").map((e) => e.order.id)).toEqual([day.id]);
  });

  test("IOC takes what is there and cancels the rest; FOK fills fully or not at all", () => {
    const { exchange } = exchangeWith(fakeMarket(() => ({ o: 10, h: 10, l: 10, c: 10, v: 100 })));
    const ioc = exchange.submit(order({ qty: 30, timeInForce: "ioc" }), DAY.open + MINUTE);
    const fok = exchange.submit(order({ qty: 30, timeInForce: "fok" }), DAY.open + MINUTE);
    exchange.advance(DAY.open + 3 * MINUTE);
    expect(exchange.order(ioc.id)).toMatchObject({ status: "canceled", filledQty: 10 });
    expect(exchange.order(fok.id)).toMatchObject({ status: "canceled", filledQty: 0 });
  });
});

describe("brackets and OCO", () => {
  const path = (takeProfitMinute: number | null, stopMinute: number | null) => (minute: number): Bar => {
    if (minute === takeProfitMinute) return { o: 10.5, h: 11.2, l: 10.4, c: 11, v: 10_000 };
    if (minute === stopMinute) return { o: 9.6, h: 9.7, l: 9.3, c: 9.4, v: 10_000 };
    return { o: 10, h: 10.01, l: 9.99, c: 10, v: 10_000 };
  };
  const bracket = () =>
    order({ orderClass: "bracket", timeInForce: "gtc", takeProfit: { limitPrice: toTicks(11) }, stopLoss: { stopPrice: toTicks(9.5), limitPrice: null } });

  test("legs wait held until the entry fills, then the take-profit fills and the stop is canceled", () => {
    const { exchange, events } = exchangeWith(fakeMarket(path(20, null)));
    const entry = exchange.submit(bracket(), DAY.open + MINUTE);
    const [takeProfit, stopLoss] = exchange.legsOf(entry);
    expect([takeProfit!.status, stopLoss!.status]).toEqual(["held", "held"]);
    expect([takeProfit!.side, takeProfit!.type, stopLoss!.type]).toEqual(["sell", "limit", "stop"]);
    exchange.advance(DAY.open + 3 * MINUTE);
    expect(exchange.order(entry.id)!.status).toBe("filled");
    expect([exchange.order(takeProfit!.id)!.status, exchange.order(stopLoss!.id)!.status]).toEqual(["new", "new"]);
    exchange.advance(DAY.open + 21 * MINUTE);
    expect(exchange.order(takeProfit!.id)!.status).toBe("filled");
    expect(exchange.order(stopLoss!.id)!.status).toBe("canceled");
    expect(exchange.position("ACME")).toBeUndefined();
    expect(events.map((e) => `${e.event}:${e.order.id === entry.id ? "entry" : e.order.id === takeProfit!.id ? "tp" : "sl"}`)).toEqual([
      "new:entry",
      "fill:entry",
      "new:tp",
      "new:sl",
      "fill:tp",
      "canceled:sl",
    ]);
  });

  test("the stop-loss exit cancels the take-profit", () => {
    const { exchange } = exchangeWith(fakeMarket(path(null, 30)));
    const entry = exchange.submit(bracket(), DAY.open + MINUTE);
    const [takeProfit, stopLoss] = exchange.legsOf(entry);
    exchange.advance(DAY.open + 31 * MINUTE);
    expect(exchange.order(stopLoss!.id)!.status).toBe("filled");
    expect(exchange.order(takeProfit!.id)!.status).toBe("canceled");
    // Gapped through the stop: filled at the bar's open less half the spread, not at the stop.
    expect(exchange.order(stopLoss!.id)!.filledNotional / 10).toBeLessThanOrEqual(toTicks(9.6));
  });

  test("canceling an unfilled entry cancels its held legs", () => {
    const { exchange } = exchangeWith();
    const entry = exchange.submit({ ...bracket(), type: "limit", limitPrice: toTicks(9.5 + 0.2) }, DAY.open + MINUTE);
    exchange.cancel(entry.id, DAY.open + 2 * MINUTE);
    expect(exchange.legsOf(entry).map((leg) => leg.status)).toEqual(["canceled", "canceled"]);
  });

  test("exit prices on the wrong side of the entry are refused", () => {
    const { exchange } = exchangeWith();
    const error = rejection(() => exchange.submit({ ...bracket(), takeProfit: { limitPrice: toTicks(9.9) } }, DAY.open + MINUTE));
    expect(error.status).toBe(422);
    expect(error.message).toContain("take_profit.limit_price must be >=");
  });

  test("OCO on an open position: one side filling cancels the other", () => {
    const { exchange } = exchangeWith(fakeMarket(path(20, null)));
    exchange.submit(order(), DAY.open);
    exchange.advance(DAY.open + MINUTE);
    const oco = exchange.submit(
      order({ side: "sell", type: "limit", orderClass: "oco", timeInForce: "gtc", limitPrice: toTicks(11), takeProfit: { limitPrice: toTicks(11) }, stopLoss: { stopPrice: toTicks(9.5), limitPrice: null } }),
      DAY.open + 2 * MINUTE,
    );
    const [stopLeg] = exchange.legsOf(oco);
    expect([oco.status, stopLeg!.status]).toEqual(["new", "new"]);
    exchange.advance(DAY.open + 21 * MINUTE);
    expect(exchange.order(oco.id)!.status).toBe("filled");
    expect(exchange.order(stopLeg!.id)!.status).toBe("canceled");
  });
});

describe("rules Alpaca enforces", () => {
  test("a client_order_id can be used once", () => {
    const { exchange } = exchangeWith();
    exchange.submit(order({ clientOrderId: "abc" }), DAY.open);
    const error = rejection(() => exchange.submit(order({ clientOrderId: "abc" }), DAY.open));
    expect([error.status, error.message]).toEqual([422, "client_order_id must be unique"]);
  });

  test("shares held by open exit orders are not available to another sell", () => {
    const { exchange } = exchangeWith();
    exchange.submit(order(), DAY.open);
    exchange.advance(DAY.open + MINUTE);
    exchange.submit(order({ side: "sell", type: "stop", stopPrice: toTicks(9) }), DAY.open + MINUTE);
    expect(exchange.availableQty("ACME")).toBe(0);
    const error = rejection(() => exchange.submit(order({ side: "sell", qty: 1 }), DAY.open + MINUTE));
    expect(error.status).toBe(403);
    expect(error.message).toBe("insufficient qty available for order (requested: 1, available: 0)");
  });

  test("a sell larger than the long position is refused rather than flipping short", () => {
    const { exchange } = exchangeWith();
    exchange.submit(order(), DAY.open);
    exchange.advance(DAY.open + MINUTE);
    expect(rejection(() => exchange.submit(order({ side: "sell", qty: 11 }), DAY.open + MINUTE)).status).toBe(403);
  });

  test("shorting needs a shortable, easy-to-borrow asset", () => {
    const { exchange } = exchangeWith();
    expect(rejection(() => exchange.submit(order({ symbol: "HTB", side: "sell" }), DAY.open)).message).toBe('asset "HTB" cannot be sold short');
    expect(exchange.submit(order({ side: "sell" }), DAY.open).status).toBe("new");
  });

  test("buying power bounds the order size", () => {
    const { exchange } = exchangeWith(fakeMarket(), 10_000);
    // Under $25k equity the multiplier is 1: $10,000 buys at most ~999 shares at $10.
    expect(rejection(() => exchange.submit(order({ qty: 1_000 }), DAY.open)).message).toBe("insufficient buying power");
    expect(exchange.submit(order({ qty: 900 }), DAY.open).status).toBe("new");
  });

  test("sub-penny prices above $1 and fractional quantities are refused", () => {
    const { exchange } = exchangeWith();
    expect(rejection(() => exchange.submit(order({ type: "limit", limitPrice: 100_005 }), DAY.open)).message).toContain("sub-penny");
    expect(rejection(() => exchange.submit(order({ qty: 1.5 }), DAY.open)).message).toContain("whole number");
  });
});

describe("cancel, replace and faults", () => {
  test("replace makes a new order and marks the old one replaced", () => {
    const { exchange, events } = exchangeWith();
    const old = exchange.submit(order({ type: "limit", limitPrice: toTicks(9) }), DAY.open);
    const replacement = exchange.replace(old.id, { limitPrice: toTicks(9.5), qty: 5 }, DAY.open + MINUTE);
    expect(exchange.order(old.id)).toMatchObject({ status: "replaced", replacedBy: replacement.id });
    expect(replacement).toMatchObject({ status: "new", replaces: old.id, qty: 5, limitPrice: toTicks(9.5) });
    expect(events.map((e) => e.event)).toEqual(["new", "replaced", "new"]);
  });

  test("a filled order cannot be canceled", () => {
    const { exchange } = exchangeWith();
    const placed = exchange.submit(order(), DAY.open);
    exchange.advance(DAY.open + MINUTE);
    expect(rejection(() => exchange.cancel(placed.id, DAY.open + MINUTE)).status).toBe(422);
    expect(rejection(() => exchange.cancel("no-such-order", DAY.open + MINUTE)).status).toBe(404);
  });

  test("forced partial fills split a fill that would have completed the order", () => {
    const { exchange } = exchangeWith();
    exchange.forcedPartialFills = 1;
    const placed = exchange.submit(order({ qty: 10 }), DAY.open);
    exchange.advance(DAY.open + 2_000);
    expect(exchange.order(placed.id)).toMatchObject({ status: "partially_filled", filledQty: 5 });
    exchange.advance(DAY.open + 2 * MINUTE);
    expect(exchange.order(placed.id)!.status).toBe("filled");
  });

  test("a vanished position is gone without a fill", () => {
    const { exchange } = exchangeWith();
    exchange.submit(order(), DAY.open);
    exchange.advance(DAY.open + MINUTE);
    const fills = exchange.fills().length;
    expect(exchange.vanishPosition("ACME")).toBe(true);
    expect(exchange.position("ACME")).toBeUndefined();
    expect(exchange.fills().length).toBe(fills);
  });
});
