-- 004_views: the read models of SPEC §3 (one definition each, owned here; seed K24).
-- Dates are ET trading days, always via AT TIME ZONE 'America/New_York'.
-- Unrealized P&L is derived from positions.last_price (never stored), rounded to cents.

-- Current risk limits: the newest version already in force.
CREATE VIEW v_current_risk_parameters AS
SELECT *
  FROM risk_parameters
 WHERE effective_from <= now()
 ORDER BY effective_from DESC
 LIMIT 1;

-- ---------------------------------------------------------------------------
-- One row per recent cycle (last 7 ET days) plus any live cycle however old, so a stale
-- cycle left over from a crash is never hidden. Orders are counted by orders.cycle_id
-- (not through positions: unfilled orders have no position).
CREATE VIEW v_trade_pipeline_status AS
WITH cycles AS (
  SELECT tc.*
    FROM trading_cycles tc
   WHERE tc.trading_date >= (now() AT TIME ZONE 'America/New_York')::date - 7
      OR tc.state NOT IN ('closed', 'error')
),
scans AS (
  SELECT sr.cycle_id,
         count(*)                           AS candidates_found,
         count(*) FILTER (WHERE sr.selected) AS candidates_selected,
         max(sr.scanned_at)                 AS last_scan_at
    FROM scan_results sr
   WHERE sr.cycle_id IN (SELECT cycle_id FROM cycles)
   GROUP BY sr.cycle_id
),
ords AS (
  SELECT o.cycle_id,
         count(*) AS orders_total,
         count(*) FILTER (WHERE o.status IN ('created', 'submitted', 'accepted', 'partial_fill')) AS orders_open,
         count(*) FILTER (WHERE o.status = 'filled')                    AS orders_filled,
         count(*) FILTER (WHERE o.status IN ('cancelled', 'expired'))    AS orders_cancelled,
         count(*) FILTER (WHERE o.status = 'rejected')                  AS orders_rejected,
         count(*) FILTER (WHERE o.status = 'replaced')                  AS orders_replaced,
         max(o.updated_at) AS last_order_at
    FROM orders o
   WHERE o.cycle_id IN (SELECT cycle_id FROM cycles)
   GROUP BY o.cycle_id
),
pos AS (
  SELECT p.cycle_id,
         count(*)                                        AS positions_total,
         count(*) FILTER (WHERE p.status = 'open')        AS positions_open,
         count(*) FILTER (WHERE p.status = 'closed')      AS positions_closed,
         count(*) FILTER (WHERE p.status = 'open' AND p.last_price IS NULL) AS positions_unpriced,
         count(*) FILTER (WHERE p.status = 'closed' AND p.realized_pnl > 0) AS trades_won,
         count(*) FILTER (WHERE p.status = 'closed' AND p.realized_pnl < 0) AS trades_lost,
         sum(p.realized_pnl) AS realized_pnl,
         sum(round((p.last_price - p.avg_entry_price) * p.qty
                   * CASE p.side WHEN 'long' THEN 1 ELSE -1 END, 2))
           FILTER (WHERE p.status = 'open') AS unrealized_pnl,
         max(p.updated_at) AS last_position_at
    FROM positions p
   WHERE p.cycle_id IN (SELECT cycle_id FROM cycles)
   GROUP BY p.cycle_id
),
joined AS (
  SELECT c.cycle_id, c.trading_date, c.state, c.mode, c.started_at, c.ended_at, c.error_message,
         GREATEST(c.last_activity_at, s.last_scan_at, o.last_order_at, p.last_position_at) AS last_activity_at,
         coalesce(s.candidates_found, 0)    AS candidates_found,
         coalesce(s.candidates_selected, 0) AS candidates_selected,
         coalesce(o.orders_total, 0)        AS orders_total,
         coalesce(o.orders_open, 0)         AS orders_open,
         coalesce(o.orders_filled, 0)       AS orders_filled,
         coalesce(o.orders_cancelled, 0)    AS orders_cancelled,
         coalesce(o.orders_rejected, 0)     AS orders_rejected,
         coalesce(o.orders_replaced, 0)     AS orders_replaced,
         coalesce(p.positions_total, 0)     AS positions_total,
         coalesce(p.positions_open, 0)      AS positions_open,
         coalesce(p.positions_closed, 0)    AS positions_closed,
         coalesce(p.positions_unpriced, 0)  AS positions_unpriced,
         coalesce(p.trades_won, 0)          AS trades_won,
         coalesce(p.trades_lost, 0)         AS trades_lost,
         coalesce(p.realized_pnl, 0)::numeric(14,2)   AS realized_pnl,
         coalesce(p.unrealized_pnl, 0)::numeric(14,2) AS unrealized_pnl
    FROM cycles c
    LEFT JOIN scans s ON s.cycle_id = c.cycle_id
    LEFT JOIN ords  o ON o.cycle_id = c.cycle_id
    LEFT JOIN pos   p ON p.cycle_id = c.cycle_id
)
SELECT j.*,
       (j.realized_pnl + j.unrealized_pnl)::numeric(14,2) AS total_pnl,
       round(extract(epoch FROM now() - j.last_activity_at) / 60, 1) AS minutes_since_activity,
       CASE
         WHEN j.state = 'closed'      THEN 'complete'
         WHEN j.state = 'error'       THEN 'error'
         WHEN j.state = 'halted'      THEN 'halted'
         WHEN j.orders_open > 0       THEN 'orders_pending'
         WHEN j.positions_open > 0    THEN 'monitoring'
         WHEN j.state = 'closing'     THEN 'closing'
         WHEN j.candidates_found = 0  THEN 'scanning'
         WHEN j.positions_total = 0   THEN 'awaiting_entry'
         ELSE 'flat'
       END AS pipeline_stage
  FROM joined j;

