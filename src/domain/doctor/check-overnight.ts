/**
 * not_flat_at_close: a Catalyst position still open after the close of a session it was open in,
 * that the trader did not mark holdOvernight. The flattener leaves such a position with a working
 * stop; this is the critical escalation that a human must decide on before the next open.
 */
import { lastCloseAtOrBefore } from "../exchange-calendar.ts";
import { checkResult } from "./check-result.ts";
import type { CheckResult, DbSnapshot, DoctorIssue } from "./types.ts";

export function checkNotFlatAtClose(db: DbSnapshot, marketNow: number | null): CheckResult {
  if (marketNow === null) return checkResult("not_flat_at_close", [], "the market clock did not answer: not checked this sweep");
  const close = lastCloseAtOrBefore(marketNow);
  const issues: DoctorIssue[] = db.openPositions
    .filter((p) => p.source === "catalyst" && !p.holdOvernight && p.openedAt < close)
    .map((p) => ({
      type: "not_flat_at_close",
      severity: "critical",
      entity: `position:${p.positionId}`,
      message: `${p.side} ${p.qty} ${p.symbol} was not flat at the close of ${new Date(close).toISOString()} and is held overnight without the trader asking. Check that its stop is working, then close it at the open (or mark it holdOvernight if that is what you want).`,
      db: { positionId: p.positionId, symbol: p.symbol, side: p.side, qty: p.qty, openedAt: new Date(p.openedAt).toISOString() },
      broker: null,
      fixable: false,
      fix: null,
    }));
  return checkResult("not_flat_at_close", issues);
}
