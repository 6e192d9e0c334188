import { describe, expect, test } from "bun:test";
import { checkPositions } from "../../src/domain/doctor/check-positions.ts";
import type { BrokerSnapshot, DbSnapshot } from "../../src/domain/doctor/types.ts";
import {
  brokerFill,
  brokerOrder,
  brokerPosition,
  brokerPositionFor,
  brokerSnapshot,
  dbOrder,
  dbPosition,
  dbSnapshot,
  failed,
  ok,
  onlyIssue,
  protectedPosition,
} from "../support/doctor-fixtures.ts";

function run(db: Partial<DbSnapshot>, broker: Partial<BrokerSnapshot>) {
  return checkPositions(dbSnapshot(db), brokerSnapshot(broker));
}

/** A working sell stop for `symbol`, as a plain (non-bracket) order. */
function sellStop(symbol: string, over: Parameters<typeof brokerOrder>[0] = { id: "stop-1" }) {
  return brokerOrder({ symbol, side: "sell", type: "stop", limitPrice: null, stopPrice: "19.00", ...over });
}

describe("phantom_positions", () => {
  test("DB open, broker flat, no unrecorded fill: critical, not fixable (P&L is never invented)", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL" });
    const { phantom, orphan, qty, missingStop } = run({ openPositions: [p] }, { positions: ok([]), fills: ok([]) });
    const issue = onlyIssue(phantom);
    expect(issue.type).toBe("phantom_position");
    expect(issue.severity).toBe("critical");
    expect(issue.entity).toBe("position:1");
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
    expect(issue.db).toMatchObject({ positionId: 1, symbol: "AAPL", side: "long", qty: "10" });
    expect(issue.broker).toEqual({ position: null });
    expect(phantom.ok).toBe(false);
    expect(phantom.severity).toBe("critical");
    expect(phantom.skipped).toBeNull();
    expect(orphan.issues).toEqual([]);
    expect(qty.issues).toEqual([]);
    // A flat position is not also reported as unprotected.
    expect(missingStop.issues).toEqual([]);
  });

  test("two outside orders sold it, or it was an imported external position: a human matches it up (not fixable)", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL", side: "long" });
    const fills = [
      brokerFill({ id: "f1", orderId: "ext-1", symbol: "AAPL", side: "sell", qty: "4", price: "21.00" }),
      brokerFill({ id: "f2", orderId: "ext-2", symbol: "AAPL", side: "sell", qty: "6", price: "21.10" }),
    ];
    expect(onlyIssue(run({ openPositions: [p] }, { fills: ok(fills) }).phantom)).toMatchObject({ fixable: false, fix: null });
    const external = dbPosition({ positionId: 2, symbol: "AAPL", side: "long", source: "external" });
    const sold = brokerFill({ id: "f3", orderId: "ext-3", symbol: "AAPL", side: "sell", qty: "10", price: "21.00" });
    const issue = onlyIssue(run({ openPositions: [external] }, { fills: ok([sold]) }).phantom);
    expect(issue).toMatchObject({ fixable: false, fix: null });
    expect(issue.message).toContain("imported");
  });

  test("an unrecorded closing fill of an order we do not know: fixable close_phantom_at_fill with that order", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL", side: "long" });
    const exit = brokerFill({ id: "f-ext", orderId: "ext-order-1", symbol: "AAPL", side: "sell", qty: "10", price: "21.37" });
    const issue = onlyIssue(run({ openPositions: [p] }, { fills: ok([exit]) }).phantom);
    expect(issue.type).toBe("phantom_position");
    expect(issue.severity).toBe("critical");
    expect(issue.entity).toBe("position:1");
    expect(issue.fixable).toBe(true);
    expect(issue.fix).toEqual({ action: "close_phantom_at_fill", positionId: 1, exitOrderId: "ext-order-1" });
    expect(issue.broker).toEqual({ position: null, exitFills: [{ id: "f-ext", orderId: "ext-order-1", qty: "10", price: "21.37", at: exit.transactionTime }] });
  });

  test("a short phantom closes on a buy: an external buy fixes it, an external sell does not", () => {
    const p = dbPosition({ positionId: 2, symbol: "TSLA", side: "short", qty: "5" });
    const buy = brokerFill({ id: "f1", orderId: "ext-buy", symbol: "TSLA", side: "buy", qty: "5" });
    const sell = brokerFill({ id: "f2", orderId: "ext-sell", symbol: "TSLA", side: "sell", qty: "5" });
    expect(onlyIssue(run({ openPositions: [p] }, { fills: ok([buy]) }).phantom).fix).toEqual({ action: "close_phantom_at_fill", positionId: 2, exitOrderId: "ext-buy" });
    const opening = onlyIssue(run({ openPositions: [p] }, { fills: ok([sell]) }).phantom);
    expect(opening.fixable).toBe(false);
    expect(opening.fix).toBeNull();
  });

  test("an external opening-side fill alone (long, a foreign buy) explains nothing: not fixable", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL", side: "long" });
    const issue = onlyIssue(run({ openPositions: [p] }, { fills: ok([brokerFill({ id: "f1", orderId: "ext", side: "buy" })]) }).phantom);
    expect(issue.fixable).toBe(false);
  });

  test("an unrecorded fill of a live DB leg: fixable adopt_fills through the leg's root (its entry)", () => {
    const pp = protectedPosition({ positionId: 3, symbol: "MSFT", orderIds: [30, 31, 32] });
    const stopFill = brokerFill({ id: "f-stop", orderId: pp.legs[0].brokerOrderId!, symbol: "MSFT", side: "sell", qty: "10", price: "19.48" });
    const issue = onlyIssue(run({ openPositions: [pp.position], liveOrders: pp.legs }, { fills: ok([stopFill]) }).phantom);
    expect(issue.type).toBe("phantom_position");
    expect(issue.severity).toBe("critical");
    expect(issue.entity).toBe("position:3");
    expect(issue.fixable).toBe(true);
    expect(issue.fix).toEqual({ action: "adopt_fills", brokerOrderIds: ["b-30"] });
  });

  test("an unrecorded fill of a live DB order without a parent adopts through its own broker id", () => {
    const p = dbPosition({ positionId: 4, symbol: "AMD" });
    const exit = dbOrder({ orderId: 40, symbol: "AMD", role: "exit", side: "sell", orderType: "market", positionId: 4, positionOpen: true });
    const issue = onlyIssue(run({ openPositions: [p], liveOrders: [exit] }, { fills: ok([brokerFill({ id: "f", orderId: "b-40", symbol: "AMD" })]) }).phantom);
    expect(issue.fix).toEqual({ action: "adopt_fills", brokerOrderIds: ["b-40"] });
  });

  test("our own unrecorded fill wins over a foreign one (adopt first, re-check after)", () => {
    const pp = protectedPosition({ positionId: 3, symbol: "MSFT", orderIds: [30, 31, 32] });
    const fills = [brokerFill({ id: "f-ext", orderId: "ext", symbol: "MSFT" }), brokerFill({ id: "f-ours", orderId: "b-32", symbol: "MSFT" })];
    expect(onlyIssue(run({ openPositions: [pp.position], liveOrders: pp.legs }, { fills: ok(fills) }).phantom).fix).toEqual({ action: "adopt_fills", brokerOrderIds: ["b-30"] });
  });

  test("recorded fills are ignored: an exit the database already holds explains nothing", () => {
    const pp = protectedPosition({ positionId: 3, symbol: "MSFT", orderIds: [30, 31, 32] });
    const fills = [brokerFill({ id: "f-ext", orderId: "ext", symbol: "MSFT" }), brokerFill({ id: "f-ours", orderId: "b-31", symbol: "MSFT" })];
    const issue = onlyIssue(run({ openPositions: [pp.position], liveOrders: pp.legs, recordedFillIds: new Set(["f-ext", "f-ours"]) }, { fills: ok(fills) }).phantom);
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
  });

  test("fills on another symbol are ignored", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL" });
    const issue = onlyIssue(run({ openPositions: [p] }, { fills: ok([brokerFill({ id: "f", orderId: "ext", symbol: "AAPLW" })]) }).phantom);
    expect(issue.fixable).toBe(false);
  });

  test("an empty but successful positions list with DB open positions: every one is a phantom", () => {
    const positions = [dbPosition({ positionId: 1, symbol: "AAPL" }), dbPosition({ positionId: 2, symbol: "MSFT", side: "short" })];
    const { phantom } = run({ openPositions: positions }, { positions: ok([]), fills: ok([]) });
    expect(phantom.issues.map((i) => [i.type, i.entity, i.severity, i.fixable])).toEqual([
      ["phantom_position", "position:1", "critical", false],
      ["phantom_position", "position:2", "critical", false],
    ]);
  });
});

