-- +goose Up
-- Seats & billing for accounts of 100k users. Counting the seat holders and replaying a year of
-- seat ledger on every page view reads about 100,000 rows each, so the database keeps both sums
-- itself, whoever writes the users and the ledger; the idle seat list pages by keyset in the
-- order of an index of its own.

-- Idle seats: the never-signed-in first, then the oldest sign-ins (models.IdleSeats). SQLite
-- sorts NULL first in ascending order.
CREATE INDEX users_idle_seats ON users (account_id, status, last_sign_in_at, id) WHERE plan_id IS NOT NULL;

-- The users holding a plan, per account, plan and status: SeatOverview's in use and reserved.
CREATE TABLE seat_holder_counts (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    plan_id    INTEGER NOT NULL,
    status     TEXT NOT NULL,
    users      INTEGER NOT NULL,
    PRIMARY KEY (account_id, plan_id, status)
);

INSERT INTO seat_holder_counts (account_id, plan_id, status, users)
SELECT account_id, plan_id, status, count(*) FROM users WHERE plan_id IS NOT NULL GROUP BY account_id, plan_id, status;

-- The seat ledger summed per account, plan and calendar month (UTC, 'YYYY-MM'): SeatHistory's
-- month ends are running sums of these rows, the same as replaying the ledger entry by entry.
CREATE TABLE seat_ledger_months (
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    plan_id          INTEGER NOT NULL,
    month            TEXT NOT NULL,
    in_use_change    INTEGER NOT NULL,
    reserved_change  INTEGER NOT NULL,
    purchased_change INTEGER NOT NULL,
    PRIMARY KEY (account_id, plan_id, month)
);

INSERT INTO seat_ledger_months (account_id, plan_id, month, in_use_change, reserved_change, purchased_change)
SELECT account_id, plan_id, strftime('%Y-%m', changed_at), sum(in_use_change), sum(reserved_change), sum(purchased_change)
FROM seat_ledger WHERE true GROUP BY 1, 2, 3;

-- +goose StatementBegin
CREATE TRIGGER users_seats_counted_on_insert AFTER INSERT ON users WHEN NEW.plan_id IS NOT NULL BEGIN
    INSERT INTO seat_holder_counts (account_id, plan_id, status, users) VALUES (NEW.account_id, NEW.plan_id, NEW.status, 1)
    ON CONFLICT (account_id, plan_id, status) DO UPDATE SET users = users + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_seats_counted_on_delete AFTER DELETE ON users WHEN OLD.plan_id IS NOT NULL BEGIN
    INSERT INTO seat_holder_counts (account_id, plan_id, status, users) VALUES (OLD.account_id, OLD.plan_id, OLD.status, -1)
    ON CONFLICT (account_id, plan_id, status) DO UPDATE SET users = users - 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_seats_counted_on_update AFTER UPDATE OF account_id, plan_id, status ON users
WHEN OLD.account_id <> NEW.account_id OR OLD.plan_id IS NOT NEW.plan_id OR OLD.status <> NEW.status BEGIN
    INSERT INTO seat_holder_counts (account_id, plan_id, status, users)
    SELECT OLD.account_id, OLD.plan_id, OLD.status, -1 WHERE OLD.plan_id IS NOT NULL
    ON CONFLICT (account_id, plan_id, status) DO UPDATE SET users = users - 1;
    INSERT INTO seat_holder_counts (account_id, plan_id, status, users)
    SELECT NEW.account_id, NEW.plan_id, NEW.status, 1 WHERE NEW.plan_id IS NOT NULL
    ON CONFLICT (account_id, plan_id, status) DO UPDATE SET users = users + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER seat_ledger_summed_on_insert AFTER INSERT ON seat_ledger BEGIN
    INSERT INTO seat_ledger_months (account_id, plan_id, month, in_use_change, reserved_change, purchased_change)
    VALUES (NEW.account_id, NEW.plan_id, strftime('%Y-%m', NEW.changed_at), NEW.in_use_change, NEW.reserved_change, NEW.purchased_change)
    ON CONFLICT (account_id, plan_id, month) DO UPDATE SET in_use_change = in_use_change + excluded.in_use_change,
        reserved_change = reserved_change + excluded.reserved_change, purchased_change = purchased_change + excluded.purchased_change;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER seat_ledger_summed_on_delete AFTER DELETE ON seat_ledger BEGIN
    INSERT INTO seat_ledger_months (account_id, plan_id, month, in_use_change, reserved_change, purchased_change)
    VALUES (OLD.account_id, OLD.plan_id, strftime('%Y-%m', OLD.changed_at), -OLD.in_use_change, -OLD.reserved_change, -OLD.purchased_change)
    ON CONFLICT (account_id, plan_id, month) DO UPDATE SET in_use_change = in_use_change + excluded.in_use_change,
        reserved_change = reserved_change + excluded.reserved_change, purchased_change = purchased_change + excluded.purchased_change;
END;
-- +goose StatementEnd

-- Updates that only let go of a removed user (user_id, actor_id) have nothing to add up.
-- +goose StatementBegin
CREATE TRIGGER seat_ledger_summed_on_update AFTER UPDATE OF account_id, plan_id, changed_at, in_use_change, reserved_change, purchased_change ON seat_ledger BEGIN
    INSERT INTO seat_ledger_months (account_id, plan_id, month, in_use_change, reserved_change, purchased_change)
    VALUES (OLD.account_id, OLD.plan_id, strftime('%Y-%m', OLD.changed_at), -OLD.in_use_change, -OLD.reserved_change, -OLD.purchased_change)
    ON CONFLICT (account_id, plan_id, month) DO UPDATE SET in_use_change = in_use_change + excluded.in_use_change,
        reserved_change = reserved_change + excluded.reserved_change, purchased_change = purchased_change + excluded.purchased_change;
    INSERT INTO seat_ledger_months (account_id, plan_id, month, in_use_change, reserved_change, purchased_change)
    VALUES (NEW.account_id, NEW.plan_id, strftime('%Y-%m', NEW.changed_at), NEW.in_use_change, NEW.reserved_change, NEW.purchased_change)
    ON CONFLICT (account_id, plan_id, month) DO UPDATE SET in_use_change = in_use_change + excluded.in_use_change,
        reserved_change = reserved_change + excluded.reserved_change, purchased_change = purchased_change + excluded.purchased_change;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER seat_ledger_summed_on_update;
DROP TRIGGER seat_ledger_summed_on_delete;
DROP TRIGGER seat_ledger_summed_on_insert;
DROP TRIGGER users_seats_counted_on_update;
DROP TRIGGER users_seats_counted_on_delete;
DROP TRIGGER users_seats_counted_on_insert;
DROP TABLE seat_ledger_months;
DROP TABLE seat_holder_counts;
DROP INDEX users_idle_seats;
