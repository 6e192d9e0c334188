-- workflow_day_decisions: what the workflow decided about a trading day it did not simply start —
-- the trader skipped it (skip_day), or autostart was blocked (kill switch, daily-loss halt, a critical
-- doctor issue) — and, for the record, each autostart. Times are the market's (the venue's clock in sim).
CREATE TABLE workflow_day_decisions (
  decision_id  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trading_date DATE NOT NULL,
  decision     TEXT NOT NULL,
  reason       TEXT NOT NULL,
  cycle_id     UUID REFERENCES trading_cycles (cycle_id),
  decided_at   TIMESTAMPTZ NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT workflow_day_decisions_decision_check CHECK (decision IN ('started', 'blocked', 'skipped')),
  CONSTRAINT workflow_day_decisions_started_cycle CHECK ((decision = 'started') = (cycle_id IS NOT NULL))
);
-- A day is skipped once (a second skip_day is the same skip).
CREATE UNIQUE INDEX workflow_day_decisions_one_skip ON workflow_day_decisions (trading_date) WHERE decision = 'skipped';
CREATE INDEX workflow_day_decisions_date ON workflow_day_decisions (trading_date, decided_at DESC);
