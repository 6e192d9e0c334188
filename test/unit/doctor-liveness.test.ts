import { describe, expect, test } from "bun:test";
import { checkBrokerConnection, checkDeadMan, checkPipeline, checkStaleCycle, checkStalePnl } from "../../src/domain/doctor/check-liveness.ts";
import { DEFAULT_THRESHOLDS, type BrokerSnapshot, type DbSnapshot } from "../../src/domain/doctor/types.ts";
import { brokerSnapshot, dbPosition, dbSnapshot, failed, MINUTE, minutesAgo, NOW, onlyIssue } from "../support/doctor-fixtures.ts";

const T = DEFAULT_THRESHOLDS;
const CYCLE = "7d3c1c52-2f1e-4a8e-9d0a-5b1f3c2d4e6f";

function cycle(state: string, idleMinutes: number, now = NOW): DbSnapshot["liveCycle"] {
  return { cycleId: CYCLE, state, lastActivityAt: minutesAgo(idleMinutes, now) };
}

describe("pipeline_status", () => {
  test("reports the pipeline summary as detail, no issue", () => {
    const result = checkPipeline(dbSnapshot({ pipeline: { pipeline_stage: "trading", positions_open: 2 } }));
    expect(result.check).toBe("pipeline_status");
    expect(result.ok).toBe(true);
    expect(result.severity).toBe("info");
    expect(result.issues).toEqual([]);
    expect(result.detail).toEqual({ pipeline_stage: "trading", positions_open: 2 });
  });
});

describe("broker_connection", () => {
  test("every read answered: ok", () => {
    const result = checkBrokerConnection(brokerSnapshot());
    expect(result.check).toBe("broker_connection");
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([]);
  });

  const reads: [string, Partial<BrokerSnapshot>][] = [
    ["clock", { marketNow: null }],
    ["positions", { positions: failed("E1") }],
    ["open orders", { openOrders: failed("E2") }],
    ["recent orders", { recentOrders: failed("E3") }],
    ["fills", { fills: failed("E4") }],
  ];
  for (const [name, over] of reads) {
    test(`${name} failing: critical broker_unreachable, not fixable`, () => {
      const result = checkBrokerConnection(brokerSnapshot(over));
      const issue = onlyIssue(result);
      expect(issue.type).toBe("broker_unreachable");
      expect(issue.severity).toBe("critical");
      expect(issue.entity).toBe("broker");
      expect(issue.fixable).toBe(false);
      expect(issue.fix).toBeNull();
      expect(Object.keys(issue.broker as object)).toEqual([name]);
      expect(issue.message).toContain(name);
      expect(result.ok).toBe(false);
      expect(result.severity).toBe("critical");
    });
  }

  test("several reads failing: one issue naming each with its error", () => {
    const issue = onlyIssue(checkBrokerConnection(brokerSnapshot({ marketNow: null, recentOrders: failed("the market clock did not answer"), fills: failed("429 Too Many Requests") })));
    expect(issue.broker).toEqual({ clock: "no answer", "recent orders": "the market clock did not answer", fills: "429 Too Many Requests" });
  });

  test("a failed targeted lookup alone is not a broker outage", () => {
    expect(checkBrokerConnection(brokerSnapshot({ lookups: new Map([[1, failed()]]) })).issues).toEqual([]);
  });
});

