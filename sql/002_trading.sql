-- 002_trading: orders, fills, positions, risk.
-- "Orders are not positions": an order row exists before the broker is called; a position exists
-- only once an entry order has filled; fills are immutable rows applied idempotently.

-- Append-only guard for tables that record facts (fills, risk_parameters versions).
-- TRUNCATE is not affected (row triggers do not fire), so test resets still work.
CREATE FUNCTION reject_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END
$$;

-- ---------------------------------------------------------------------------
-- orders: every order Catalyst sends, plus orders the doctor records from the broker.
CREATE TABLE orders (
  order_id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_order_id      TEXT NOT NULL UNIQUE,   -- deterministic; the idempotency key sent to Alpaca
  broker_order_id      TEXT UNIQUE,            -- NULL until the broker answers
  security_id          BIGINT NOT NULL REFERENCES securities (security_id),
  cycle_id             UUID REFERENCES trading_cycles (cycle_id),
  position_id          BIGINT,                 -- FK added after positions exists
  parent_order_id      BIGINT,                 -- bracket/oto legs -> their entry
  replaced_by_order_id BIGINT REFERENCES orders (order_id),
  role                 TEXT NOT NULL,
  order_class          TEXT NOT NULL DEFAULT 'simple',
  side                 TEXT NOT NULL,
  order_type           TEXT NOT NULL,
  time_in_force        TEXT NOT NULL DEFAULT 'day',
  qty                  NUMERIC(18,6) NOT NULL,
  filled_qty           NUMERIC(18,6) NOT NULL DEFAULT 0,
  limit_price          NUMERIC(14,4),
  stop_price           NUMERIC(14,4),
  trail_price          NUMERIC(14,4),
  trail_percent        NUMERIC(7,4),
  filled_avg_price     NUMERIC(14,4),
  status               TEXT NOT NULL DEFAULT 'created',
  broker_status        TEXT,                   -- raw Alpaca status, audit only; never branch on it
  source               TEXT NOT NULL DEFAULT 'catalyst',
  submitted_at         TIMESTAMPTZ,
  accepted_at          TIMESTAMPTZ,
  filled_at            TIMESTAMPTZ,
  cancelled_at         TIMESTAMPTZ,
  expired_at           TIMESTAMPTZ,
  rejection_reason     TEXT,
  cancel_reason        TEXT,
  metadata             JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),

  -- targets of composite FKs that keep legs, fills and positions on the same security/side
  CONSTRAINT orders_id_security_key UNIQUE (order_id, security_id),
  CONSTRAINT orders_id_side_key UNIQUE (order_id, side),
  CONSTRAINT orders_parent_fk FOREIGN KEY (parent_order_id, security_id)
    REFERENCES orders (order_id, security_id),

  -- the ONE internal vocabulary; every Alpaca status is mapped to it in code
  CONSTRAINT orders_status_check CHECK (status IN ('created', 'submitted', 'accepted', 'partial_fill',
    'filled', 'cancelled', 'rejected', 'expired', 'replaced')),
  CONSTRAINT orders_role_check CHECK (role IN
    ('entry', 'stop_loss', 'take_profit', 'exit', 'scale_in', 'scale_out')),
  CONSTRAINT orders_class_check CHECK (order_class IN ('simple', 'bracket', 'oco', 'oto')),
  CONSTRAINT orders_side_check CHECK (side IN ('buy', 'sell')),
  CONSTRAINT orders_type_check CHECK (order_type IN
    ('market', 'limit', 'stop', 'stop_limit', 'trailing_stop')),
  CONSTRAINT orders_tif_check CHECK (time_in_force IN ('day', 'gtc', 'ioc', 'fok', 'opg', 'cls')),
  CONSTRAINT orders_source_check CHECK (source IN ('catalyst', 'external', 'doctor')),
  CONSTRAINT orders_client_order_id_len CHECK (length(client_order_id) BETWEEN 1 AND 128),

  CONSTRAINT orders_qty_check CHECK (qty > 0),
  CONSTRAINT orders_filled_qty_check CHECK (filled_qty >= 0 AND filled_qty <= qty),
  CONSTRAINT orders_prices_positive CHECK (
    (limit_price IS NULL OR limit_price > 0) AND (stop_price IS NULL OR stop_price > 0) AND
    (trail_price IS NULL OR trail_price > 0) AND (trail_percent IS NULL OR trail_percent > 0) AND
    (filled_avg_price IS NULL OR filled_avg_price > 0)),
  -- price fields must match the order type
  CONSTRAINT orders_limit_price_needed
    CHECK ((order_type IN ('limit', 'stop_limit')) = (limit_price IS NOT NULL)),
  CONSTRAINT orders_stop_price_needed
    CHECK (order_type NOT IN ('stop', 'stop_limit') OR stop_price IS NOT NULL),
  CONSTRAINT orders_no_stop_price
    CHECK (order_type NOT IN ('market', 'limit') OR stop_price IS NULL),
  CONSTRAINT orders_trail_needed CHECK (
    (order_type = 'trailing_stop') = (trail_price IS NOT NULL OR trail_percent IS NOT NULL)
    AND NOT (trail_price IS NOT NULL AND trail_percent IS NOT NULL)),

  -- order structure: entries are roots; legs of a bracket hang off their entry
  CONSTRAINT orders_entry_no_parent CHECK (role <> 'entry' OR parent_order_id IS NULL),
  CONSTRAINT orders_bracket_leg_parent
    CHECK (order_class <> 'bracket' OR role = 'entry' OR parent_order_id IS NOT NULL),
  CONSTRAINT orders_not_own_parent CHECK (parent_order_id IS NULL OR parent_order_id <> order_id),
  CONSTRAINT orders_stop_loss_type
    CHECK (role <> 'stop_loss' OR order_type IN ('stop', 'stop_limit', 'trailing_stop')),
  CONSTRAINT orders_take_profit_type CHECK (role <> 'take_profit' OR order_type = 'limit'),
  -- DAY brackets expired every evening and left positions unprotected (seed K14)
  CONSTRAINT orders_bracket_gtc CHECK (order_class <> 'bracket' OR time_in_force = 'gtc'),

  -- status consistency
  CONSTRAINT orders_created_unsent CHECK (status <> 'created' OR broker_order_id IS NULL),
  CONSTRAINT orders_broker_id_known CHECK (
    status NOT IN ('accepted', 'partial_fill', 'filled', 'replaced') OR broker_order_id IS NOT NULL),
  CONSTRAINT orders_partial_fill_qty CHECK (status <> 'partial_fill' OR (filled_qty > 0 AND filled_qty < qty)),
  CONSTRAINT orders_filled_complete CHECK (status <> 'filled' OR (filled_qty = qty AND filled_at IS NOT NULL)),
  CONSTRAINT orders_fill_price_known CHECK (filled_qty = 0 OR filled_avg_price IS NOT NULL)
);
-- "open" = may still reach the broker or fill; the doctor and risk scan this constantly
CREATE INDEX orders_open_idx ON orders (status, created_at)
  WHERE status IN ('created', 'submitted', 'accepted', 'partial_fill');