-- ---------------------------------------------------------------------------
-- Daily roll-up of the activity log (ET day).
CREATE VIEW v_claude_activity_summary AS
SELECT (l.logged_at AT TIME ZONE 'America/New_York')::date AS activity_date,
       count(*)                                                  AS total_entries,
       count(*) FILTER (WHERE l.observation_type = 'sweep')       AS sweeps,
       count(DISTINCT l.session_id)                              AS sessions,
       coalesce(sum(l.issues_found), 0)                          AS issues_found,
       coalesce(sum(l.critical_count), 0)                        AS critical_count,
       coalesce(sum(l.warning_count), 0)                         AS warning_count,
       count(*) FILTER (WHERE l.decision = 'auto_fix')            AS auto_fixes,
       count(*) FILTER (WHERE l.decision = 'escalate')            AS escalations,
       count(*) FILTER (WHERE l.decision = 'monitor')             AS monitored,
       count(*) FILTER (WHERE l.decision = 'no_action')           AS no_action,
       count(*) FILTER (WHERE l.decision = 'defer')               AS deferred,
       count(*) FILTER (WHERE l.action_result = 'success')        AS actions_succeeded,
       count(*) FILTER (WHERE l.action_result = 'failed')         AS actions_failed,
       count(DISTINCT l.issue_type)                              AS distinct_issue_types,
       round(avg(l.sweep_duration_ms))                           AS avg_sweep_ms,
       max(l.sweep_duration_ms)                                  AS max_sweep_ms,
       min(l.logged_at)                                          AS first_activity_at,
       max(l.logged_at)                                          AS last_activity_at
  FROM claude_activity_log l
 GROUP BY 1;

-- ---------------------------------------------------------------------------
-- Issue types seen in the last 30 days, with fix outcomes and the rule that governs them.
-- over_escalate_threshold: the type hit its rule's escalate_threshold within the last hour.
CREATE VIEW v_recurring_issues AS
SELECT l.issue_type,
       count(*)                                                         AS occurrences,
       count(*) FILTER (WHERE l.issue_severity = 'critical')             AS critical_occurrences,
       count(*) FILTER (WHERE l.logged_at > now() - interval '1 hour')   AS occurrences_last_hour,
       count(*) FILTER (WHERE l.decision = 'auto_fix')                   AS auto_fix_attempts,
       count(*) FILTER (WHERE l.decision = 'auto_fix' AND l.action_result = 'success') AS auto_fix_succeeded,
       count(*) FILTER (WHERE l.decision = 'auto_fix' AND l.action_result = 'failed')  AS auto_fix_failed,
       count(*) FILTER (WHERE l.decision = 'escalate')                   AS escalations,
       round(100.0 * count(*) FILTER (WHERE l.decision = 'auto_fix' AND l.action_result = 'success')
             / nullif(count(*) FILTER (WHERE l.decision = 'auto_fix'), 0), 1) AS auto_fix_success_pct,
       round(avg(l.fix_duration_ms))                                    AS avg_fix_ms,
       min(l.logged_at)                                                 AS first_seen_at,
       max(l.logged_at)                                                 AS last_seen_at,
       count(DISTINCT (l.logged_at AT TIME ZONE 'America/New_York')::date) AS days_seen,
       round(count(*) / 30.0, 2)                                        AS avg_per_day,
       r.auto_fix_enabled,
       r.escalate_threshold,
       r.escalation_priority,
       coalesce(count(*) FILTER (WHERE l.logged_at > now() - interval '1 hour')
                >= r.escalate_threshold, false)                         AS over_escalate_threshold
  FROM claude_activity_log l
  LEFT JOIN doctor_claude_rules r ON r.issue_type = l.issue_type
 WHERE l.issue_type IS NOT NULL
   AND l.logged_at > now() - interval '30 days'
 GROUP BY l.issue_type, r.auto_fix_enabled, r.escalate_threshold, r.escalation_priority;