describe("a failed broker read is never evidence of flat", () => {
  const positions = [dbPosition({ positionId: 1, symbol: "AAPL" }), dbPosition({ positionId: 2, symbol: "MSFT" })];

  test("positions read failed: every position check skipped, no phantom", () => {
    const result = run({ openPositions: positions }, { positions: failed("503 Service Unavailable"), fills: ok([]) });
    for (const r of [result.phantom, result.orphan, result.qty, result.missingStop]) {
      expect(r.issues).toEqual([]);
      expect(r.ok).toBe(false);
      expect(r.skipped).toContain("positions");
      expect(r.skipped).toContain("503 Service Unavailable");
    }
    expect(result.phantom.check).toBe("phantom_positions");
    expect(result.orphan.check).toBe("orphan_positions");
    expect(result.qty.check).toBe("qty_mismatch");
    expect(result.missingStop.check).toBe("missing_stop");
  });

  test("fills read failed (positions answered empty): every position check skipped, no phantom", () => {
    const result = run({ openPositions: positions }, { positions: ok([]), fills: failed("socket hang up") });
    for (const r of [result.phantom, result.orphan, result.qty, result.missingStop]) {
      expect(r.issues).toEqual([]);
      expect(r.ok).toBe(false);
      expect(r.skipped).toContain("fills");
      expect(r.skipped).toContain("socket hang up");
    }
  });

  test("both failed: skipped, no issue", () => {
    const result = run({ openPositions: positions }, { positions: failed(), fills: failed() });
    expect([result.phantom, result.orphan, result.qty, result.missingStop].flatMap((r) => r.issues)).toEqual([]);
    expect(result.phantom.skipped).not.toBeNull();
  });
});

