/**
 * A full book (1,000 open positions, 10,000 live orders) with a known amount of drift injected:
 * one sweep's checks find exactly that drift and nothing else. No timing assertions: the benchmark
 * (bun run bench) measures speed.
 */
import { describe, expect, test } from "bun:test";
import type { BrokerFill, BrokerOrder, BrokerPosition } from "../../src/adapters/broker/broker.ts";
import { reportStatus, runChecks } from "../../src/domain/doctor/report.ts";
import { DEFAULT_THRESHOLDS, type CheckName, type DbOrder, type DbPosition, type OrderLookup } from "../../src/domain/doctor/types.ts";
import { brokerFill, brokerOrderFor, brokerPosition, brokerSnapshot, byCheck, dbOrder, dbSnapshot, minutesAgo, ok, protectedPosition } from "../support/doctor-fixtures.ts";

const POSITIONS = 1_000;
const RESTING_ENTRIES = 8_000; // + 2 live legs per position = 10,000 live orders

const PHANTOMS = [3, 150, 151, 402, 640, 777, 998]; // broker flat, no exit fill
const ORPHANS = ["ORPH0", "ORPH1", "ORPH2", "ORPH3", "ORPH4"];
const QTY_MISMATCHES = [10, 500, 901]; // broker holds 150 instead of 100, no fill explains it
const STOP_CANCELLED = [20, 21]; // the stop leg was cancelled at the broker: missing stop + a status mismatch each
const ENTRIES_CANCELLED = [0, 1999, 4000, 7999]; // resting entries the broker cancelled
const ENTRIES_GONE = [5, 6]; // in neither listing; both lookups 404; old

function pad(n: number): string {
  return String(n).padStart(4, "0");
}

function buildBook() {
  const liveOrders: DbOrder[] = [];
  const openPositions: DbPosition[] = [];
  const brokerPositions: BrokerPosition[] = [];
  const listed: BrokerOrder[] = [];
  const fills: BrokerFill[] = [];
  const recordedFillIds = new Set<string>();
  const lookups = new Map<number, OrderLookup>();

  for (let i = 0; i < POSITIONS; i++) {
    const side = i % 2 === 0 ? "long" : "short";
    const pp = protectedPosition({
      positionId: i + 1,
      symbol: `P${pad(i)}`,
      side,
      qty: "100",
      orderIds: [100_000 + 3 * i, 100_001 + 3 * i, 100_002 + 3 * i],
      stopAlpacaStatus: STOP_CANCELLED.includes(i) ? "canceled" : "held",
    });
    openPositions.push(pp.position);
    liveOrders.push(...pp.legs);
    listed.push(pp.brokerEntry);
    // The entry's fill, already recorded.
    const fillId = `fill-entry-${i}`;
    fills.push(brokerFill({ id: fillId, orderId: pp.brokerEntry.id, symbol: pp.position.symbol, side: side === "long" ? "buy" : "sell", qty: "100" }));
    recordedFillIds.add(fillId);
    if (PHANTOMS.includes(i)) continue;
    brokerPositions.push(QTY_MISMATCHES.includes(i) ? { ...pp.brokerPosition, qty: "150" } : pp.brokerPosition);
  }

  for (let j = 0; j < RESTING_ENTRIES; j++) {
    const gone = ENTRIES_GONE.includes(j);
    const age = gone ? 90 : 5;
    const entry = dbOrder({ orderId: 1 + j, symbol: `E${pad(j)}`, createdAt: minutesAgo(age), updatedAt: minutesAgo(age) });
    liveOrders.push(entry);
    if (gone) {
      lookups.set(entry.orderId, ok(null));
      continue;
    }
    listed.push(brokerOrderFor(entry, { alpacaStatus: ENTRIES_CANCELLED.includes(j) ? "canceled" : "new" }));
  }

  for (const symbol of ORPHANS) brokerPositions.push(brokerPosition({ symbol, qty: "25", avgEntryPrice: "12.34" }));

  const db = dbSnapshot({ liveOrders, openPositions, recordedFillIds });
  const broker = brokerSnapshot({ positions: ok(brokerPositions), openOrders: ok(listed), recentOrders: ok(listed), fills: ok(fills), lookups });
  return { db, broker };
}

describe("a full book", () => {
  const { db, broker } = buildBook();

  test("the book is the size it claims", () => {
    expect(db.openPositions).toHaveLength(1_000);
    expect(db.liveOrders).toHaveLength(10_000);
  });

  test("one sweep's checks find exactly the injected drift", () => {
    const results = runChecks(db, broker, DEFAULT_THRESHOLDS);
    const counts = Object.fromEntries(results.map((r) => [r.check, r.issues.length])) as Record<CheckName, number>;
    expect(counts).toEqual({
      pipeline_status: 0,
      broker_connection: 0,
      stuck_orders: 0,
      order_status: STOP_CANCELLED.length + ENTRIES_CANCELLED.length,
      order_not_found: ENTRIES_GONE.length,
      phantom_positions: 7,
      orphan_positions: 5,
      qty_mismatch: 3,
      missing_stop: STOP_CANCELLED.length,
      not_flat_at_close: 0,
      stale_cycle: 0,
      stale_pnl: 0,
      dead_man: 0,
    });
    expect(results.every((r) => r.skipped === null)).toBe(true);

    const phantom = byCheck(results, "phantom_positions").issues;
    expect(phantom.map((i) => i.entity)).toEqual(PHANTOMS.map((i) => `position:${i + 1}`));
    expect(phantom.every((i) => i.type === "phantom_position" && i.severity === "critical" && !i.fixable && i.fix === null)).toBe(true);

    const orphan = byCheck(results, "orphan_positions").issues;
    expect(orphan.map((i) => i.fix)).toEqual(ORPHANS.map((symbol) => ({ action: "import_orphan_external", symbol, side: "long", qty: "25", avgEntryPrice: "12.34" })));

    const qty = byCheck(results, "qty_mismatch").issues;
    expect(qty.map((i) => [i.type, i.entity, i.fixable])).toEqual(QTY_MISMATCHES.map((i) => ["qty_mismatch", `position:${i + 1}`, false]));

    expect(byCheck(results, "missing_stop").issues.map((i) => i.entity)).toEqual(STOP_CANCELLED.map((i) => `position:${i + 1}`));

    const status = byCheck(results, "order_status").issues;
    expect(status.map((i): unknown[] => [i.entity, i.fix])).toEqual([
      ...STOP_CANCELLED.map((i) => [`order:${100_001 + 3 * i}`, { action: "sync_order_status", brokerOrderIds: [`b-${100_000 + 3 * i}`] }]),
      ...ENTRIES_CANCELLED.map((j) => [`order:${1 + j}`, { action: "sync_order_status", brokerOrderIds: [`b-${1 + j}`] }]),
    ]);

    expect(byCheck(results, "order_not_found").issues.map((i) => i.fix)).toEqual(ENTRIES_GONE.map((j) => ({ action: "resolve_order_not_found", orderId: 1 + j })));
    expect(reportStatus(results)).toBe("critical");
  });

  test("the same book with its broker positions unreadable: no phantom among 1,000 positions", () => {
    const results = runChecks(db, { ...broker, positions: { ok: false, error: "timeout" } }, DEFAULT_THRESHOLDS);
    expect(byCheck(results, "phantom_positions").issues).toEqual([]);
    expect(byCheck(results, "phantom_positions").skipped).not.toBeNull();
    expect(byCheck(results, "orphan_positions").issues).toEqual([]);
  });
});