CREATE INDEX orders_security_idx ON orders (security_id, created_at DESC);
CREATE INDEX orders_cycle_idx ON orders (cycle_id) WHERE cycle_id IS NOT NULL;
CREATE INDEX orders_parent_idx ON orders (parent_order_id) WHERE parent_order_id IS NOT NULL;
CREATE INDEX orders_position_idx ON orders (position_id) WHERE position_id IS NOT NULL;
CREATE INDEX orders_submitted_idx ON orders (submitted_at DESC) WHERE submitted_at IS NOT NULL;
CREATE TRIGGER orders_updated_at BEFORE UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------
-- positions: shares actually held. Created only from an entry fill (source 'catalyst') or imported
-- by the doctor from the broker (source 'external', orphans). Never carries broker order data.
CREATE TABLE positions (
  position_id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  security_id     BIGINT NOT NULL REFERENCES securities (security_id),
  cycle_id        UUID REFERENCES trading_cycles (cycle_id),
  entry_order_id  BIGINT UNIQUE,              -- one position per entry order
  side            TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'open',
  qty             NUMERIC(18,6) NOT NULL,
  avg_entry_price NUMERIC(14,4) NOT NULL,
  opened_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  closed_at       TIMESTAMPTZ,
  avg_exit_price  NUMERIC(14,4),
  realized_pnl    NUMERIC(14,2) NOT NULL DEFAULT 0,  -- cumulative, from exit fills only
  last_price      NUMERIC(14,4),                     -- latest mark; unrealized P&L is derived from it
  last_price_at   TIMESTAMPTZ,
  stop_loss       NUMERIC(14,4),
  take_profit     NUMERIC(14,4),
  initial_risk    NUMERIC(14,2),                     -- $ at risk at entry, for R multiples
  source          TEXT NOT NULL DEFAULT 'catalyst',
  close_reason    TEXT,
  pattern         TEXT,
  catalyst        TEXT,
  metadata        JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),

  CONSTRAINT positions_id_security_key UNIQUE (position_id, security_id),
  CONSTRAINT positions_entry_order_fk FOREIGN KEY (entry_order_id, security_id)
    REFERENCES orders (order_id, security_id),

  CONSTRAINT positions_side_check CHECK (side IN ('long', 'short')),
  CONSTRAINT positions_status_check CHECK (status IN ('open', 'closed')),
  CONSTRAINT positions_source_check CHECK (source IN ('catalyst', 'external')),
  CONSTRAINT positions_qty_check CHECK (qty >= 0),
  CONSTRAINT positions_open_state CHECK (status <> 'open' OR (qty > 0 AND closed_at IS NULL)),
  -- a close needs the real exit price; P&L is never guessed (seed K8)
  CONSTRAINT positions_closed_state CHECK (status <> 'closed' OR
    (qty = 0 AND closed_at IS NOT NULL AND avg_exit_price IS NOT NULL AND close_reason IS NOT NULL)),
  CONSTRAINT positions_closed_after_open CHECK (closed_at IS NULL OR closed_at >= opened_at),
  -- Catalyst's own positions come from an entry fill; only imports lack an entry order
  CONSTRAINT positions_entry_order_needed CHECK (source = 'external' OR entry_order_id IS NOT NULL),
  CONSTRAINT positions_prices_positive CHECK (
    avg_entry_price > 0 AND (avg_exit_price IS NULL OR avg_exit_price > 0) AND
    (last_price IS NULL OR last_price > 0) AND (stop_loss IS NULL OR stop_loss > 0) AND
    (take_profit IS NULL OR take_profit > 0)),
  CONSTRAINT positions_last_price_time CHECK ((last_price IS NULL) = (last_price_at IS NULL)),
  CONSTRAINT positions_close_reason_format
    CHECK (close_reason IS NULL OR close_reason ~ '^[a-z][a-z0-9_]*$'),
  CONSTRAINT positions_initial_risk_check CHECK (initial_risk IS NULL OR initial_risk >= 0)
);
-- at most one open position per security (the broker nets per symbol anyway)
CREATE UNIQUE INDEX positions_one_open_per_security ON positions (security_id) WHERE status = 'open';
CREATE INDEX positions_cycle_idx ON positions (cycle_id) WHERE cycle_id IS NOT NULL;
CREATE INDEX positions_closed_at_idx ON positions (closed_at DESC) WHERE status = 'closed';
CREATE INDEX positions_security_idx ON positions (security_id, opened_at DESC);
CREATE TRIGGER positions_updated_at BEFORE UPDATE ON positions
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- an order's position must be on the same security
ALTER TABLE orders ADD CONSTRAINT orders_position_fk FOREIGN KEY (position_id, security_id)
  REFERENCES positions (position_id, security_id);

