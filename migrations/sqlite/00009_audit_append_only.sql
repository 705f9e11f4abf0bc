-- +goose Up
-- The audit log (R5) is append-only: once written, an event is never changed or removed; the
-- triggers at the end refuse UPDATE and DELETE whoever asks.
--
-- Audit rows refer to users by bare ID. The three user columns lose their foreign keys so that a
-- user removed for good (deletion mode "remove") leaves the events about them untouched; the log
-- then shows "Removed user #ID". User IDs are never reused (BIGSERIAL on PostgreSQL,
-- AUTOINCREMENT on SQLite), so a bare ID can never come to name someone else.
-- Roster's SQLite connections enforce foreign keys (PRAGMA foreign_keys on every connection,
-- models.sqliteDSN), so without this the removal would fail here exactly as on PostgreSQL.
-- SQLite cannot drop a constraint, so the table is rebuilt
-- (https://sqlite.org/lang_altertable.html#otheralter); nothing references it, so dropping the
-- old table checks no keys, and its indexes are created again under the same names.
--
-- The client IP address is personal data, and erasing a user must erase it, but an append-only
-- table cannot have a column blanked. It moves to audit_event_ips, one row per event that had an
-- address: erasure deletes from there and never touches audit_events. (Pseudonymising the address
-- inside the event, or encrypting it with a per-user key that erasure destroys, would keep one
-- table but either leave the address recoverable or need key management for a single column.)
-- Details name users by ID only, never by name or e-mail address, so they need no erasing.
CREATE TABLE audit_events_rebuilt (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    actor_id       INTEGER,
    real_actor_id  INTEGER,
    action         TEXT NOT NULL,
    target_user_id INTEGER,
    details        TEXT NOT NULL DEFAULT '{}',
    created_at     DATETIME NOT NULL
);
INSERT INTO audit_events_rebuilt (id, account_id, actor_id, real_actor_id, action, target_user_id, details, created_at)
SELECT id, account_id, actor_id, real_actor_id, action, target_user_id, details, created_at FROM audit_events;

CREATE TABLE audit_event_ips_moved (event_id INTEGER PRIMARY KEY, ip TEXT NOT NULL);
INSERT INTO audit_event_ips_moved (event_id, ip) SELECT id, ip FROM audit_events WHERE ip <> '';

DROP TABLE audit_events;
ALTER TABLE audit_events_rebuilt RENAME TO audit_events;
CREATE INDEX audit_events_account_time ON audit_events (account_id, created_at DESC, id DESC);
CREATE INDEX audit_events_target ON audit_events (target_user_id, created_at DESC);
CREATE INDEX audit_events_actor ON audit_events (actor_id, created_at DESC);
-- What someone did while acting as another user is found by their real identity too: the actor
-- filter of the log and erasure both look events up by real_actor_id.
CREATE INDEX audit_events_real_actor ON audit_events (real_actor_id, created_at DESC) WHERE real_actor_id IS NOT NULL;
-- The action filter reads the log in time order within one action: a rare action (an account's
-- one "Account created", its few impersonations) is found at once instead of after the whole log.
CREATE INDEX audit_events_account_action ON audit_events (account_id, action, created_at DESC, id DESC);

CREATE TABLE audit_event_ips (
    event_id INTEGER PRIMARY KEY REFERENCES audit_events(id),
    ip       TEXT NOT NULL
);
INSERT INTO audit_event_ips (event_id, ip) SELECT event_id, ip FROM audit_event_ips_moved;
DROP TABLE audit_event_ips_moved;

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused');
END;
-- +goose StatementEnd

-- A DELETE trigger also turns off SQLite's truncate optimisation, so DELETE without WHERE is
-- refused too.
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
CREATE TABLE audit_events_rebuilt (
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
INSERT INTO audit_events_rebuilt (id, account_id, actor_id, real_actor_id, action, target_user_id, details, ip, created_at)
SELECT e.id, e.account_id, e.actor_id, e.real_actor_id, e.action, e.target_user_id, e.details, coalesce(i.ip, ''), e.created_at
FROM audit_events e LEFT JOIN audit_event_ips i ON i.event_id = e.id;
DROP TABLE audit_event_ips;
DROP TABLE audit_events;
ALTER TABLE audit_events_rebuilt RENAME TO audit_events;
CREATE INDEX audit_events_account_time ON audit_events (account_id, created_at DESC, id DESC);
CREATE INDEX audit_events_target ON audit_events (target_user_id, created_at DESC);
CREATE INDEX audit_events_actor ON audit_events (actor_id, created_at DESC);
