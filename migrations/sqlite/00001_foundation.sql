-- +goose Up

CREATE TABLE app_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL
);

CREATE TABLE accounts (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    name                  TEXT NOT NULL,
    impersonation_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    deletion_grace_days   INTEGER NOT NULL DEFAULT 14,
    created_at            DATETIME NOT NULL
);

CREATE TABLE plans (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    name             TEXT NOT NULL,
    seats_purchased  INTEGER NOT NULL CHECK (seats_purchased >= 0),
    price_cents      INTEGER NOT NULL CHECK (price_cents >= 0),
    currency         TEXT NOT NULL DEFAULT 'EUR',
    created_at       DATETIME NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    email           TEXT,
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL DEFAULT '',
    picture_url     TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL,
    status          TEXT NOT NULL,
    plan_id         INTEGER REFERENCES plans(id),
    manager_id      INTEGER REFERENCES users(id),
    password_hash   TEXT NOT NULL DEFAULT '',
    invited_by_id   INTEGER REFERENCES users(id),
    last_sign_in_at DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    CHECK (status IN ('invited', 'active', 'inactive', 'deleted')),
    CHECK (role IN ('owner', 'admin', 'group_admin', 'manager', 'support', 'finance', 'member'))
);
-- A deleted user's address may be invited again.
CREATE UNIQUE INDEX users_account_email ON users (account_id, email) WHERE status <> 'deleted';
CREATE INDEX users_email ON users (email);
-- One index per list ordering so that every tab pages by keyset in index order.
CREATE INDEX users_list_name ON users (account_id, status, lower(name), id);
CREATE INDEX users_list_email ON users (account_id, status, email, id);
CREATE INDEX users_list_created ON users (account_id, status, created_at, id);
CREATE INDEX users_list_role ON users (account_id, status, role, lower(name), id);
CREATE INDEX users_list_plan ON users (account_id, status, plan_id, lower(name), id);
CREATE INDEX users_manager ON users (manager_id) WHERE manager_id IS NOT NULL;

CREATE TABLE user_sessions (
    id           TEXT PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    created_at   DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    revoked_at   DATETIME,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_sessions_user ON user_sessions (user_id, expires_at);

CREATE TABLE sign_in_failures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    email      TEXT NOT NULL,
    ip         TEXT NOT NULL,
    failed_at  DATETIME NOT NULL
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, failed_at);
CREATE INDEX sign_in_failures_ip ON sign_in_failures (ip, failed_at);

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    owner_id    INTEGER NOT NULL REFERENCES users(id),
    created_at  DATETIME NOT NULL,
    UNIQUE (account_id, name)
);
CREATE INDEX groups_owner ON groups (owner_id);

CREATE TABLE group_members (
    group_id    INTEGER NOT NULL REFERENCES groups(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE records (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    is_open       BOOLEAN NOT NULL,
    owner_id      INTEGER NOT NULL REFERENCES users(id),
    created_by_id INTEGER NOT NULL REFERENCES users(id),
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX records_owner ON records (owner_id, kind, is_open);

-- Append-only and written in bulk (a hand-over moves 100k records at once), so only the record is
-- a foreign key: users who appear in history are never removed, only anonymised.
CREATE TABLE record_ownership_changes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL,
    record_id       INTEGER NOT NULL REFERENCES records(id),
    from_user_id    INTEGER,
    to_user_id      INTEGER NOT NULL,
    changed_by_id   INTEGER,
    reason          TEXT NOT NULL DEFAULT '',
    changed_at      DATETIME NOT NULL
);
CREATE INDEX record_ownership_changes_record ON record_ownership_changes (record_id, changed_at);
CREATE INDEX record_ownership_changes_from ON record_ownership_changes (from_user_id);
CREATE INDEX record_ownership_changes_to ON record_ownership_changes (to_user_id);

CREATE TABLE activities (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL,
    record_id    INTEGER REFERENCES records(id),
    occurred_at  DATETIME NOT NULL
);
CREATE INDEX activities_account_time ON activities (account_id, occurred_at);
CREATE INDEX activities_user ON activities (user_id, occurred_at);

CREATE TABLE audit_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    actor_id       INTEGER REFERENCES users(id),
    real_actor_id  INTEGER REFERENCES users(id),
    action         TEXT NOT NULL,
    target_user_id INTEGER REFERENCES users(id),
    details        TEXT NOT NULL DEFAULT '{}',
    ip             TEXT NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL
);
CREATE INDEX audit_events_account_time ON audit_events (account_id, created_at DESC, id DESC);
CREATE INDEX audit_events_target ON audit_events (target_user_id, created_at DESC);
CREATE INDEX audit_events_actor ON audit_events (actor_id, created_at DESC);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE activities;
DROP TABLE record_ownership_changes;
DROP TABLE records;
DROP TABLE group_members;
DROP TABLE groups;
DROP TABLE sign_in_failures;
DROP TABLE user_sessions;
DROP TABLE users;
DROP TABLE plans;
DROP TABLE accounts;
DROP TABLE app_settings;
