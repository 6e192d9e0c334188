-- 003_doctor: sweep runs, the activity log, and the auto-fix/escalation rules.
-- The doctor reads the broker and writes only the database; nothing here can place, cancel or
-- close anything. Fixes are named handlers in code (fix_action), never SQL strings (seed K20).

-- ---------------------------------------------------------------------------
-- doctor_sweeps: one row per sweep, inserted as 'running' when it starts. The dead-man check
-- looks at the newest started_at/finished_at; a row stuck in 'running' is a crashed sweep.
CREATE TABLE doctor_sweeps (
  sweep_id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at    TIMESTAMPTZ,
  status         TEXT NOT NULL DEFAULT 'running',
  triggered_by   TEXT NOT NULL DEFAULT 'schedule',
  mode           TEXT,                       -- sim | paper | live, as in the report
  fix_enabled    BOOLEAN NOT NULL DEFAULT false,
  issues_found   INTEGER NOT NULL DEFAULT 0,
  critical_count INTEGER NOT NULL DEFAULT 0,
  warning_count  INTEGER NOT NULL DEFAULT 0,
  fixes_applied  INTEGER NOT NULL DEFAULT 0,
  report         JSONB,                      -- the versioned `catalyst doctor --json` report
  error_message  TEXT,
  -- status mirrors the CLI exit codes: ok 0, warning 1, critical 2, error 3 (could not run)
  CONSTRAINT doctor_sweeps_status_check
    CHECK (status IN ('running', 'ok', 'warning', 'critical', 'error')),
  CONSTRAINT doctor_sweeps_trigger_check CHECK (triggered_by IN ('schedule', 'cli', 'mcp')),
  CONSTRAINT doctor_sweeps_mode_check CHECK (mode IS NULL OR mode IN ('sim', 'paper', 'live')),
  CONSTRAINT doctor_sweeps_finished_check CHECK ((status = 'running') = (finished_at IS NULL)),
  CONSTRAINT doctor_sweeps_finished_after_start CHECK (finished_at IS NULL OR finished_at >= started_at),
  CONSTRAINT doctor_sweeps_report_check CHECK (status IN ('running', 'error') OR report IS NOT NULL),
  CONSTRAINT doctor_sweeps_error_check CHECK (status <> 'error' OR error_message IS NOT NULL),
  CONSTRAINT doctor_sweeps_counts_check CHECK (
    issues_found >= 0 AND critical_count >= 0 AND warning_count >= 0 AND fixes_applied >= 0)
);
CREATE INDEX doctor_sweeps_started_idx ON doctor_sweeps (started_at DESC);
CREATE INDEX doctor_sweeps_finished_idx ON doctor_sweeps (finished_at DESC) WHERE finished_at IS NOT NULL;

