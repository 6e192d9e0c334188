import { describe, expect, test } from "bun:test";
import { BrokerOrderIndex, indexBrokerOrders, ordersNeedingLookup } from "../../src/domain/doctor/broker-index.ts";
import { checkOrders } from "../../src/domain/doctor/check-orders.ts";
import { DEFAULT_THRESHOLDS, type BrokerSnapshot, type DbOrder, type DoctorThresholds } from "../../src/domain/doctor/types.ts";
import {
  brokerOrder,
  brokerOrderFor,
  brokerSnapshot,
  dbOrder,
  dbSnapshot,
  failed,
  lookups,
  minutesAgo,
  ok,
  onlyIssue,
  protectedPosition,
} from "../support/doctor-fixtures.ts";

function run(liveOrders: DbOrder[], broker: Partial<BrokerSnapshot>, t: DoctorThresholds = DEFAULT_THRESHOLDS) {
  const snapshot = brokerSnapshot(broker);
  return checkOrders(dbSnapshot({ liveOrders }), indexBrokerOrders(snapshot), snapshot.lookups, t);
}

describe("BrokerOrderIndex", () => {
  test("a root order is found by its id and is its own root", () => {
    const index = new BrokerOrderIndex(ok([brokerOrder({ id: "b-1", clientOrderId: "cat-1" })]));
    const found = index.find("b-1", "cat-1");
    expect(found?.order.id).toBe("b-1");
    expect(found?.rootId).toBe("b-1");
  });

  test("a leg nested under its entry has the entry as its root", () => {
    const { brokerEntry, legs } = protectedPosition({ positionId: 7, symbol: "MSFT", orderIds: [1, 2, 3] });
    const index = new BrokerOrderIndex(ok([brokerEntry]));
    expect(index.find(legs[0].brokerOrderId, legs[0].clientOrderId)).toEqual({ order: brokerEntry.legs[0]!, rootId: "b-1" });
    expect(index.find(legs[1].brokerOrderId, legs[1].clientOrderId)?.rootId).toBe("b-1");
  });

  test("falls back to the client order id when the broker id is unknown or missing", () => {
    const index = new BrokerOrderIndex(ok([brokerOrder({ id: "b-9", clientOrderId: "cat-9" })]));
    expect(index.find(null, "cat-9")?.order.id).toBe("b-9");
    expect(index.find("b-stale", "cat-9")?.order.id).toBe("b-9");
    expect(index.find("b-nope", "cat-nope")).toBeNull();
  });

  test("a failed listing contributes nothing (and is not an empty answer)", () => {
    const index = indexBrokerOrders({ openOrders: failed(), recentOrders: ok([brokerOrder({ id: "b-1", clientOrderId: "cat-1" })]) });
    expect(index.find("b-1", "cat-1")?.rootId).toBe("b-1");
    expect(new BrokerOrderIndex(failed(), failed()).find("b-1", "cat-1")).toBeNull();
  });

  test("ordersNeedingLookup lists exactly the live DB orders neither listing shows", () => {
    const listed = dbOrder({ orderId: 1 });
    const byClientId = dbOrder({ orderId: 2, brokerOrderId: null });
    const unlisted = dbOrder({ orderId: 3 });
    const index = indexBrokerOrders({ openOrders: ok([brokerOrderFor(listed)]), recentOrders: ok([brokerOrder({ id: "b-2", clientOrderId: "cat-2" })]) });
    expect(ordersNeedingLookup([listed, byClientId, unlisted], index).map((o) => o.orderId)).toEqual([3]);
  });
});