-- ---------------------------------------------------------------------------
-- fills: one row per execution. broker_fill_id is the idempotency key: apply a fill with
-- INSERT ... ON CONFLICT (broker_fill_id) DO NOTHING RETURNING fill_id, and touch the position
-- only if a row came back, all in one transaction.
CREATE TABLE fills (
  fill_id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id       BIGINT NOT NULL,
  side           TEXT NOT NULL,
  -- Alpaca execution_id (trade_updates) or activity id; for fills learnt only from order polling
  -- use a deterministic key such as '<broker_order_id>:<cumulative filled qty>'
  broker_fill_id TEXT NOT NULL UNIQUE,
  qty            NUMERIC(18,6) NOT NULL,
  price          NUMERIC(14,4) NOT NULL,
  filled_at      TIMESTAMPTZ NOT NULL,
  received_via   TEXT NOT NULL DEFAULT 'stream',
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- the side is the order's side, enforced rather than trusted
  CONSTRAINT fills_order_fk FOREIGN KEY (order_id, side) REFERENCES orders (order_id, side),
  CONSTRAINT fills_side_check CHECK (side IN ('buy', 'sell')),
  CONSTRAINT fills_qty_check CHECK (qty > 0),
  CONSTRAINT fills_price_check CHECK (price > 0),
  CONSTRAINT fills_received_via_check CHECK (received_via IN ('stream', 'poll', 'doctor'))
);
CREATE INDEX fills_order_idx ON fills (order_id, filled_at);
CREATE INDEX fills_filled_at_idx ON fills (filled_at DESC);
CREATE TRIGGER fills_append_only BEFORE UPDATE OR DELETE ON fills
  FOR EACH ROW EXECUTE FUNCTION reject_row_change();