-- ---------------------------------------------------------------------------
-- doctor_claude_rules: one row per issue type (the SPEC §8 check names).
--   escalate_threshold       escalate when the type occurs this many times within 1 h,
--                            even if it was auto-fixed (1 = always escalate)
--   max_auto_fixes_per_hour  cap on auto_fix attempts of this type per rolling hour
--   cooldown_minutes         no new auto_fix for the same type+entity within this window
CREATE TABLE doctor_claude_rules (
  rule_id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  issue_type              TEXT NOT NULL UNIQUE,
  description             TEXT NOT NULL,
  default_severity        TEXT NOT NULL,
  auto_fix_enabled        BOOLEAN NOT NULL DEFAULT false,
  fix_action              TEXT,               -- name of the code handler; NULL = no automatic fix
  escalate_threshold      INTEGER NOT NULL DEFAULT 1,
  escalation_channel      TEXT NOT NULL DEFAULT 'email',
  escalation_priority     TEXT NOT NULL DEFAULT 'normal',
  max_auto_fixes_per_hour INTEGER NOT NULL DEFAULT 10,
  cooldown_minutes        INTEGER NOT NULL DEFAULT 5,
  is_active               BOOLEAN NOT NULL DEFAULT true,
  created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT doctor_claude_rules_issue_type_format CHECK (issue_type ~ '^[a-z][a-z0-9_]*$'),
  CONSTRAINT doctor_claude_rules_severity_check
    CHECK (default_severity IN ('critical', 'warning', 'info')),
  -- only the database-only fixes SPEC §8 allows
  CONSTRAINT doctor_claude_rules_fix_action_check CHECK (fix_action IS NULL OR fix_action IN
    ('sync_order_status', 'adopt_fills', 'resolve_order_not_found', 'close_phantom_at_fill',
     'import_orphan_external')),
  CONSTRAINT doctor_claude_rules_fix_needs_action CHECK (NOT auto_fix_enabled OR fix_action IS NOT NULL),
  CONSTRAINT doctor_claude_rules_channel_check CHECK (escalation_channel IN ('email', 'log')),
  CONSTRAINT doctor_claude_rules_priority_check
    CHECK (escalation_priority IN ('critical', 'high', 'normal', 'low')),
  CONSTRAINT doctor_claude_rules_limits_check CHECK (
    escalate_threshold >= 1 AND max_auto_fixes_per_hour >= 0 AND cooldown_minutes >= 0)
);
CREATE TRIGGER doctor_claude_rules_updated_at BEFORE UPDATE ON doctor_claude_rules
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Default policy. Auto-fix is on only where the fix writes the database from a positive broker
-- answer (never from a timeout or error: a missing answer is not evidence of anything):
--   order_status_mismatch  on   sync status through the one broker->internal mapping, keep the raw
--                               broker_status, adopt the order's fills by broker_fill_id
--   order_not_found        on   look the order up again by client_order_id; if the broker has it,
--                               adopt it (broker id, status, fills); only if both lookups answer 404
--                               and the order is older than the stuck threshold, mark it cancelled
--                               (cancel_reason 'not_found_at_broker'). Never re-send.
--   phantom_position       on   close the DB position at the broker's actual exit fill; no exit
--                               fill found -> not fixable, escalate. Capped at 3/h: many phantoms
--                               at once smells like a wrong account or a broken feed.
--   orphan_position        on   import as source 'external' so it is visible to risk and P&L;
--                               threshold 1 = always escalate too (real money, probably no stop)
--   qty_mismatch           on   adopt broker fills missing from the DB; if they do not explain the
--                               difference, change nothing and escalate. Never copies the broker's
--                               qty (that would be a guess; seed K8)
--   everything else        off  either a broker action the doctor never takes (missing_stop,
--                               stuck_order), a state needing a human (stale_cycle, daily loss), or
--                               a failure of the doctor's own inputs (dead_man, broker/db errors)
INSERT INTO doctor_claude_rules (issue_type, default_severity, auto_fix_enabled, fix_action,
  escalate_threshold, escalation_channel, escalation_priority, max_auto_fixes_per_hour,
  cooldown_minutes, description) VALUES
  ('order_status_mismatch', 'warning',  true,  'sync_order_status',       5, 'email', 'normal',   30, 0,
   'DB order status differs from the broker''s (mapped) status'),
  ('order_not_found',       'warning',  true,  'resolve_order_not_found', 3, 'email', 'high',     10, 0,
   'Broker answers 404 for an order the DB thinks is live'),
  ('phantom_position',      'critical', true,  'close_phantom_at_fill',   2, 'email', 'high',      3, 5,
   'Open in the DB, flat at the broker (positive broker answer only)'),
  ('orphan_position',       'critical', true,  'import_orphan_external',  1, 'email', 'critical',  5, 0,
   'Held at the broker, unknown to the DB'),
  ('qty_mismatch',          'warning',  true,  'adopt_fills',             2, 'email', 'high',     10, 5,
   'DB open quantity differs from the broker position quantity'),
  ('stuck_order',           'warning',  false, NULL,                      1, 'email', 'normal',   10, 5,
   'Order in a non-terminal state longer than its per-state threshold, after a by-id lookup'),
  ('stale_cycle',           'warning',  false, NULL,                      1, 'email', 'normal',   10, 5,
   'Live trading cycle without activity for more than 30 minutes'),
  ('stale_pnl',             'warning',  false, NULL,                      1, 'email', 'normal',   10, 5,
   'Open position marks (last_price_at) are stale, so the daily-loss check is blind'),
  ('missing_stop',          'critical', false, NULL,                      1, 'email', 'critical', 10, 5,
   'Open position without a live protective stop order'),
  ('dead_man',              'critical', false, NULL,                      1, 'email', 'critical', 10, 5,
   'No doctor sweep recorded within twice the sweep interval'),
  ('broker_unreachable',    'critical', false, NULL,                      1, 'email', 'high',     10, 5,
   'Broker did not answer; position/order diffing skipped for this sweep'),
  ('database_error',        'critical', false, NULL,                      1, 'email', 'critical', 10, 5,
   'Database unavailable or a query failed; escalated directly, may not be loggable'),
  ('daily_loss_warning',    'warning',  false, NULL,                      1, 'email', 'high',     10, 5,
   'Daily loss (realized + unrealized, ET day) passed the warning percentage of the limit'),
  ('daily_loss_limit',      'critical', false, NULL,                      1, 'email', 'critical', 10, 5,
   'Daily loss limit reached; new entries are halted');