describe("order_status", () => {
  test("broker ahead (accepted → filled): fixable, adopts the fills of the order's tree", () => {
    const o = dbOrder({ orderId: 1, status: "accepted", filledQty: "0" });
    const { status, stuck, notFound } = run([o], { recentOrders: ok([brokerOrderFor(o, { alpacaStatus: "filled", filledQty: "10", filledAvgPrice: "20.01" })]) });
    const issue = onlyIssue(status);
    expect(issue.type).toBe("order_status_mismatch");
    expect(issue.severity).toBe("warning");
    expect(issue.entity).toBe("order:1");
    expect(issue.fixable).toBe(true);
    expect(issue.fix).toEqual({ action: "adopt_fills", brokerOrderIds: ["b-1"] });
    expect(issue.broker).toEqual({ id: "b-1", status: "filled", filledQty: "10", filledAvgPrice: "20.01" });
    expect(issue.db).toMatchObject({ orderId: 1, status: "accepted", filledQty: "0" });
    expect(status.ok).toBe(false);
    expect(status.severity).toBe("warning");
    expect(stuck.issues).toEqual([]);
    expect(notFound.issues).toEqual([]);
  });

  test("broker ahead on status alone (accepted → canceled, nothing filled): fixable sync_order_status", () => {
    const o = dbOrder({ orderId: 4 });
    const issue = onlyIssue(run([o], { recentOrders: ok([brokerOrderFor(o, { alpacaStatus: "canceled" })]) }).status);
    expect(issue.type).toBe("order_status_mismatch");
    expect(issue.fixable).toBe(true);
    expect(issue.fix).toEqual({ action: "sync_order_status", brokerOrderIds: ["b-4"] });
  });

  test("a leg found nested under its entry is fixed through the entry's (root) broker id", () => {
    const pp = protectedPosition({ positionId: 7, symbol: "MSFT", orderIds: [10, 11, 12] });
    const [stop] = pp.legs;
    // The stop leg filled at the broker; the DB still has it accepted.
    pp.brokerEntry.legs[0] = brokerOrderFor(stop, { type: "stop", alpacaStatus: "filled", filledQty: "10", parentId: "b-10" });
    const issue = onlyIssue(run(pp.legs, { openOrders: ok([pp.brokerEntry]) }).status);
    expect(issue.entity).toBe("order:11");
    expect(issue.fixable).toBe(true);
    expect(issue.fix).toEqual({ action: "adopt_fills", brokerOrderIds: ["b-10"] });
  });

  test("a leg cancelled at the broker (OCO sibling) syncs through its root", () => {
    const pp = protectedPosition({ positionId: 7, symbol: "MSFT", orderIds: [10, 11, 12] });
    pp.brokerEntry.legs[1] = brokerOrderFor(pp.legs[1], { alpacaStatus: "canceled", parentId: "b-10" });
    const issue = onlyIssue(run(pp.legs, { recentOrders: ok([pp.brokerEntry]) }).status);
    expect(issue.entity).toBe("order:12");
    expect(issue.fix).toEqual({ action: "sync_order_status", brokerOrderIds: ["b-10"] });
  });

  test("an order whose submit answer was lost (no broker id) is found by client id and synced", () => {
    const o = dbOrder({ orderId: 5, status: "created", brokerOrderId: null, createdAt: minutesAgo(3), updatedAt: minutesAgo(3) });
    const issue = onlyIssue(run([o], { openOrders: ok([brokerOrder({ id: "alp-xyz", clientOrderId: "cat-5", alpacaStatus: "new" })]) }).status);
    expect(issue.fixable).toBe(true);
    expect(issue.fix).toEqual({ action: "sync_order_status", brokerOrderIds: ["alp-xyz"] });
  });

  test("an order found by targeted lookup is decided like a listed one (a leg through its DB parent's broker id)", () => {
    const entry = dbOrder({ orderId: 20 });
    const leg = dbOrder({ orderId: 21, parentOrderId: 30, parentBrokerOrderId: "b-30", positionId: 9, positionOpen: true, side: "sell", orderType: "stop" });
    const { status, notFound } = run([entry, leg], {
      lookups: lookups([
        [20, ok(brokerOrderFor(entry, { alpacaStatus: "expired" }))],
        [21, ok(brokerOrderFor(leg, { alpacaStatus: "canceled" }))],
      ]),
    });
    expect(status.issues.map((i) => i.fix)).toEqual([
      { action: "sync_order_status", brokerOrderIds: ["b-20"] },
      { action: "sync_order_status", brokerOrderIds: ["b-30"] },
    ]);
    expect(notFound.issues).toEqual([]);
    expect(notFound.skipped).toBeNull();
  });

  test("DB ahead of the broker (we record a fill the broker does not show): reported, not fixable", () => {
    const o = dbOrder({ orderId: 6, status: "partial_fill", filledQty: "5" });
    const issue = onlyIssue(run([o], { openOrders: ok([brokerOrderFor(o, { alpacaStatus: "new", filledQty: "0" })]) }).status);
    expect(issue.type).toBe("order_status_mismatch");
    expect(issue.severity).toBe("warning");
    expect(issue.entity).toBe("order:6");
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
  });

  test("broker ahead on fills with the same status (partial 3 → partial 7): fixable adopt_fills", () => {
    const o = dbOrder({ orderId: 8, status: "partial_fill", filledQty: "3" });
    const issue = onlyIssue(run([o], { openOrders: ok([brokerOrderFor(o, { alpacaStatus: "partially_filled", filledQty: "7" })]) }).status);
    expect(issue.fixable).toBe(true);
    expect(issue.fix).toEqual({ action: "adopt_fills", brokerOrderIds: ["b-8"] });
  });

  test("same status: no issue, the check is ok", () => {
    const o = dbOrder({ orderId: 1, status: "partial_fill", filledQty: "4" });
    const { status, stuck, notFound } = run([o], { openOrders: ok([brokerOrderFor(o, { alpacaStatus: "partially_filled", filledQty: "4" })]) });
    expect(status.issues).toEqual([]);
    expect(status.ok).toBe(true);
    expect(status.severity).toBe("info");
    expect(status.skipped).toBeNull();
    expect(stuck.issues).toEqual([]);
    expect(notFound.issues).toEqual([]);
  });

  test("Alpaca words that map to our accepted (held, pending_cancel, done_for_day…) are not a mismatch", () => {
    for (const alpacaStatus of ["new", "accepted", "held", "pending_cancel", "pending_replace", "done_for_day", "suspended"]) {
      const o = dbOrder({ orderId: 1 });
      expect(run([o], { openOrders: ok([brokerOrderFor(o, { alpacaStatus })]) }).status.issues).toEqual([]);
    }
  });

  test("an older broker report (pending_new while we have accepted) does not move us back", () => {
    const o = dbOrder({ orderId: 1, status: "accepted" });
    expect(run([o], { openOrders: ok([brokerOrderFor(o, { alpacaStatus: "pending_new" })]) }).status.issues).toEqual([]);
  });

  test("quantities compare as decimals, not strings (5.000000 = 5)", () => {
    const o = dbOrder({ orderId: 1, status: "partial_fill", filledQty: "5.000000" });
    expect(run([o], { openOrders: ok([brokerOrderFor(o, { alpacaStatus: "partially_filled", filledQty: "5" })]) }).status.issues).toEqual([]);
  });

  test("DB ahead on fills while the broker is ahead on status (partial 5 → canceled with 3): not fixable", () => {
    const o = dbOrder({ orderId: 9, status: "partial_fill", filledQty: "5" });
    const issue = onlyIssue(run([o], { recentOrders: ok([brokerOrderFor(o, { alpacaStatus: "canceled", filledQty: "3" })]) }).status);
    expect(issue.type).toBe("order_status_mismatch");
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
  });
});