describe("orphan_positions", () => {
  test("broker holds, DB does not: critical, fixable import_orphan_external with side, qty and average price", () => {
    const b = brokerPosition({ symbol: "TSLA", side: "short", qty: "5", avgEntryPrice: "201.25", unrealizedPl: "-3.10" });
    const { orphan, phantom, qty } = run({}, { positions: ok([b]) });
    const issue = onlyIssue(orphan);
    expect(issue.type).toBe("orphan_position");
    expect(issue.severity).toBe("critical");
    expect(issue.entity).toBe("symbol:TSLA");
    expect(issue.fixable).toBe(true);
    expect(issue.fix).toEqual({ action: "import_orphan_external", symbol: "TSLA", side: "short", qty: "5", avgEntryPrice: "201.25" });
    expect(issue.db).toBeNull();
    expect(issue.broker).toMatchObject({ symbol: "TSLA", side: "short", qty: "5", avgEntryPrice: "201.25", unrealizedPl: "-3.10" });
    expect(orphan.ok).toBe(false);
    expect(orphan.severity).toBe("critical");
    expect(phantom.issues).toEqual([]);
    expect(qty.issues).toEqual([]);
  });

  test("an external unrecorded fill on the symbol does not change it: still an orphan to import", () => {
    const b = brokerPosition({ symbol: "NVDA", qty: "3" });
    const fill = brokerFill({ id: "f", orderId: "ext", symbol: "NVDA", side: "buy", qty: "3" });
    expect(onlyIssue(run({}, { positions: ok([b]), fills: ok([fill]) }).orphan).fix).toEqual({ action: "import_orphan_external", symbol: "NVDA", side: "long", qty: "3", avgEntryPrice: "20.00" });
  });

  test("our live entry filled and we have not recorded it: qty_mismatch adopt_fills instead of an orphan", () => {
    const entry = dbOrder({ orderId: 50, symbol: "NVDA", status: "accepted" });
    const b = brokerPosition({ symbol: "NVDA", qty: "10" });
    const fill = brokerFill({ id: "f-entry", orderId: "b-50", symbol: "NVDA", side: "buy", qty: "10" });
    const { orphan, qty } = run({ liveOrders: [entry] }, { positions: ok([b]), fills: ok([fill]) });
    expect(orphan.issues).toEqual([]);
    const issue = onlyIssue(qty);
    expect(issue.type).toBe("qty_mismatch");
    expect(issue.severity).toBe("warning");
    expect(issue.entity).toBe("symbol:NVDA");
    expect(issue.fixable).toBe(true);
    expect(issue.fix).toEqual({ action: "adopt_fills", brokerOrderIds: ["b-50"] });
    expect(issue.db).toBeNull();
  });

  test("our live order's fill, already recorded, does not explain it: orphan", () => {
    const entry = dbOrder({ orderId: 50, symbol: "NVDA" });
    const fill = brokerFill({ id: "f-entry", orderId: "b-50", symbol: "NVDA", side: "buy" });
    const { orphan, qty } = run({ liveOrders: [entry], recordedFillIds: new Set(["f-entry"]) }, { positions: ok([brokerPosition({ symbol: "NVDA" })]), fills: ok([fill]) });
    expect(onlyIssue(orphan).type).toBe("orphan_position");
    expect(qty.issues).toEqual([]);
  });
});

