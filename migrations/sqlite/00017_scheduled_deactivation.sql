-- +goose Up
-- Scheduled deactivation (O2) and the account's time zone.
--
-- time_zone is an IANA name (Europe/Berlin) in which the account's people enter and read dates
-- and times such as a leave date; times are stored in UTC.
ALTER TABLE accounts ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- A leave date: at due_at the deactivation wizard's plan runs by itself. One per user; it goes
-- when the user is deactivated by any other way or removed. plan is the hand-over (records, groups,
-- reports, demote) as JSON; time_zone is the zone the admin chose the date in, to show it back
-- the same way. scheduled_by_id has no foreign key, like the audit log's user columns: the admin
-- who scheduled may be removed before it runs, and the run still names them.
CREATE TABLE scheduled_deactivations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    user_id         INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    due_at          DATETIME NOT NULL,
    time_zone       TEXT NOT NULL,
    plan            TEXT NOT NULL DEFAULT '{}',
    reason          TEXT NOT NULL DEFAULT '',
    scheduled_by_id INTEGER NOT NULL,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
-- The runners look for what is due across accounts, earliest first.
CREATE INDEX scheduled_deactivations_due ON scheduled_deactivations (due_at, id);
CREATE INDEX scheduled_deactivations_account ON scheduled_deactivations (account_id, user_id);

-- +goose Down
DROP TABLE scheduled_deactivations;
ALTER TABLE accounts DROP COLUMN time_zone;