describe("order_not_found", () => {
  test("both lookups 404 and older than the per-state threshold: fixable resolve_order_not_found", () => {
    const o = dbOrder({ orderId: 3, status: "accepted", createdAt: minutesAgo(61), updatedAt: minutesAgo(61) });
    const { notFound, status, stuck } = run([o], { lookups: lookups([[3, ok(null)]]) });
    const issue = onlyIssue(notFound);
    expect(issue.type).toBe("order_not_found");
    expect(issue.severity).toBe("warning");
    expect(issue.entity).toBe("order:3");
    expect(issue.fixable).toBe(true);
    expect(issue.fix).toEqual({ action: "resolve_order_not_found", orderId: 3 });
    expect(issue.broker).toBeNull();
    expect(notFound.skipped).toBeNull();
    expect(notFound.ok).toBe(false);
    expect(status.issues).toEqual([]);
    expect(stuck.issues).toEqual([]);
  });

  test("younger than the threshold: reported, not fixable (the next sweep decides)", () => {
    const o = dbOrder({ orderId: 3, status: "accepted", createdAt: minutesAgo(30), updatedAt: minutesAgo(30) });
    const issue = onlyIssue(run([o], { lookups: lookups([[3, ok(null)]]) }).notFound);
    expect(issue.type).toBe("order_not_found");
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
  });

  test("the threshold is per DB state: created 2 min, submitted 5 min, partial_fill 30 min", () => {
    const cases: [DbOrder["status"], number, boolean][] = [
      ["created", 3, true],
      ["created", 1, false],
      ["submitted", 6, true],
      ["submitted", 4, false],
      ["partial_fill", 31, true],
      ["partial_fill", 29, false],
      ["accepted", 60, false], // strictly older than
    ];
    for (const [status, age, fixable] of cases) {
      const o = dbOrder({ orderId: 1, status, createdAt: minutesAgo(age), updatedAt: minutesAgo(age) });
      const issue = onlyIssue(run([o], { lookups: lookups([[1, ok(null)]]) }).notFound);
      expect({ status, age, fixable: issue.fixable }).toEqual({ status, age, fixable });
    }
  });

  test("the age is measured from creation, not from the last update", () => {
    const o = dbOrder({ orderId: 3, createdAt: minutesAgo(90), updatedAt: minutesAgo(1) });
    expect(onlyIssue(run([o], { lookups: lookups([[3, ok(null)]]) }).notFound).fixable).toBe(true);
  });

  test("custom thresholds are honoured", () => {
    const o = dbOrder({ orderId: 3, createdAt: minutesAgo(11), updatedAt: minutesAgo(11) });
    const t = { ...DEFAULT_THRESHOLDS, stuckMinutes: { ...DEFAULT_THRESHOLDS.stuckMinutes, accepted: 10 } };
    expect(onlyIssue(run([o], { lookups: lookups([[3, ok(null)]]) }, t).notFound).fix).toEqual({ action: "resolve_order_not_found", orderId: 3 });
  });

  test("a failed lookup decides nothing: no issue anywhere, the check is skipped", () => {
    const o = dbOrder({ orderId: 3, createdAt: minutesAgo(600), updatedAt: minutesAgo(600) });
    const { notFound, status, stuck } = run([o], { lookups: lookups([[3, failed("503 Service Unavailable")]]) });
    expect(notFound.issues).toEqual([]);
    expect(notFound.ok).toBe(false);
    expect(notFound.skipped).toContain("1 order(s)");
    expect(status.issues).toEqual([]);
    expect(stuck.issues).toEqual([]);
  });

  test("an unanswered order leaves order_status and stuck_orders undecided too (skipped)", () => {
    const o = dbOrder({ orderId: 3, createdAt: minutesAgo(600), updatedAt: minutesAgo(600) });
    const { status, stuck } = run([o], { lookups: lookups([[3, failed("503 Service Unavailable")]]) });
    expect(status.skipped).not.toBeNull();
    expect(stuck.skipped).not.toBeNull();
  });

  test("an order absent from the listings with no lookup (over the cap) is skipped, not declared missing", () => {
    const orders = [1, 2, 3].map((orderId) => dbOrder({ orderId, createdAt: minutesAgo(600), updatedAt: minutesAgo(600) }));
    const { notFound } = run(orders, { openOrders: ok([]), recentOrders: failed() });
    expect(notFound.issues).toEqual([]);
    expect(notFound.ok).toBe(false);
    expect(notFound.skipped).toContain("3 order(s)");
  });

  test("decided and undecided orders in one sweep: the decided issue is reported and the check is still skipped", () => {
    const gone = dbOrder({ orderId: 1, createdAt: minutesAgo(90), updatedAt: minutesAgo(90) });
    const unknown = dbOrder({ orderId: 2, createdAt: minutesAgo(90), updatedAt: minutesAgo(90) });
    const { notFound } = run([gone, unknown], { lookups: lookups([[1, ok(null)], [2, failed()]]) });
    expect(onlyIssue(notFound).fix).toEqual({ action: "resolve_order_not_found", orderId: 1 });
    expect(notFound.severity).toBe("warning");
    expect(notFound.skipped).toContain("1 order(s)");
  });

  test("a listed order ignores a stale 404 lookup: the listing is a positive answer", () => {
    const o = dbOrder({ orderId: 1, createdAt: minutesAgo(90), updatedAt: minutesAgo(1) });
    const { notFound, status } = run([o], { openOrders: ok([brokerOrderFor(o)]), lookups: lookups([[1, ok(null)]]) });
    expect(notFound.issues).toEqual([]);
    expect(notFound.skipped).toBeNull();
    expect(status.issues).toEqual([]);
  });

  test("a created order the broker never received (older than 2 min): resolved as not found, never stuck", () => {
    const o = dbOrder({ orderId: 5, status: "created", brokerOrderId: null, createdAt: minutesAgo(3), updatedAt: minutesAgo(3) });
    const { notFound, stuck } = run([o], { lookups: lookups([[5, ok(null)]]) });
    expect(onlyIssue(notFound).fix).toEqual({ action: "resolve_order_not_found", orderId: 5 });
    expect(stuck.issues).toEqual([]);
  });
});