-- ---------------------------------------------------------------------------
-- Escalations of the last 7 days, newest first.
CREATE VIEW v_recent_escalations AS
SELECT l.log_id, l.logged_at, l.session_id, l.cycle_id, l.sweep_id,
       l.issue_type, l.issue_severity, l.entity,
       r.escalation_priority, r.escalation_channel,
       l.decision_reasoning, l.action_type, l.action_detail, l.action_result, l.error_message,
       l.observation_summary, l.metadata
  FROM claude_activity_log l
  LEFT JOIN doctor_claude_rules r ON r.issue_type = l.issue_type
 WHERE l.decision = 'escalate'
   AND l.logged_at > now() - interval '7 days'
 ORDER BY l.logged_at DESC;

-- ---------------------------------------------------------------------------
-- Failed actions of the last 7 days, newest first.
CREATE VIEW v_failed_actions AS
SELECT l.log_id, l.logged_at, l.session_id, l.cycle_id, l.sweep_id,
       l.issue_type, l.issue_severity, l.entity, l.decision,
       l.action_type, l.action_detail, l.action_target, l.error_message,
       l.observation_summary, l.metadata
  FROM claude_activity_log l
 WHERE l.action_result = 'failed'
   AND l.logged_at > now() - interval '7 days'
 ORDER BY l.logged_at DESC;

-- ---------------------------------------------------------------------------
-- Open positions with symbol, mark-to-market and whether a live protective stop exists
-- (has_live_stop = false is the doctor's missing_stop; a 'created' stop is not at the broker yet).
CREATE VIEW v_open_positions AS
SELECT p.position_id, p.security_id, s.symbol, s.name AS security_name, sec.sector_code,
       p.cycle_id, p.source, p.side, p.qty, p.avg_entry_price,
       p.last_price, p.last_price_at,
       round(extract(epoch FROM now() - p.last_price_at) / 60, 1)          AS price_age_minutes,
       round(p.qty * p.avg_entry_price, 2)::numeric(14,2)                  AS cost_basis,
       round(p.qty * p.last_price, 2)::numeric(14,2)                       AS market_value,
       round((p.last_price - p.avg_entry_price) * p.qty
             * CASE p.side WHEN 'long' THEN 1 ELSE -1 END, 2)::numeric(14,2) AS unrealized_pnl,
       round(100 * (p.last_price - p.avg_entry_price) / p.avg_entry_price
             * CASE p.side WHEN 'long' THEN 1 ELSE -1 END, 2)              AS unrealized_pnl_pct,
       p.realized_pnl, p.stop_loss, p.take_profit, p.initial_risk,
       EXISTS (SELECT 1 FROM orders o
                WHERE o.position_id = p.position_id
                  AND o.role = 'stop_loss'
                  AND o.status IN ('submitted', 'accepted', 'partial_fill')) AS has_live_stop,
       p.pattern, p.catalyst, p.opened_at,
       (p.opened_at AT TIME ZONE 'America/New_York')::date                 AS opened_date_et,
       round(extract(epoch FROM now() - p.opened_at) / 60, 1)              AS minutes_open,
       p.metadata
  FROM positions p
  JOIN securities s ON s.security_id = p.security_id
  LEFT JOIN sectors sec ON sec.sector_id = s.sector_id
 WHERE p.status = 'open';

-- ---------------------------------------------------------------------------
-- Realized P&L per ET trading day of the close. positions.realized_pnl is maintained from
-- exit fills by trading (and the doctor's phantom close uses the broker's fill), never estimated.
CREATE VIEW v_daily_pnl AS
SELECT (p.closed_at AT TIME ZONE 'America/New_York')::date                AS trading_date,
       count(*)                                                          AS trades,
       count(*) FILTER (WHERE p.realized_pnl > 0)                         AS wins,
       count(*) FILTER (WHERE p.realized_pnl < 0)                         AS losses,
       count(*) FILTER (WHERE p.realized_pnl = 0)                         AS breakeven,
       sum(p.realized_pnl)::numeric(14,2)                                AS realized_pnl,
       coalesce(sum(p.realized_pnl) FILTER (WHERE p.realized_pnl > 0), 0)::numeric(14,2) AS gross_profit,
       coalesce(sum(p.realized_pnl) FILTER (WHERE p.realized_pnl < 0), 0)::numeric(14,2) AS gross_loss,
       round(100.0 * count(*) FILTER (WHERE p.realized_pnl > 0) / count(*), 1) AS win_rate_pct,
       round(sum(p.realized_pnl) FILTER (WHERE p.realized_pnl > 0)
             / nullif(-sum(p.realized_pnl) FILTER (WHERE p.realized_pnl < 0), 0), 4) AS profit_factor,
       round(avg(p.realized_pnl), 2)                                     AS avg_trade_pnl,
       max(p.realized_pnl)                                               AS best_trade_pnl,
       min(p.realized_pnl)                                               AS worst_trade_pnl,
       count(*) FILTER (WHERE p.source = 'external')                      AS external_trades
  FROM positions p
 WHERE p.status = 'closed'
 GROUP BY 1;
