-- 006_doctor_issues: the doctor's issues from first sighting to resolution, and the escalation
-- e-mail outbox riding on them: one e-mail per new issue, however many sweeps see it again.

-- ---------------------------------------------------------------------------
-- doctor_issues: one row per issue while it lasts. A sweep that sees an open issue again only moves
-- last_seen_at/last_sweep_id/diff; one that ran the issue's check completely without seeing it
-- resolves it. If it comes back later it is a new row (and a new e-mail).
--   issue_key        `${issue_type}:${entity}`, unique among open rows
--   email_status     pending         to send (first try, or a retry once next_attempt_at passes
--                                    after 'failed')
--                    sent            delivered once; never again
--                    failed          the last try failed (email_last_error); retried at next_attempt_at
--                    not_configured  SMTP_URL not set when it was due: logged only
--   next_attempt_at  also a lease: a sender claims a row by moving it forward before sending, so two
--                    senders at once never both send it
CREATE TABLE doctor_issues (
  issue_id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  issue_key        TEXT NOT NULL,
  issue_type       TEXT NOT NULL,
  severity         TEXT NOT NULL,
  entity           TEXT NOT NULL,
  check_name       TEXT NOT NULL,
  first_seen_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_sweep_id    BIGINT NOT NULL REFERENCES doctor_sweeps (sweep_id),
  diff             JSONB NOT NULL,            -- {db, broker}: what each side says
  resolved_at      TIMESTAMPTZ,
  resolution       TEXT,
  email_status     TEXT NOT NULL DEFAULT 'pending',
  email_attempts   INTEGER NOT NULL DEFAULT 0,
  email_last_error TEXT,
  email_sent_at    TIMESTAMPTZ,
  next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT doctor_issues_key_check CHECK (issue_key = issue_type || ':' || entity),
  CONSTRAINT doctor_issues_issue_type_format CHECK (issue_type ~ '^[a-z][a-z0-9_]*$'),
  CONSTRAINT doctor_issues_severity_check CHECK (severity IN ('critical', 'warning', 'info')),
  CONSTRAINT doctor_issues_entity_check CHECK (entity <> ''),
  CONSTRAINT doctor_issues_diff_check CHECK (jsonb_typeof(diff) = 'object' AND diff ? 'db' AND diff ? 'broker'),
  CONSTRAINT doctor_issues_seen_order CHECK (last_seen_at >= first_seen_at),
  CONSTRAINT doctor_issues_resolved_check CHECK ((resolved_at IS NULL) = (resolution IS NULL)),
  CONSTRAINT doctor_issues_resolved_after_seen CHECK (resolved_at IS NULL OR resolved_at >= first_seen_at),
  CONSTRAINT doctor_issues_email_status_check
    CHECK (email_status IN ('pending', 'sent', 'failed', 'not_configured')),
  CONSTRAINT doctor_issues_email_sent_check CHECK ((email_status = 'sent') = (email_sent_at IS NOT NULL)),
  CONSTRAINT doctor_issues_email_failed_check CHECK (email_status <> 'failed' OR email_last_error IS NOT NULL),
  CONSTRAINT doctor_issues_email_attempts_check CHECK (email_attempts >= 0)
);
CREATE UNIQUE INDEX doctor_issues_open_key ON doctor_issues (issue_key) WHERE resolved_at IS NULL;
CREATE INDEX doctor_issues_open_critical_idx ON doctor_issues (issue_id)
  WHERE resolved_at IS NULL AND severity = 'critical';
CREATE INDEX doctor_issues_outbox_idx ON doctor_issues (next_attempt_at)
  WHERE email_status IN ('pending', 'failed');
CREATE INDEX doctor_issues_sweep_idx ON doctor_issues (last_sweep_id);