describe("qty_mismatch", () => {
  function held(symbol: string) {
    return ok([sellStop(symbol)]);
  }

  test("long 10 vs broker long 15 with an external fill: reported, not fixable", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL", qty: "10" });
    const ext = brokerFill({ id: "f-ext", orderId: "ext", symbol: "AAPL", side: "buy", qty: "5", price: "20.10" });
    const { qty, phantom, orphan, missingStop } = run({ openPositions: [p] }, { positions: ok([brokerPositionFor(p, { qty: "15" })]), fills: ok([ext]), openOrders: held("AAPL") });
    const issue = onlyIssue(qty);
    expect(issue.type).toBe("qty_mismatch");
    expect(issue.severity).toBe("warning");
    expect(issue.entity).toBe("position:1");
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
    expect(issue.broker).toMatchObject({ qty: "15", unrecordedFills: [{ id: "f-ext", orderId: "ext", side: "buy", qty: "5", price: "20.10" }] });
    expect(issue.message).toContain("difference 5");
    expect(phantom.issues).toEqual([]);
    expect(orphan.issues).toEqual([]);
    expect(missingStop.issues).toEqual([]);
  });

  test("long 10 vs broker long 15 with our unrecorded fill: fixable adopt_fills with its root", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL", qty: "10" });
    const scaleIn = dbOrder({ orderId: 60, symbol: "AAPL", role: "entry", status: "partial_fill", filledQty: "0", positionId: 1, positionOpen: true });
    const fill = brokerFill({ id: "f-ours", orderId: "b-60", symbol: "AAPL", side: "buy", qty: "5" });
    const issue = onlyIssue(run({ openPositions: [p], liveOrders: [scaleIn] }, { positions: ok([brokerPositionFor(p, { qty: "15" })]), fills: ok([fill]), openOrders: held("AAPL") }).qty);
    expect(issue.type).toBe("qty_mismatch");
    expect(issue.severity).toBe("warning");
    expect(issue.entity).toBe("position:1");
    expect(issue.fixable).toBe(true);
    expect(issue.fix).toEqual({ action: "adopt_fills", brokerOrderIds: ["b-60"] });
  });

  test("no fill explains the difference: reported, not fixable (the broker's qty is never copied)", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL", qty: "10" });
    const issue = onlyIssue(run({ openPositions: [p] }, { positions: ok([brokerPositionFor(p, { qty: "7" })]), openOrders: held("AAPL") }).qty);
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
    expect(issue.message).toContain("difference -3");
  });

  test("shorts are signed: DB short 10 vs broker short 10 is no issue", () => {
    const p = dbPosition({ positionId: 1, symbol: "TSLA", side: "short", qty: "10" });
    const buyStop = brokerOrder({ id: "s", symbol: "TSLA", side: "buy", type: "stop", stopPrice: "210" });
    const result = run({ openPositions: [p] }, { positions: ok([brokerPositionFor(p)]), openOrders: ok([buyStop]) });
    expect(result.qty.issues).toEqual([]);
    expect(result.phantom.issues).toEqual([]);
    expect(result.orphan.issues).toEqual([]);
    expect(result.missingStop.issues).toEqual([]);
    expect([result.qty, result.phantom, result.orphan, result.missingStop].every((r) => r.ok)).toBe(true);
  });

  test("the same quantity on the other side is a mismatch of twice the size", () => {
    const short = dbPosition({ positionId: 1, symbol: "TSLA", side: "short", qty: "10" });
    const long = dbPosition({ positionId: 2, symbol: "AMD", side: "long", qty: "10" });
    const { qty } = run(
      { openPositions: [short, long] },
      { positions: ok([brokerPositionFor(short, { side: "long" }), brokerPositionFor(long, { side: "short" })]) },
    );
    expect(qty.issues.map((i) => [i.entity, i.type, i.fixable])).toEqual([
      ["position:1", "qty_mismatch", false],
      ["position:2", "qty_mismatch", false],
    ]);
    expect(qty.issues[0]!.message).toContain("difference 20");
    expect(qty.issues[1]!.message).toContain("difference -20");
  });

  test("quantities compare as decimals (10.000000 = 10)", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL", qty: "10.000000" });
    expect(run({ openPositions: [p] }, { positions: ok([brokerPosition({ symbol: "AAPL", qty: "10" })]), openOrders: held("AAPL") }).qty.issues).toEqual([]);
  });
});