-- Fills of one order may never add up to more than the order's qty. AFTER INSERT, so a replay
-- skipped by ON CONFLICT DO NOTHING never reaches it; the row lock serialises concurrent
-- fills of the same order (FOR NO KEY UPDATE does not conflict with the FK's KEY SHARE lock).
CREATE FUNCTION fills_check_order_qty() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_order_qty NUMERIC;
  v_total     NUMERIC;
BEGIN
  SELECT qty INTO v_order_qty FROM orders WHERE order_id = NEW.order_id FOR NO KEY UPDATE;
  SELECT sum(qty) INTO v_total FROM fills WHERE order_id = NEW.order_id;
  IF v_total > v_order_qty THEN
    RAISE EXCEPTION 'fills of order % total %, more than its qty %', NEW.order_id, v_total, v_order_qty
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER fills_qty_guard AFTER INSERT ON fills
  FOR EACH ROW EXECUTE FUNCTION fills_check_order_qty();

-- ---------------------------------------------------------------------------
-- risk_parameters: versioned, append-only. The current set is the newest row with
-- effective_from <= now() (see v_current_risk_parameters). Percentages are 0..100.
CREATE TABLE risk_parameters (
  risk_parameters_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  effective_from          TIMESTAMPTZ NOT NULL DEFAULT now() UNIQUE,
  changed_by              TEXT NOT NULL,          -- 'migration', 'config', 'mcp:<tool>', ...
  change_reason           TEXT,
  max_open_positions      INTEGER NOT NULL,
  max_position_notional   NUMERIC(14,2) NOT NULL,
  max_position_pct_equity NUMERIC(6,2) NOT NULL,
  max_daily_loss          NUMERIC(14,2) NOT NULL,
  daily_loss_warn_pct     NUMERIC(6,2) NOT NULL,  -- warn at this % of max_daily_loss
  max_sector_exposure_pct NUMERIC(6,2) NOT NULL,
  min_reward_risk         NUMERIC(6,2) NOT NULL,
  max_trades_per_day      INTEGER NOT NULL,
  risk_per_trade_pct      NUMERIC(6,2) NOT NULL,  -- % of equity risked per trade (stop distance sizing)
  created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT risk_parameters_ranges CHECK (
    max_open_positions BETWEEN 1 AND 100 AND
    max_position_notional > 0 AND
    max_position_pct_equity > 0 AND max_position_pct_equity <= 100 AND
    max_daily_loss > 0 AND
    daily_loss_warn_pct > 0 AND daily_loss_warn_pct < 100 AND
    max_sector_exposure_pct > 0 AND max_sector_exposure_pct <= 100 AND
    min_reward_risk > 0 AND
    max_trades_per_day >= 1 AND
    risk_per_trade_pct > 0 AND risk_per_trade_pct <= 10)
);
CREATE TRIGGER risk_parameters_append_only BEFORE UPDATE OR DELETE ON risk_parameters
  FOR EACH ROW EXECUTE FUNCTION reject_row_change();

-- SPEC §6 defaults: 5 positions, $10,000 notional (20% of equity), $2,000 daily loss (warn 75%),
-- 40% per sector, reward:risk 1.5, 20 trades a day, 1% of equity at risk per trade.
-- effective_from is backdated so the row is in force for any clock (the sim clock may lag).
INSERT INTO risk_parameters (effective_from, changed_by, change_reason,
  max_open_positions, max_position_notional, max_position_pct_equity, max_daily_loss,
  daily_loss_warn_pct, max_sector_exposure_pct, min_reward_risk, max_trades_per_day, risk_per_trade_pct)
VALUES ('2000-01-01 00:00:00+00', 'migration', 'SPEC defaults',
  5, 10000.00, 20.00, 2000.00, 75.00, 40.00, 1.50, 20, 1.00);

-- ---------------------------------------------------------------------------
-- Risk halt state, split by lifetime:
--   risk_state       singleton: the kill switch (emergency stop). It persists across days and
--                    blocks entries until a human clears it.
--   risk_daily_state one row per ET trading day: the daily-loss halt, the 75% warning (sent once)
--                    and the day's entry count. A new day starts un-halted by construction.
--                    Risk can SELECT ... FOR UPDATE the day's row to serialise entry checks, so
--                    concurrent requests cannot race past a limit.
CREATE TABLE risk_state (
  singleton              BOOLEAN PRIMARY KEY DEFAULT true,
  kill_switch_active     BOOLEAN NOT NULL DEFAULT false,
  kill_switch_reason     TEXT,
  kill_switch_set_at     TIMESTAMPTZ,
  kill_switch_set_by     TEXT,
  kill_switch_cleared_at TIMESTAMPTZ,
  kill_switch_cleared_by TEXT,
  updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT risk_state_singleton CHECK (singleton),
  CONSTRAINT risk_state_kill_switch_explained CHECK (NOT kill_switch_active OR
    (kill_switch_reason IS NOT NULL AND kill_switch_set_at IS NOT NULL AND kill_switch_set_by IS NOT NULL))
);
COMMENT ON TABLE risk_state IS
  'Singleton (one row, singleton = true): the kill switch. Per-day halts live in risk_daily_state.';
INSERT INTO risk_state DEFAULT VALUES;
CREATE TRIGGER risk_state_updated_at BEFORE UPDATE ON risk_state
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE risk_daily_state (
  trading_date    DATE PRIMARY KEY,            -- ET trading day
  start_equity    NUMERIC(14,2),               -- broker last_equity at the prior close
  halted          BOOLEAN NOT NULL DEFAULT false,
  halted_at       TIMESTAMPTZ,
  halt_reason     TEXT,
  loss_warned_at  TIMESTAMPTZ,                 -- daily_loss_warning already escalated today
  entries_count   INTEGER NOT NULL DEFAULT 0,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT risk_daily_state_halt_explained
    CHECK (NOT halted OR (halted_at IS NOT NULL AND halt_reason IS NOT NULL)),
  CONSTRAINT risk_daily_state_entries_check CHECK (entries_count >= 0),
  CONSTRAINT risk_daily_state_equity_check CHECK (start_equity IS NULL OR start_equity >= 0)
);
COMMENT ON TABLE risk_daily_state IS
  'One row per ET trading day: daily-loss halt, loss warning, entry count. Lock the row to serialise limit checks.';
CREATE TRIGGER risk_daily_state_updated_at BEFORE UPDATE ON risk_daily_state
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------
-- risk_events: limit breaches, halts, kill-switch use, warnings.
CREATE TABLE risk_events (
  event_id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_type  TEXT NOT NULL,                   -- daily_loss_halt, position_limit, kill_switch, ...
  severity    TEXT NOT NULL,
  message     TEXT NOT NULL,
  details     JSONB NOT NULL DEFAULT '{}'::jsonb,
  cycle_id    UUID REFERENCES trading_cycles (cycle_id),
  position_id BIGINT REFERENCES positions (position_id),
  security_id BIGINT REFERENCES securities (security_id),
  order_id    BIGINT REFERENCES orders (order_id),
  resolved    BOOLEAN NOT NULL DEFAULT false,
  resolved_at TIMESTAMPTZ,
  resolved_by TEXT,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT risk_events_type_format CHECK (event_type ~ '^[a-z][a-z0-9_]*$'),
  CONSTRAINT risk_events_severity_check CHECK (severity IN ('info', 'warning', 'critical')),
  CONSTRAINT risk_events_resolved_check CHECK (resolved = (resolved_at IS NOT NULL))
);
CREATE INDEX risk_events_created_idx ON risk_events (created_at DESC);
CREATE INDEX risk_events_type_idx ON risk_events (event_type, created_at DESC);
CREATE INDEX risk_events_cycle_idx ON risk_events (cycle_id) WHERE cycle_id IS NOT NULL;
CREATE INDEX risk_events_unresolved_idx ON risk_events (created_at DESC) WHERE NOT resolved;
