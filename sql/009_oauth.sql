-- 009_oauth: OAuth 2.1 for remote MCP connectors (one trader). Every secret is stored as the hex
-- sha-256 of the value handed out; the value itself is never kept.
--   oauth_clients      dynamically registered clients (RFC 7591); a confidential one has a secret
--   oauth_grants       one row per authorization the trader approved: the token family a refresh
--                      token rotates within; revoked_at ends every token of the family
--   oauth_tokens       access (1 h) and refresh tokens of a grant; a refresh token is used once:
--                      rotated_at set, and presenting it again revokes the grant (reuse detection)
--   oauth_codes        authorization codes (PKCE S256), single use, minutes long
--   oauth_login_codes  one-time codes from `catalyst auth code`, typed into the authorize page
CREATE TABLE oauth_clients (
  client_id           TEXT PRIMARY KEY,
  client_secret_hash  TEXT,
  metadata            JSONB NOT NULL,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE oauth_grants (
  grant_id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_id    TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
  scope        TEXT NOT NULL,
  resource     TEXT NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_used_at TIMESTAMPTZ,
  revoked_at   TIMESTAMPTZ,
  revoked_why  TEXT
);

CREATE TABLE oauth_tokens (
  token_hash  TEXT PRIMARY KEY,
  grant_id    BIGINT NOT NULL REFERENCES oauth_grants (grant_id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
  scope       TEXT NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL,
  rotated_at  TIMESTAMPTZ
);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);

CREATE TABLE oauth_codes (
  code_hash       TEXT PRIMARY KEY,
  client_id       TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
  redirect_uri    TEXT NOT NULL,
  code_challenge  TEXT NOT NULL,
  scope           TEXT NOT NULL,
  resource        TEXT NOT NULL,
  expires_at      TIMESTAMPTZ NOT NULL,
  used_at         TIMESTAMPTZ,
  -- The grant the code was exchanged for: a second use of the code revokes it (RFC 6749 4.1.2).
  grant_id        BIGINT REFERENCES oauth_grants (grant_id) ON DELETE SET NULL
);

CREATE TABLE oauth_login_codes (
  code_hash   TEXT PRIMARY KEY,
  expires_at  TIMESTAMPTZ NOT NULL,
  used_at     TIMESTAMPTZ
);