describe("stale_cycle", () => {
  test("a moving cycle idle for more than 30 minutes of market time, in the window: warning, not fixable", () => {
    const result = checkStaleCycle(dbSnapshot({ liveCycle: cycle("monitoring", 31) }), brokerSnapshot(), T);
    const issue = onlyIssue(result);
    expect(issue.type).toBe("stale_cycle");
    expect(issue.severity).toBe("warning");
    expect(issue.entity).toBe(`cycle:${CYCLE}`);
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
    expect(issue.db).toEqual({ cycleId: CYCLE, state: "monitoring", lastActivityAt: new Date(minutesAgo(31)).toISOString() });
    expect(result.ok).toBe(false);
  });

  test("30 minutes exactly, or less: not stale", () => {
    for (const idle of [30, 5]) expect(checkStaleCycle(dbSnapshot({ liveCycle: cycle("trading", idle) }), brokerSnapshot(), T).issues).toEqual([]);
  });

  test("every moving state (scanning, trading, monitoring, closing) is watched", () => {
    for (const state of ["scanning", "trading", "monitoring", "closing"]) {
      expect(onlyIssue(checkStaleCycle(dbSnapshot({ liveCycle: cycle(state, 45) }), brokerSnapshot(), T)).type).toBe("stale_cycle");
    }
  });

  test("a cycle that is not expected to move (waiting, planned, paused…) is never stale", () => {
    for (const state of ["pending", "waiting", "paused", "stopped"]) {
      expect(checkStaleCycle(dbSnapshot({ liveCycle: cycle(state, 600) }), brokerSnapshot(), T).issues).toEqual([]);
    }
  });

  test("outside the sweep window: no issue (the cycle rests overnight)", () => {
    const result = checkStaleCycle(dbSnapshot({ liveCycle: cycle("monitoring", 600) }), brokerSnapshot({ inSweepWindow: false }), T);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
  });

  test("idleness is measured in market time, not the database's wall clock", () => {
    // The simulated venue runs ahead of the wall clock: wall time says 1 minute, market time 45.
    const marketNow = NOW + 44 * MINUTE;
    const db = dbSnapshot({ wallNow: NOW, liveCycle: cycle("trading", 1) });
    expect(onlyIssue(checkStaleCycle(db, brokerSnapshot({ marketNow }), T)).type).toBe("stale_cycle");
    // …and the other way round: wall time far ahead, market time fresh.
    const fresh = dbSnapshot({ wallNow: NOW + 600 * MINUTE, liveCycle: cycle("trading", 1) });
    expect(checkStaleCycle(fresh, brokerSnapshot(), T).issues).toEqual([]);
  });

  test("no live cycle: ok", () => {
    expect(checkStaleCycle(dbSnapshot({ liveCycle: null }), brokerSnapshot(), T).ok).toBe(true);
  });

  test("the market clock did not answer: skipped, nothing concluded", () => {
    const result = checkStaleCycle(dbSnapshot({ liveCycle: cycle("trading", 600) }), brokerSnapshot({ marketNow: null }), T);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(false);
    expect(result.skipped).toContain("clock");
  });

  test("the threshold is configurable", () => {
    const db = dbSnapshot({ liveCycle: cycle("trading", 11) });
    expect(onlyIssue(checkStaleCycle(db, brokerSnapshot(), { ...T, staleCycleMinutes: 10 })).type).toBe("stale_cycle");
  });
});

describe("stale_pnl", () => {
  test("a mark older than 10 minutes, in the window: warning per position, not fixable", () => {
    const positions = [dbPosition({ positionId: 1, symbol: "AAPL", lastPriceAt: minutesAgo(11) }), dbPosition({ positionId: 2, symbol: "MSFT", lastPriceAt: minutesAgo(2) })];
    const result = checkStalePnl(dbSnapshot({ openPositions: positions }), brokerSnapshot(), T);
    const issue = onlyIssue(result);
    expect(issue.type).toBe("stale_pnl");
    expect(issue.severity).toBe("warning");
    expect(issue.entity).toBe("position:1");
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
    expect(issue.db).toEqual({ positionId: 1, symbol: "AAPL", lastPriceAt: new Date(minutesAgo(11)).toISOString() });
    expect(result.severity).toBe("warning");
  });

  test("exactly 10 minutes old: not stale", () => {
    expect(checkStalePnl(dbSnapshot({ openPositions: [dbPosition({ positionId: 1, lastPriceAt: minutesAgo(10) })] }), brokerSnapshot(), T).issues).toEqual([]);
  });

  test("a position just opened and not yet marked is not stale; one never marked for 11 minutes is", () => {
    expect(checkStalePnl(dbSnapshot({ openPositions: [dbPosition({ positionId: 3, openedAt: minutesAgo(2), lastPriceAt: null })] }), brokerSnapshot(), T).issues).toEqual([]);
    expect(onlyIssue(checkStalePnl(dbSnapshot({ openPositions: [dbPosition({ positionId: 3, openedAt: minutesAgo(11), lastPriceAt: null })] }), brokerSnapshot(), T)).entity).toBe("position:3");
  });

  test("a position never marked (null) is stale", () => {
    const issue = onlyIssue(checkStalePnl(dbSnapshot({ openPositions: [dbPosition({ positionId: 3, lastPriceAt: null })] }), brokerSnapshot(), T));
    expect(issue.type).toBe("stale_pnl");
    expect(issue.entity).toBe("position:3");
    expect(issue.db).toMatchObject({ lastPriceAt: null });
    expect(issue.message).toContain("missing");
  });

  test("outside the window: no issue", () => {
    const db = dbSnapshot({ openPositions: [dbPosition({ positionId: 3, lastPriceAt: null }), dbPosition({ positionId: 4, lastPriceAt: minutesAgo(600) })] });
    expect(checkStalePnl(db, brokerSnapshot({ inSweepWindow: false }), T).issues).toEqual([]);
  });

  test("marks are compared in market time", () => {
    const db = dbSnapshot({ wallNow: NOW + 600 * MINUTE, openPositions: [dbPosition({ positionId: 1, lastPriceAt: minutesAgo(1) })] });
    expect(checkStalePnl(db, brokerSnapshot(), T).issues).toEqual([]);
    expect(onlyIssue(checkStalePnl(db, brokerSnapshot({ marketNow: NOW + 20 * MINUTE }), T)).entity).toBe("position:1");
  });

  test("the market clock did not answer: skipped", () => {
    const result = checkStalePnl(dbSnapshot({ openPositions: [dbPosition({ positionId: 3, lastPriceAt: null })] }), brokerSnapshot({ marketNow: null }), T);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(false);
    expect(result.skipped).not.toBeNull();
  });
});

