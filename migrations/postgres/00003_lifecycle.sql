-- +goose Up
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMPTZ;

-- An invitation is a single-use, expiring link to become an invited user; only the token's hash
-- is kept. A reminder replaces the token, so only the newest link works.
CREATE TABLE invitations (
    id            BIGSERIAL PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts(id),
    user_id       BIGINT NOT NULL REFERENCES users(id),
    token_hash    TEXT NOT NULL UNIQUE,
    invited_by_id BIGINT REFERENCES users(id),
    sent_at       TIMESTAMPTZ NOT NULL,
    reminded_at   TIMESTAMPTZ,
    reminders     INTEGER NOT NULL DEFAULT 0,
    expires_at    TIMESTAMPTZ NOT NULL,
    accepted_at   TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX invitations_open_per_user ON invitations (user_id) WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- Every change to a plan's seats, as it happened: people taking and releasing seats, invitations
-- reserving them, purchases changing the quantity. Summing up to a moment gives that moment's usage.
CREATE TABLE seat_ledger (
    id               BIGSERIAL PRIMARY KEY,
    account_id       BIGINT NOT NULL REFERENCES accounts(id),
    plan_id          BIGINT NOT NULL REFERENCES plans(id),
    user_id          BIGINT REFERENCES users(id),
    in_use_change    INTEGER NOT NULL DEFAULT 0,
    reserved_change  INTEGER NOT NULL DEFAULT 0,
    purchased_change INTEGER NOT NULL DEFAULT 0,
    reason           TEXT NOT NULL,
    actor_id         BIGINT REFERENCES users(id),
    changed_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX seat_ledger_plan_time ON seat_ledger (plan_id, changed_at);
CREATE INDEX seat_ledger_account_time ON seat_ledger (account_id, changed_at);

-- Mail is written in the same transaction as the change that causes it, then delivered by SMTP
-- when configured; without SMTP it stays here as the development outbox admins can read.
CREATE TABLE outbox_messages (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts(id),
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    action_url  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    sent_at     TIMESTAMPTZ,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_messages_account ON outbox_messages (account_id, created_at DESC, id DESC);
CREATE INDEX outbox_messages_unsent ON outbox_messages (id) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE outbox_messages;
DROP TABLE seat_ledger;
DROP TABLE invitations;
ALTER TABLE users DROP COLUMN deactivated_at;
