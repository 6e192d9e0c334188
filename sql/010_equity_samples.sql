-- 009_equity_samples: the day's equity marked to market, sampled by reporting through the session,
-- so the cockpit can draw the curve with open positions' swings (closed trades alone miss them).

CREATE TABLE equity_samples (
  sampled_at    TIMESTAMPTZ PRIMARY KEY,           -- the market's time (the venue's clock in sim mode)
  trading_date  DATE NOT NULL,                     -- America/New_York
  start_equity  NUMERIC(16,2) NOT NULL,            -- the account's equity at the previous close
  realized      NUMERIC(16,2) NOT NULL,            -- positions closed this trading day
  unrealized    NUMERIC(16,2) NOT NULL             -- open positions at their last price
);
CREATE INDEX equity_samples_day ON equity_samples (trading_date, sampled_at);
