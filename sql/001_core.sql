-- 001_core: reference data, trading cycles, scans, news.
-- Runs inside one transaction opened by the runner; must run unchanged on PostgreSQL 15+ and PGlite.
-- Conventions used by every migration:
--   * ids are BIGINT identity, except trading_cycles.cycle_id which is UUID (opaque, generated here)
--   * prices NUMERIC(14,4), money NUMERIC(14,2), share quantities NUMERIC(18,6) (fractional shares)
--   * timestamps are TIMESTAMPTZ; the ET trading day is always derived with an explicit
--     AT TIME ZONE 'America/New_York', never from the server's TimeZone setting
--   * vocabularies are lower-case and enforced by CHECK constraints

-- Shared updated_at trigger. Bumps only on a real change, so no-op upserts
-- (e.g. get_or_create_security) leave the timestamp alone.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW IS DISTINCT FROM OLD THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;

-- ---------------------------------------------------------------------------
-- sectors: the 11 GICS sectors, keyed by their SPDR sector ETF.
CREATE TABLE sectors (
  sector_id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sector_code TEXT NOT NULL UNIQUE,           -- SPDR ETF symbol, e.g. XLK
  sector_name TEXT NOT NULL UNIQUE,
  gics_code   TEXT NOT NULL UNIQUE,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT sectors_code_upper CHECK (sector_code = upper(sector_code)),
  CONSTRAINT sectors_gics_code_format CHECK (gics_code ~ '^[0-9]{2}$')
);

INSERT INTO sectors (sector_code, sector_name, gics_code) VALUES
  ('XLE',  'Energy',                 '10'),
  ('XLB',  'Materials',              '15'),
  ('XLI',  'Industrials',            '20'),
  ('XLY',  'Consumer Discretionary', '25'),
  ('XLP',  'Consumer Staples',       '30'),
  ('XLV',  'Health Care',            '35'),
  ('XLF',  'Financials',             '40'),
  ('XLK',  'Information Technology', '45'),
  ('XLC',  'Communication Services', '50'),
  ('XLU',  'Utilities',              '55'),
  ('XLRE', 'Real Estate',            '60');

-- ---------------------------------------------------------------------------
-- securities: the ONLY place a ticker symbol is stored (3NF); everything else holds security_id.
CREATE TABLE securities (
  security_id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  symbol          TEXT NOT NULL UNIQUE,
  name            TEXT,
  sector_id       BIGINT REFERENCES sectors (sector_id),
  industry        TEXT,
  exchange        TEXT,
  asset_class     TEXT NOT NULL DEFAULT 'us_equity',
  broker_asset_id TEXT UNIQUE,                -- Alpaca asset id, when known
  is_tradable     BOOLEAN NOT NULL DEFAULT true,
  is_shortable    BOOLEAN NOT NULL DEFAULT false,
  is_fractionable BOOLEAN NOT NULL DEFAULT false,
  is_active       BOOLEAN NOT NULL DEFAULT true,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT securities_symbol_upper CHECK (symbol = upper(symbol)),
  -- Alpaca symbols: letters/digits plus '.', '/', '-' (BRK.B); no blanks.
  CONSTRAINT securities_symbol_format CHECK (symbol ~ '^[A-Z0-9][A-Z0-9./-]{0,19}$')
);
CREATE INDEX securities_sector_idx ON securities (sector_id);
CREATE TRIGGER securities_updated_at BEFORE UPDATE ON securities
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Race-safe lookup-or-insert (the original did select-then-insert). Callers pass any case;
-- the symbol is trimmed and upper-cased here, and a bad symbol fails the CHECKs.
CREATE FUNCTION get_or_create_security(p_symbol TEXT) RETURNS BIGINT
LANGUAGE sql AS $$
  INSERT INTO securities (symbol) VALUES (upper(btrim(p_symbol)))
  ON CONFLICT (symbol) DO UPDATE SET symbol = EXCLUDED.symbol
  RETURNING security_id
$$;