describe("dead_man", () => {
  test("no scheduled sweep for more than twice the interval, in the window: critical, not fixable", () => {
    const result = checkDeadMan(dbSnapshot({ lastScheduledSweepAt: minutesAgo(11) }), brokerSnapshot(), T);
    const issue = onlyIssue(result);
    expect(issue.type).toBe("dead_man");
    expect(issue.severity).toBe("critical");
    expect(issue.entity).toBe("doctor");
    expect(issue.fixable).toBe(false);
    expect(issue.fix).toBeNull();
    expect(issue.db).toEqual({ lastScheduledSweepAt: new Date(minutesAgo(11)).toISOString() });
    expect(result.ok).toBe(false);
    expect(result.severity).toBe("critical");
  });

  test("within twice the interval (10 minutes exactly included): ok", () => {
    for (const ago of [10, 6, 0]) expect(checkDeadMan(dbSnapshot({ lastScheduledSweepAt: minutesAgo(ago) }), brokerSnapshot(), T).issues).toEqual([]);
  });

  test("outside the window: no alarm, however old the last sweep", () => {
    expect(checkDeadMan(dbSnapshot({ lastScheduledSweepAt: minutesAgo(900) }), brokerSnapshot({ inSweepWindow: false }), T).issues).toEqual([]);
  });

  test("no scheduled sweep ever recorded: no alarm", () => {
    const result = checkDeadMan(dbSnapshot({ lastScheduledSweepAt: null }), brokerSnapshot(), T);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
  });

  test("measured on the database's wall clock with the configured interval", () => {
    const db = dbSnapshot({ wallNow: NOW, lastScheduledSweepAt: minutesAgo(3) });
    expect(onlyIssue(checkDeadMan(db, brokerSnapshot({ marketNow: NOW - 600 * MINUTE, sweepWindowOpenedAt: NOW - 700 * MINUTE }), { ...T, sweepIntervalMs: MINUTE })).type).toBe("dead_man");
    expect(checkDeadMan(db, brokerSnapshot({ marketNow: NOW + 600 * MINUTE }), T).issues).toEqual([]);
  });

  test("the first sweep of the day does not raise the dead-man for the overnight gap", () => {
    const firstSweep = Date.parse("2025-03-04T14:15:00.000Z"); // 09:15 ET
    const yesterdaysLast = Date.parse("2025-03-03T21:15:00.000Z"); // 16:15 ET the day before
    const db = dbSnapshot({ wallNow: firstSweep, lastScheduledSweepAt: yesterdaysLast });
    const windowOpened = Date.parse("2025-03-04T14:15:00.000Z");
    expect(checkDeadMan(db, brokerSnapshot({ marketNow: firstSweep, inSweepWindow: true, sweepWindowOpenedAt: windowOpened }), T).issues).toEqual([]);
    // Later that morning, with still no sweep since yesterday, the alarm is real.
    const later = firstSweep + 11 * 60_000;
    const dbLater = dbSnapshot({ wallNow: later, lastScheduledSweepAt: yesterdaysLast });
    expect(checkDeadMan(dbLater, brokerSnapshot({ marketNow: later, inSweepWindow: true, sweepWindowOpenedAt: windowOpened }), T).issues).toHaveLength(1);
  });
});

