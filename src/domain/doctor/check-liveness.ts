/**
 * Is the machine still running? The pipeline's summary, a cycle that stopped moving, marks too old
 * for the daily-loss check to see, a broker that did not answer, and the dead-man: the scheduled
 * sweep itself stopping.
 */
import { checkResult } from "./check-result.ts";
import type { BrokerSnapshot, CheckResult, DbSnapshot, DoctorIssue, DoctorThresholds } from "./types.ts";

const MINUTE = 60_000;
/** A cycle in these states is expected to move: scans, entries, marks. */
const MOVING_STATES = new Set(["scanning", "trading", "monitoring", "closing"]);

export function checkPipeline(db: DbSnapshot): CheckResult {
  return { ...checkResult("pipeline_status", []), detail: db.pipeline };
}

export function checkBrokerConnection(broker: BrokerSnapshot): CheckResult {
  const failed = (
    [
      ["clock", broker.marketNow === null ? { ok: false, error: "no answer" } : { ok: true }],
      ["positions", broker.positions],
      ["open orders", broker.openOrders],
      ["recent orders", broker.recentOrders],
      ["fills", broker.fills],
    ] as const
  ).filter(([, read]) => !read.ok);
  if (failed.length === 0) return checkResult("broker_connection", []);
  const issue: DoctorIssue = {
    type: "broker_unreachable",
    severity: "critical",
    entity: "broker",
    message: `The broker did not answer (${failed.map(([name, read]) => `${name}: ${(read as { error: string }).error}`).join("; ")}). What depends on it was not compared this sweep, and nothing was concluded from the silence. Check the broker's status and the network.`,
    db: null,
    broker: Object.fromEntries(failed.map(([name, read]) => [name, (read as { error: string }).error])),
    fixable: false,
    fix: null,
  };
  return checkResult("broker_connection", [issue]);
}

export function checkStaleCycle(db: DbSnapshot, broker: BrokerSnapshot, t: DoctorThresholds): CheckResult {
  const cycle = db.liveCycle;
  if (broker.marketNow === null) return checkResult("stale_cycle", [], "the market clock did not answer");
  if (!cycle || !MOVING_STATES.has(cycle.state) || !broker.inSweepWindow) return checkResult("stale_cycle", []);
  const idle = broker.marketNow - cycle.lastActivityAt;
  if (idle <= t.staleCycleMinutes * MINUTE) return checkResult("stale_cycle", []);
  return checkResult("stale_cycle", [
    {
      type: "stale_cycle",
      severity: "warning",
      entity: `cycle:${cycle.cycleId}`,
      message: `Cycle ${cycle.cycleId} is ${cycle.state} but has done nothing for ${Math.round(idle / MINUTE)} minutes (market time). Check the workflow service's health and log; stop the cycle if it is stuck.`,
      db: { cycleId: cycle.cycleId, state: cycle.state, lastActivityAt: new Date(cycle.lastActivityAt).toISOString() },
      broker: { marketNow: new Date(broker.marketNow).toISOString() },
      fixable: false,
      fix: null,
    },
  ]);
}

export function checkStalePnl(db: DbSnapshot, broker: BrokerSnapshot, t: DoctorThresholds): CheckResult {
  if (broker.marketNow === null) return checkResult("stale_pnl", [], "the market clock did not answer");
  if (!broker.inSweepWindow) return checkResult("stale_pnl", []);
  const now = broker.marketNow;
  // A position with no mark yet counts from its opening: marks follow within a sync or two.
  const issues = db.openPositions
    .filter((p) => now - (p.lastPriceAt ?? p.openedAt) > t.stalePnlMinutes * MINUTE)
    .map<DoctorIssue>((p) => ({
      type: "stale_pnl",
      severity: "warning",
      entity: `position:${p.positionId}`,
      message: `The mark of ${p.symbol} is ${p.lastPriceAt === null ? "missing" : `${Math.round((now - p.lastPriceAt) / MINUTE)} minutes old`}: the daily-loss check cannot see this position's unrealized P&L. Check the trading service's sync.`,
      db: { positionId: p.positionId, symbol: p.symbol, lastPriceAt: p.lastPriceAt === null ? null : new Date(p.lastPriceAt).toISOString() },
      broker: { marketNow: new Date(now).toISOString() },
      fixable: false,
      fix: null,
    }));
  return checkResult("stale_pnl", issues);
}

/** No scheduled sweep for twice its period while sweeps are due: whatever watches the books has stopped. */
export function checkDeadMan(db: DbSnapshot, broker: BrokerSnapshot, t: DoctorThresholds): CheckResult {
  const last = db.lastScheduledSweepAt;
  const limit = 2 * t.sweepIntervalMs;
  // Overnight, weekends and holidays are no gap: the window must have been open for the limit too.
  const windowOpenLongEnough = broker.marketNow !== null && broker.sweepWindowOpenedAt !== null && broker.marketNow - broker.sweepWindowOpenedAt > limit;
  if (!broker.inSweepWindow || !windowOpenLongEnough || last === null || db.wallNow - last <= limit) return checkResult("dead_man", []);
  return checkResult("dead_man", [
    {
      type: "dead_man",
      severity: "critical",
      entity: "doctor",
      message: `No scheduled doctor sweep for ${Math.round((db.wallNow - last) / MINUTE)} minutes (they run every ${t.sweepIntervalMs / MINUTE} minutes in market hours): nothing is watching the books. Check that \`catalyst serve\` is running (systemctl status catalyst) and its log.`,
      db: { lastScheduledSweepAt: new Date(last).toISOString() },
      broker: null,
      fixable: false,
      fix: null,
    },
  ]);
}
