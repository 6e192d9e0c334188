/**
 * `catalyst help watchdog`: how a Claude Code session keeps watch over Catalyst during market hours
 * (the seed's "Doctor Claude"). Shipped inside the binary so the agent on the droplet can read it
 * with the command it will run. The vocabularies come from the code, so the guide cannot drift.
 */
import { ACTION_RESULTS, ACTION_TYPES, DECISIONS, OBSERVATION_TYPES } from "../doctor/activity.ts";
import { CHECK_NAMES, SEVERITIES } from "../domain/doctor/types.ts";

export const WATCHDOG_GUIDE = `The Claude Code watchdog ("Doctor Claude")

Catalyst's own doctor sweeps every 5 market minutes inside \`catalyst serve\` (09:15-16:15 ET on a
full trading day) and applies the database-only fixes its rules allow. A Claude Code session adds
judgment: it runs the same sweep, reads the JSON, decides, and records what it saw, decided and
did in claude_activity_log. It never trades: it places, cancels and closes nothing at the broker,
never changes risk limits and never overrides an emergency stop. What needs a trade, it escalates
to the trader.

Start a session (on the machine that runs catalyst serve, or with DATABASE_URL and the broker's
keys in the environment), with an id to tie its entries together:

  catalyst activity log --type startup --decision monitor --reason "watchdog on for the session" --session S1

Every 5 minutes while the market is open (the report's checked_at is the market's clock):

1. Observe
     catalyst doctor --json
   Exit 0 ok, 1 warning, 2 critical, 3 could not run. The report:
     {version, mode, checked_at, status, checks: [{name, ..., issues: [
       {type, severity, entity, message, db, broker, fixable, fix, fixed?}]}]}
   Checks: ${CHECK_NAMES.join(", ")}.
   Severities: ${SEVERITIES.join(", ")}.

2. Decide, issue by issue (--decision: ${DECISIONS.join(", ")})
   - exit 0, nothing found: no_action.
   - fixable (order_status, order_not_found, a phantom with our own fills): auto_fix, which is
     database-only and rate-limited per rule:
       catalyst doctor --fix --check order_status
   - critical and not fixable (qty_mismatch, missing_stop, dead_man, broker_connection), and
     orphan_positions (the fix imports it as external, but nobody here placed it): escalate. Tell the trader what the db and broker sides say; risk
     already refuses new entries while a critical issue is open (books_reconciled).
   - a warning that can clear on its own (stuck_orders, stale_pnl, an order still in flight):
     monitor; the same issue on the same entity two sweeps running: escalate.
   - exit 3: the doctor could not run. Is catalyst serve up (curl -s localhost:5005/health)?
     If it stays down: escalate.
   - outside market hours, or the sim market closed: defer.

3. Record every observation, and every decision with its reason
   (--type: ${OBSERVATION_TYPES.join(", ")}; --action: ${ACTION_TYPES.join(", ")};
    --result: ${ACTION_RESULTS.join(", ")})
     catalyst activity log --type sweep --decision no_action --reason "exit 0: 13 checks ok" --session S1
     catalyst activity log --type sweep --decision auto_fix --reason "order 42 filled at the broker, still accepted here" --entity order:42 --issue-type order_status_mismatch --severity warning --action db_update --result success --session S1
     catalyst activity log --type alert_triggered --decision escalate --reason "AAPL held at the broker, unknown here" --entity symbol:AAPL --issue-type orphan_position --severity critical --action alert_sent --result success --session S1

4. Wait 5 minutes, and go round again. After the close (16:15 ET):
     catalyst activity log --type shutdown --decision no_action --reason "market closed, books flat" --session S1

Looking back:
  catalyst activity view --since 1h            the last hour's entries as a table
  catalyst activity view --since 1h --json     with the summary, recurring issues, escalations
                                               and failed actions (the activity views)

The same sweep is on MCP as run_doctor (doctor://status, doctor://issues, doctor://activity) and
over HTTP at POST /api/v1/doctor/sweeps on trading (5005).`;