describe("missing_stop", () => {
  test("an open position whose bracket stop leg is held at the broker: no issue", () => {
    const pp = protectedPosition({ positionId: 7, symbol: "MSFT", orderIds: [10, 11, 12] });
    const { missingStop } = run({ openPositions: [pp.position], liveOrders: pp.legs }, { positions: ok([pp.brokerPosition]), openOrders: ok([pp.brokerEntry]) });
    expect(missingStop.issues).toEqual([]);
    expect(missingStop.ok).toBe(true);
    expect(missingStop.skipped).toBeNull();
  });

  test("only a take-profit working: critical missing_stop, not fixable (the doctor never sends orders)", () => {
    const pp = protectedPosition({ positionId: 7, symbol: "MSFT", orderIds: [10, 11, 12] });
    pp.brokerEntry.legs = [pp.brokerEntry.legs[1]!];
    const { missingStop } = run({ openPositions: [pp.position] }, { positions: ok([pp.brokerPosition]), openOrders: ok([pp.brokerEntry]) });
    const issue = onlyIssue(missingStop);
    expect(issue.type).toBe("missing_stop");
    expect(issue.severity).toBe("critical");
    expect(issue.entity).toBe("position:7");
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
    expect(issue.broker).toMatchObject({ symbol: "MSFT", side: "long", qty: "10" });
    expect(missingStop.ok).toBe(false);
    expect(missingStop.severity).toBe("critical");
  });

  test("a working market order closing it (an exit on its way) counts; a closing limit order does not", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL" });
    const exit = (type: "market" | "limit") => sellStop("AAPL", { id: `x-${type}`, type, stopPrice: null, limitPrice: type === "limit" ? "500" : null });
    expect(run({ openPositions: [p] }, { positions: ok([brokerPositionFor(p)]), openOrders: ok([exit("market")]) }).missingStop.issues).toEqual([]);
    expect(onlyIssue(run({ openPositions: [p] }, { positions: ok([brokerPositionFor(p)]), openOrders: ok([exit("limit")]) }).missingStop).type).toBe("missing_stop");
  });

  test("no open orders at all: missing stop", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL" });
    expect(onlyIssue(run({ openPositions: [p] }, { positions: ok([brokerPositionFor(p)]), openOrders: ok([]) }).missingStop).entity).toBe("position:1");
  });

  test("a standalone stop, stop_limit or trailing stop (placed by hand) protects it", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL" });
    for (const type of ["stop", "stop_limit", "trailing_stop"] as const) {
      const { missingStop } = run({ openPositions: [p] }, { positions: ok([brokerPositionFor(p)]), openOrders: ok([sellStop("AAPL", { id: "s", type })]) });
      expect({ type, issues: missingStop.issues }).toEqual({ type, issues: [] });
    }
  });

  test("a stop on the wrong side, on another symbol, or already final does not protect it", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL" });
    const notProtecting = [
      brokerOrder({ id: "a", symbol: "AAPL", side: "buy", type: "stop", stopPrice: "25" }),
      sellStop("AAPLW", { id: "b" }),
      sellStop("AAPL", { id: "c", alpacaStatus: "canceled" }),
      sellStop("AAPL", { id: "d", alpacaStatus: "filled", filledQty: "10" }),
      brokerOrder({ id: "e", symbol: "AAPL", side: "sell", type: "limit", limitPrice: "25" }),
    ];
    for (const order of notProtecting) {
      const issues = run({ openPositions: [p] }, { positions: ok([brokerPositionFor(p)]), openOrders: ok([order]) }).missingStop.issues;
      expect({ id: order.id, types: issues.map((i) => i.type) }).toEqual({ id: order.id, types: ["missing_stop"] });
    }
  });

  test("a short is protected by a buy stop", () => {
    const p = dbPosition({ positionId: 1, symbol: "TSLA", side: "short" });
    const buyStop = brokerOrder({ id: "s", symbol: "TSLA", side: "buy", type: "stop", stopPrice: "210" });
    expect(run({ openPositions: [p] }, { positions: ok([brokerPositionFor(p)]), openOrders: ok([buyStop]) }).missingStop.issues).toEqual([]);
    const sellStopOnShort = sellStop("TSLA", { id: "x" });
    expect(onlyIssue(run({ openPositions: [p] }, { positions: ok([brokerPositionFor(p)]), openOrders: ok([sellStopOnShort]) }).missingStop).type).toBe("missing_stop");
  });

  test("open orders read failed: missing_stop skipped (no issue), the other position checks still run", () => {
    const p = dbPosition({ positionId: 1, symbol: "AAPL" });
    const orphanB = brokerPosition({ symbol: "ZZZ" });
    const { missingStop, orphan, phantom, qty } = run({ openPositions: [p] }, { positions: ok([brokerPositionFor(p), orphanB]), openOrders: failed("read ECONNRESET") });
    expect(missingStop.issues).toEqual([]);
    expect(missingStop.ok).toBe(false);
    expect(missingStop.skipped).toContain("open orders");
    expect(missingStop.skipped).toContain("read ECONNRESET");
    expect(onlyIssue(orphan).entity).toBe("symbol:ZZZ");
    expect(phantom.skipped).toBeNull();
    expect(qty.skipped).toBeNull();
  });
});