-- ---------------------------------------------------------------------------
-- trading_cycles: one run of the trading day's state machine.
CREATE TABLE trading_cycles (
  cycle_id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  trading_date     DATE NOT NULL DEFAULT ((now() AT TIME ZONE 'America/New_York')::date),
  state            TEXT NOT NULL DEFAULT 'created',
  mode             TEXT NOT NULL DEFAULT 'normal',
  started_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  ended_at         TIMESTAMPTZ,
  config           JSONB NOT NULL DEFAULT '{}'::jsonb,
  error_message    TEXT,
  last_activity_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT trading_cycles_state_check CHECK (state IN
    ('created', 'scanning', 'trading', 'monitoring', 'closing', 'closed', 'halted', 'error')),
  -- risk profile only; session modes like 'autonomous' are not modes (seed K36)
  CONSTRAINT trading_cycles_mode_check CHECK (mode IN ('conservative', 'normal', 'aggressive')),
  -- terminal states are exactly the ones with an end time
  CONSTRAINT trading_cycles_ended_check CHECK ((state IN ('closed', 'error')) = (ended_at IS NOT NULL)),
  CONSTRAINT trading_cycles_ended_after_start CHECK (ended_at IS NULL OR ended_at >= started_at),
  CONSTRAINT trading_cycles_error_message CHECK (state <> 'error' OR error_message IS NOT NULL)
);
-- At most ONE non-terminal cycle in the whole system (which implies one per ET day).
-- Global rather than per-day on purpose: positions and the daily-loss limit are account-wide,
-- so two live cycles would trade against each other. 'halted' counts as live: it may still
-- hold positions and must go through closing -> closed. A cycle left over from a crash must be
-- moved to closed/error (doctor: stale_cycle) before the next one can start.
CREATE UNIQUE INDEX trading_cycles_one_active ON trading_cycles ((true))
  WHERE state NOT IN ('closed', 'error');
CREATE INDEX trading_cycles_date_idx ON trading_cycles (trading_date DESC, started_at DESC);
CREATE TRIGGER trading_cycles_updated_at BEFORE UPDATE ON trading_cycles
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------
-- scan_results: the ranked candidates of a cycle (one row per security per cycle; re-scans upsert).
CREATE TABLE scan_results (
  scan_result_id  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cycle_id        UUID NOT NULL REFERENCES trading_cycles (cycle_id) ON DELETE CASCADE,
  security_id     BIGINT NOT NULL REFERENCES securities (security_id),
  scanned_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  rank            INTEGER NOT NULL,
  price           NUMERIC(14,4) NOT NULL,
  volume          BIGINT NOT NULL DEFAULT 0,
  gap_pct         NUMERIC(10,4),
  change_pct      NUMERIC(10,4),
  relative_volume NUMERIC(12,4),
  direction       TEXT NOT NULL DEFAULT 'long',
  -- scores are on the scale of scoring_version; not range-checked here on purpose
  composite_score NUMERIC(10,4) NOT NULL,
  catalyst_score  NUMERIC(10,4),
  technical_score NUMERIC(10,4),
  pattern_score   NUMERIC(10,4),
  volume_score    NUMERIC(10,4),
  momentum_score  NUMERIC(10,4),
  scoring_version TEXT NOT NULL,
  reasons         JSONB NOT NULL DEFAULT '[]'::jsonb,
  selected        BOOLEAN NOT NULL DEFAULT false,
  suggested_entry NUMERIC(14,4),
  suggested_stop  NUMERIC(14,4),
  suggested_target NUMERIC(14,4),
  metadata        JSONB NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT scan_results_cycle_security_key UNIQUE (cycle_id, security_id),
  CONSTRAINT scan_results_rank_check CHECK (rank >= 1),
  CONSTRAINT scan_results_price_check CHECK (price > 0),
  CONSTRAINT scan_results_volume_check CHECK (volume >= 0),
  CONSTRAINT scan_results_relvol_check CHECK (relative_volume IS NULL OR relative_volume >= 0),
  CONSTRAINT scan_results_direction_check CHECK (direction IN ('long', 'short')),
  CONSTRAINT scan_results_suggested_check CHECK (
    (suggested_entry IS NULL OR suggested_entry > 0) AND
    (suggested_stop IS NULL OR suggested_stop > 0) AND
    (suggested_target IS NULL OR suggested_target > 0))
);
CREATE INDEX scan_results_security_idx ON scan_results (security_id, scanned_at DESC);
CREATE INDEX scan_results_cycle_rank_idx ON scan_results (cycle_id, rank);

