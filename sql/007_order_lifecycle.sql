-- 007_order_lifecycle: one live exit per position, enforced by the schema; positions a trader marks
-- to hold overnight; every attempt to bring a position flat, recorded on it.

-- At most one exit working per position, whatever path sends it (REST or MCP close, flatten,
-- emergency stop, end of day): a second close finds the first and returns it.
CREATE UNIQUE INDEX orders_one_live_exit_per_position ON orders (position_id)
  WHERE role = 'exit' AND status IN ('created', 'submitted', 'accepted', 'partial_fill');

-- Exempt from the end-of-day flatten; it keeps its stop overnight. Off unless the trader sets it.
ALTER TABLE positions ADD COLUMN hold_overnight BOOLEAN NOT NULL DEFAULT false;

-- position_exit_attempts: each step taken to close a position, in order.
--   action  exit_sent       an exit order went to the broker (order_id)
--           exit_refused    the broker refused it (detail: why)
--           protected       a stop was placed again on what is held (order_id), e.g. after a refusal
--                           or at the close with shares left
--           protect_failed  that stop could not be placed (detail: why): the position is naked
CREATE TABLE position_exit_attempts (
  attempt_id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  position_id  BIGINT NOT NULL REFERENCES positions (position_id),
  order_id     BIGINT REFERENCES orders (order_id),
  action       TEXT NOT NULL,
  reason       TEXT NOT NULL,
  detail       TEXT NOT NULL DEFAULT '',
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT position_exit_attempts_action_check
    CHECK (action IN ('exit_sent', 'exit_refused', 'protected', 'protect_failed'))
);
CREATE INDEX position_exit_attempts_position_idx ON position_exit_attempts (position_id, attempt_id);

-- The doctor's escalation of a position left open past the close (the flattener leaves it a stop).
INSERT INTO doctor_claude_rules (issue_type, default_severity, auto_fix_enabled, fix_action,
  escalate_threshold, escalation_channel, escalation_priority, max_auto_fixes_per_hour,
  cooldown_minutes, description) VALUES
  ('not_flat_at_close',     'critical', false, NULL,                      1, 'email', 'critical', 10, 5,
   'A Catalyst position open past the close that the trader did not mark to hold overnight');