describe("stuck_orders", () => {
  test("an accepted entry older than 60 minutes that the broker agrees is working: warning, not fixable", () => {
    const o = dbOrder({ orderId: 2, status: "accepted", createdAt: minutesAgo(61), updatedAt: minutesAgo(61) });
    const { stuck, status, notFound } = run([o], { openOrders: ok([brokerOrderFor(o, { alpacaStatus: "new" })]) });
    const issue = onlyIssue(stuck);
    expect(issue.type).toBe("stuck_order");
    expect(issue.severity).toBe("warning");
    expect(issue.entity).toBe("order:2");
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
    expect(issue.broker).toEqual({ id: "b-2", status: "new" });
    expect(stuck.ok).toBe(false);
    expect(status.issues).toEqual([]);
    expect(notFound.issues).toEqual([]);
  });

  test("59 minutes, or exactly 60: not stuck yet", () => {
    for (const age of [59, 60]) {
      const o = dbOrder({ orderId: 2, createdAt: minutesAgo(age), updatedAt: minutesAgo(age) });
      expect(run([o], { openOrders: ok([brokerOrderFor(o)]) }).stuck.issues).toEqual([]);
    }
  });

  test("the age runs from the last update (a recently amended order is not stuck)", () => {
    const o = dbOrder({ orderId: 2, createdAt: minutesAgo(300), updatedAt: minutesAgo(10) });
    expect(run([o], { openOrders: ok([brokerOrderFor(o)]) }).stuck.issues).toEqual([]);
  });

  test("per-state thresholds: submitted after 5 min, partial_fill after 30 min", () => {
    const submitted = dbOrder({ orderId: 1, status: "submitted", createdAt: minutesAgo(6), updatedAt: minutesAgo(6) });
    const partial = dbOrder({ orderId: 2, status: "partial_fill", filledQty: "4", createdAt: minutesAgo(31), updatedAt: minutesAgo(31) });
    const youngPartial = dbOrder({ orderId: 3, status: "partial_fill", filledQty: "4", createdAt: minutesAgo(29), updatedAt: minutesAgo(29) });
    const { stuck, status } = run([submitted, partial, youngPartial], {
      openOrders: ok([
        brokerOrderFor(submitted, { alpacaStatus: "pending_new" }),
        brokerOrderFor(partial, { alpacaStatus: "partially_filled", filledQty: "4" }),
        brokerOrderFor(youngPartial, { alpacaStatus: "partially_filled", filledQty: "4" }),
      ]),
    });
    expect(status.issues).toEqual([]);
    expect(stuck.issues.map((i) => [i.entity, i.type, i.fixable])).toEqual([
      ["order:1", "stuck_order", false],
      ["order:2", "stuck_order", false],
    ]);
  });

  test("bracket legs resting for hours while their position is open are not stuck", () => {
    const pp = protectedPosition({ positionId: 7, symbol: "MSFT", orderIds: [10, 11, 12] });
    const { stuck, status, notFound } = run(pp.legs, { openOrders: ok([pp.brokerEntry]) });
    expect(stuck.issues).toEqual([]);
    expect(status.issues).toEqual([]);
    expect(notFound.issues).toEqual([]);
    expect(stuck.ok && status.ok && notFound.ok).toBe(true);
  });

  test("a leg whose entry has not filled yet (no position) rests by design", () => {
    const leg = dbOrder({ orderId: 11, parentOrderId: 10, parentBrokerOrderId: "b-10", positionId: null, positionOpen: false, createdAt: minutesAgo(120), updatedAt: minutesAgo(120) });
    expect(run([leg], { openOrders: ok([brokerOrder({ id: "b-10", clientOrderId: "cat-10", legs: [brokerOrderFor(leg, { alpacaStatus: "held" })] })]) }).stuck.issues).toEqual([]);
  });

  test("a leg still working after its position closed is stuck", () => {
    const leg = dbOrder({ orderId: 11, parentOrderId: 10, parentBrokerOrderId: "b-10", positionId: 7, positionOpen: false, createdAt: minutesAgo(120), updatedAt: minutesAgo(61) });
    const issue = onlyIssue(run([leg], { openOrders: ok([brokerOrder({ id: "b-10", clientOrderId: "cat-10", legs: [brokerOrderFor(leg)] })]) }).stuck);
    expect(issue.type).toBe("stuck_order");
    expect(issue.entity).toBe("order:11");
    expect(issue.fixable).toBe(false);
  });

  test("a status mismatch is reported instead of stuck (the broker moved on)", () => {
    const o = dbOrder({ orderId: 2, createdAt: minutesAgo(120), updatedAt: minutesAgo(120) });
    const { stuck, status } = run([o], { recentOrders: ok([brokerOrderFor(o, { alpacaStatus: "expired" })]) });
    expect(stuck.issues).toEqual([]);
    expect(onlyIssue(status).fix).toEqual({ action: "sync_order_status", brokerOrderIds: ["b-2"] });
  });

  test("a created order older than 2 min that the broker does have is a status mismatch (sync), not stuck", () => {
    const o = dbOrder({ orderId: 5, status: "created", createdAt: minutesAgo(3), updatedAt: minutesAgo(3) });
    const { stuck, status } = run([o], { openOrders: ok([brokerOrderFor(o, { alpacaStatus: "new" })]) });
    expect(stuck.issues).toEqual([]);
    expect(onlyIssue(status).fix).toEqual({ action: "sync_order_status", brokerOrderIds: ["b-5"] });
  });

  test("no live orders: every order check is ok", () => {
    const { stuck, status, notFound } = run([], {});
    for (const r of [stuck, status, notFound]) {
      expect(r.ok).toBe(true);
      expect(r.issues).toEqual([]);
      expect(r.skipped).toBeNull();
    }
  });
});