-- ---------------------------------------------------------------------------
-- news_articles: one row per distinct article; securities are linked via news_article_securities.
-- All text here is external, untrusted input.
CREATE TABLE news_articles (
  article_id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source               TEXT NOT NULL,            -- feed: 'alpaca', 'venue', 'benzinga', ...
  source_article_id    TEXT,                     -- the feed's own id, when it has one
  dedupe_key           TEXT NOT NULL UNIQUE,     -- set by the ingester; a re-ingest is a no-op
  headline             TEXT NOT NULL,
  summary              TEXT,
  content              TEXT,
  url                  TEXT,
  author               TEXT,
  published_at         TIMESTAMPTZ NOT NULL,
  sentiment_score      NUMERIC(5,4),
  sentiment_label      TEXT,
  sentiment_confidence NUMERIC(5,4),
  sentiment_model      TEXT,                     -- e.g. 'finbert' or 'lexicon-v1'
  sentiment_at         TIMESTAMPTZ,
  catalyst_type        TEXT,                     -- earnings, fda, merger_acquisition, guidance, ...
  catalyst_strength    NUMERIC(5,4),
  metadata             JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT news_articles_source_id_key UNIQUE (source, source_article_id),
  CONSTRAINT news_articles_sentiment_score_check
    CHECK (sentiment_score IS NULL OR sentiment_score BETWEEN -1 AND 1),
  CONSTRAINT news_articles_sentiment_label_check
    CHECK (sentiment_label IS NULL OR sentiment_label IN ('negative', 'neutral', 'positive')),
  CONSTRAINT news_articles_sentiment_conf_check
    CHECK (sentiment_confidence IS NULL OR sentiment_confidence BETWEEN 0 AND 1),
  -- a score without its label and model is unexplainable
  CONSTRAINT news_articles_sentiment_complete CHECK (
    sentiment_score IS NULL OR (sentiment_label IS NOT NULL AND sentiment_model IS NOT NULL)),
  -- open vocabulary, but one spelling (no 'FDA' vs 'fda' drift)
  CONSTRAINT news_articles_catalyst_type_format
    CHECK (catalyst_type IS NULL OR catalyst_type ~ '^[a-z][a-z0-9_]*$'),
  CONSTRAINT news_articles_catalyst_strength_check
    CHECK (catalyst_strength IS NULL OR catalyst_strength BETWEEN 0 AND 1),
  CONSTRAINT news_articles_catalyst_complete
    CHECK ((catalyst_type IS NULL) = (catalyst_strength IS NULL))
);
CREATE INDEX news_articles_published_idx ON news_articles (published_at DESC);
CREATE INDEX news_articles_catalyst_idx ON news_articles (catalyst_type, catalyst_strength DESC)
  WHERE catalyst_type IS NOT NULL;
CREATE TRIGGER news_articles_updated_at BEFORE UPDATE ON news_articles
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE news_article_securities (
  article_id  BIGINT NOT NULL REFERENCES news_articles (article_id) ON DELETE CASCADE,
  security_id BIGINT NOT NULL REFERENCES securities (security_id),
  relevance   NUMERIC(5,4),
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (article_id, security_id),
  CONSTRAINT news_article_securities_relevance_check
    CHECK (relevance IS NULL OR relevance BETWEEN 0 AND 1)
);
CREATE INDEX news_article_securities_security_idx ON news_article_securities (security_id, article_id);
