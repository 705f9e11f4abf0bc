-- +goose Up
-- An impersonation (R4) belongs to the impersonator's session: while the session points at it,
-- every request runs as the impersonated user. User references carry no foreign key, like the
-- audit log's: removing a user for good must not rewrite the record of who impersonated whom.
CREATE TABLE impersonations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    session_id   TEXT NOT NULL,
    real_user_id INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    mode         TEXT NOT NULL CHECK (mode IN ('view', 'act')),
    reason       TEXT NOT NULL DEFAULT '',
    started_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    ended_at     DATETIME,
    end_reason   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX impersonations_real_user ON impersonations (real_user_id, started_at);
ALTER TABLE user_sessions ADD COLUMN impersonation_id INTEGER;
ALTER TABLE accounts ADD COLUMN impersonation_minutes INTEGER NOT NULL DEFAULT 30;

-- +goose Down
ALTER TABLE accounts DROP COLUMN impersonation_minutes;
ALTER TABLE user_sessions DROP COLUMN impersonation_id;
DROP TABLE impersonations;
