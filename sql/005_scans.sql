-- 005_scans: a scan is a thing of its own. The scanner runs on demand as well as inside a cycle,
-- so scan_results belong to a scan (and through it, optionally, to a cycle), and a scan records
-- how it was made: scoring version, weights, filters, funnel counts, so a ranking can be explained later.

CREATE TABLE scans (
  scan_id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  cycle_id        UUID REFERENCES trading_cycles (cycle_id) ON DELETE SET NULL,
  mode            TEXT NOT NULL,
  -- the market's instant the scan describes (the venue's clock in sim mode), not the server's
  as_of           TIMESTAMPTZ NOT NULL,
  trading_date    DATE NOT NULL,
  universe_size   INTEGER NOT NULL,
  prefiltered     INTEGER NOT NULL,
  enriched        INTEGER NOT NULL,
  scoring_version TEXT NOT NULL,
  weights         JSONB NOT NULL,
  settings        JSONB NOT NULL DEFAULT '{}'::jsonb,
  warnings        JSONB NOT NULL DEFAULT '[]'::jsonb,
  duration_ms     INTEGER NOT NULL,
  stages_ms       JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT scans_mode_check CHECK (mode IN ('conservative', 'normal', 'aggressive')),
  CONSTRAINT scans_funnel_check CHECK (universe_size >= prefiltered AND prefiltered >= enriched AND enriched >= 0),
  CONSTRAINT scans_duration_check CHECK (duration_ms >= 0)
);
CREATE INDEX scans_as_of_idx ON scans (as_of DESC, created_at DESC);
CREATE INDEX scans_cycle_idx ON scans (cycle_id) WHERE cycle_id IS NOT NULL;

-- Nothing wrote scan_results before this migration, so the NOT NULL column needs no backfill.
ALTER TABLE scan_results ADD COLUMN scan_id UUID NOT NULL REFERENCES scans (scan_id) ON DELETE CASCADE;
ALTER TABLE scan_results ALTER COLUMN cycle_id DROP NOT NULL;
ALTER TABLE scan_results DROP CONSTRAINT scan_results_cycle_security_key;
ALTER TABLE scan_results ADD CONSTRAINT scan_results_scan_security_key UNIQUE (scan_id, security_id);
ALTER TABLE scan_results ADD CONSTRAINT scan_results_scan_rank_key UNIQUE (scan_id, rank);
