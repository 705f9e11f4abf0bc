-- +goose Up
-- A password reset is a single-use link, valid for an hour, to choose a new password; only the
-- token's hash is kept. requested_by_id is the admin who sent it, or NULL when the user asked
-- from the sign-in page (then requested_ip counts towards the per-client limit). A newer link
-- replaces the older ones, so only the newest works.
CREATE TABLE password_resets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    token_hash      TEXT NOT NULL UNIQUE,
    requested_by_id INTEGER REFERENCES users(id),
    requested_ip    TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    expires_at      DATETIME NOT NULL,
    used_at         DATETIME,
    replaced_at     DATETIME
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
CREATE INDEX password_resets_self_service_ip ON password_resets (requested_ip, created_at) WHERE requested_by_id IS NULL;

-- +goose Down
DROP TABLE password_resets;
