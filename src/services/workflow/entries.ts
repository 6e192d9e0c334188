/**
 * An entry pass: a scan's enterable candidates, best first, sent to trading as bracket entries until
 * the cycle's slots are used. A refusal (risk said no) skips that candidate; an outage ends the pass
 * unfinished, to be resumed on the next tick (the idempotency key makes a resent entry the same order).
 */
import type { Sql } from "postgres";
import type { ScanCandidate, ScanReport } from "../../contracts/scanner.ts";
import { placeOrderRoute, type TradeEvidence } from "../../contracts/trading.ts";
import { selectEntries, type EnterableCandidate } from "../../domain/workflow/select-entries.ts";
import type { ServiceClient } from "../../runtime/client.ts";
import type { Logger } from "../../runtime/log.ts";
import { errorMessage } from "../../runtime/errors.ts";
import { isRefusal } from "./failures.ts";
import { enteredSymbols, type Cycle } from "./store.ts";

export interface EntryPass {
  actions: string[];
  /** false: trading could not be reached; the rest of the scan waits for the next tick. */
  finished: boolean;
}

/** One key per cycle and symbol ("/" is not a key character; BRK/B and BRK.B are the same share). */
const entryKey = (cycleId: string, symbol: string) => `${cycleId}:${symbol.replaceAll("/", ".")}`;

/** What the journal will tell of this entry: the scan, the pattern and the news behind it, and how its stop was set. */
function entryEvidence(scanId: string, c: EnterableCandidate<ScanCandidate>): TradeEvidence {
  return {
    scanId,
    rank: c.rank,
    score: c.score,
    ...(c.pattern === null ? {} : { pattern: c.pattern }),
    ...(c.catalyst === null ? {} : { catalyst: c.catalyst.kind }),
    stopBasis: c.suggested.basis === "atr" ? "atr" : "pattern",
  };
}

export async function runEntryPass(
  deps: { sql: Sql; client: ServiceClient; log: Logger },
  cycle: Cycle,
  scan: ScanReport,
  slots: number,
): Promise<EntryPass> {
  const candidates = selectEntries(scan.candidates, cycle.settings, await enteredSymbols(deps.sql, cycle.cycleId));
  const actions: string[] = [];
  let placed = 0;
  for (const c of candidates) {
    if (placed >= slots) break;
    try {
      const placement = await deps.client.call(placeOrderRoute, {
        body: {
          symbol: c.symbol,
          side: c.direction,
          type: "market",
          stopLoss: String(c.suggested.stop),
          takeProfit: String(c.suggested.target),
          cycleId: cycle.cycleId,
          source: "workflow",
          idempotencyKey: entryKey(cycle.cycleId, c.symbol),
          evidence: entryEvidence(scan.scanId, c),
        },
      });
      placed++;
      actions.push(`enter ${c.symbol} ${c.direction}: ${placement.outcome} (order ${placement.order.orderId})`);
      deps.log.info("entry placed", { cycleId: cycle.cycleId, symbol: c.symbol, outcome: placement.outcome, orderId: placement.order.orderId });
    } catch (error) {
      if (isRefusal(error)) {
        actions.push(`skip ${c.symbol}: ${error.code} (${error.message})`);
        deps.log.info("entry refused", { cycleId: cycle.cycleId, symbol: c.symbol, code: error.code, message: error.message });
        continue;
      }
      actions.push(`enter ${c.symbol} failed: ${errorMessage(error)}; retrying next tick`);
      deps.log.warn("entry pass cut short: trading unavailable", { cycleId: cycle.cycleId, symbol: c.symbol, error: errorMessage(error) });
      return { actions, finished: false };
    }
  }
  if (candidates.length === 0) actions.push(`enter: no candidate of scan ${scan.scanId} qualifies`);
  return { actions, finished: true };
}