-- ---------------------------------------------------------------------------
-- claude_activity_log: observations -> decisions -> actions, written by the doctor and by the
-- Claude Code agent (`catalyst activity log`). cycle_id has the same type as trading_cycles.
CREATE TABLE claude_activity_log (
  log_id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  logged_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  session_id          TEXT,
  cycle_id            UUID REFERENCES trading_cycles (cycle_id) ON DELETE SET NULL,
  sweep_id            BIGINT REFERENCES doctor_sweeps (sweep_id) ON DELETE SET NULL,
  observation_type    TEXT NOT NULL,
  observation_summary JSONB,
  issues_found        INTEGER NOT NULL DEFAULT 0,
  critical_count      INTEGER NOT NULL DEFAULT 0,
  warning_count       INTEGER NOT NULL DEFAULT 0,
  decision            TEXT,
  decision_reasoning  TEXT,
  action_type         TEXT,
  action_detail       TEXT,
  action_target       TEXT,                 -- table or entity acted on
  action_result       TEXT,
  error_message       TEXT,
  issue_type          TEXT,                 -- doctor_claude_rules.issue_type (not an FK: new
                                            -- types may be logged before a rule exists)
  issue_severity      TEXT,
  entity              TEXT,                 -- e.g. 'order:42', 'position:7', 'symbol:AAPL'
  fix_duration_ms     INTEGER,
  sweep_duration_ms   INTEGER,
  metadata            JSONB NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT claude_activity_log_observation_check CHECK (observation_type IN
    ('sweep', 'manual_check', 'alert_triggered', 'startup', 'shutdown')),
  CONSTRAINT claude_activity_log_decision_check CHECK (decision IS NULL OR decision IN
    ('auto_fix', 'escalate', 'monitor', 'no_action', 'defer')),
  CONSTRAINT claude_activity_log_action_type_check CHECK (action_type IS NULL OR action_type IN
    ('db_update', 'db_insert', 'broker_read', 'alert_sent', 'none')),
  CONSTRAINT claude_activity_log_action_result_check CHECK (action_result IS NULL OR action_result IN
    ('success', 'failed', 'partial', 'pending', 'skipped')),
  CONSTRAINT claude_activity_log_failed_has_error
    CHECK (action_result IS DISTINCT FROM 'failed' OR error_message IS NOT NULL),
  CONSTRAINT claude_activity_log_issue_type_format
    CHECK (issue_type IS NULL OR issue_type ~ '^[a-z][a-z0-9_]*$'),
  CONSTRAINT claude_activity_log_severity_check
    CHECK (issue_severity IS NULL OR issue_severity IN ('critical', 'warning', 'info')),
  CONSTRAINT claude_activity_log_counts_check
    CHECK (issues_found >= 0 AND critical_count >= 0 AND warning_count >= 0),
  CONSTRAINT claude_activity_log_durations_check CHECK (
    (fix_duration_ms IS NULL OR fix_duration_ms >= 0) AND (sweep_duration_ms IS NULL OR sweep_duration_ms >= 0))
);
CREATE INDEX claude_activity_log_logged_idx ON claude_activity_log (logged_at DESC);
CREATE INDEX claude_activity_log_session_idx ON claude_activity_log (session_id);
CREATE INDEX claude_activity_log_cycle_idx ON claude_activity_log (cycle_id) WHERE cycle_id IS NOT NULL;
CREATE INDEX claude_activity_log_sweep_idx ON claude_activity_log (sweep_id) WHERE sweep_id IS NOT NULL;
CREATE INDEX claude_activity_log_decision_idx ON claude_activity_log (decision, logged_at DESC);
CREATE INDEX claude_activity_log_issue_idx ON claude_activity_log (issue_type, logged_at DESC)
  WHERE issue_type IS NOT NULL;
CREATE INDEX claude_activity_log_failed_idx ON claude_activity_log (logged_at DESC)
  WHERE action_result = 'failed';

-- Rate limit for auto-fixes, per the rule row: active and enabled, fewer than
-- max_auto_fixes_per_hour auto_fix attempts of this type in the last hour, and none for the same
-- entity (or, with no entity given, of this type) within cooldown_minutes. Unknown type -> false.
CREATE FUNCTION doctor_can_auto_fix(p_issue_type TEXT, p_entity TEXT DEFAULT NULL) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
  SELECT coalesce((
    SELECT r.auto_fix_enabled
       AND (SELECT count(*) FROM claude_activity_log l
             WHERE l.issue_type = r.issue_type AND l.decision = 'auto_fix'
               AND l.logged_at > now() - interval '1 hour') < r.max_auto_fixes_per_hour
       AND NOT EXISTS (SELECT 1 FROM claude_activity_log l
             WHERE l.issue_type = r.issue_type AND l.decision = 'auto_fix'
               AND (p_entity IS NULL OR l.entity = p_entity)
               AND l.logged_at > now() - make_interval(mins => r.cooldown_minutes))
      FROM doctor_claude_rules r
     WHERE r.issue_type = p_issue_type AND r.is_active), false)
$$;
