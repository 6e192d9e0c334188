-- alert_day_summaries: the end-of-day summary, once per trading day across restarts and clock jumps.
-- The notifier writes a day's row when it first sees that trading day (the summary is then owed),
-- one sender claims it, and it is stamped when sent. A day the market clock jumped past, or whose
-- evening the appliance was down, still has its row, so its summary goes at the next look.
CREATE TABLE alert_day_summaries (
  trading_date DATE PRIMARY KEY,
  owed_since   TIMESTAMPTZ NOT NULL,  -- the market's time the notifier first saw the day
  claimed_at   TIMESTAMPTZ,           -- the database's clock: a lease, so a sender that died mid-send is replaced
  sent_at      TIMESTAMPTZ,           -- the market's time it went
  CONSTRAINT alert_day_summaries_sent_claimed CHECK (sent_at IS NULL OR claimed_at IS NOT NULL)
);
CREATE INDEX alert_day_summaries_unsent ON alert_day_summaries (trading_date) WHERE sent_at IS NULL;
