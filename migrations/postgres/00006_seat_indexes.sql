-- +goose Up
-- Seats & billing for accounts of 100k users. Counting the seat holders and replaying a year of
-- seat ledger on every page view reads about 100,000 rows each, so the database keeps both sums
-- itself, whoever writes the users and the ledger; the idle seat list pages by keyset in the
-- order of an index of its own.

-- Idle seats: the never-signed-in first, then the oldest sign-ins (models.IdleSeats).
CREATE INDEX users_idle_seats ON users (account_id, status, last_sign_in_at NULLS FIRST, id) WHERE plan_id IS NOT NULL;

-- The users holding a plan, per account, plan and status: SeatOverview's in use and reserved.
CREATE TABLE seat_holder_counts (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    plan_id    BIGINT NOT NULL,
    status     TEXT NOT NULL,
    users      BIGINT NOT NULL,
    PRIMARY KEY (account_id, plan_id, status)
);

INSERT INTO seat_holder_counts (account_id, plan_id, status, users)
SELECT account_id, plan_id, status, count(*) FROM users WHERE plan_id IS NOT NULL GROUP BY account_id, plan_id, status;

-- The seat ledger summed per account, plan and calendar month (UTC, 'YYYY-MM'): SeatHistory's
-- month ends are running sums of these rows, the same as replaying the ledger entry by entry.
CREATE TABLE seat_ledger_months (
    account_id       BIGINT NOT NULL REFERENCES accounts(id),
    plan_id          BIGINT NOT NULL,
    month            TEXT NOT NULL,
    in_use_change    BIGINT NOT NULL,
    reserved_change  BIGINT NOT NULL,
    purchased_change BIGINT NOT NULL,
    PRIMARY KEY (account_id, plan_id, month)
);

INSERT INTO seat_ledger_months (account_id, plan_id, month, in_use_change, reserved_change, purchased_change)
SELECT account_id, plan_id, to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM'),
       sum(in_use_change), sum(reserved_change), sum(purchased_change)
FROM seat_ledger GROUP BY 1, 2, 3;

-- Statement-level triggers, as for user_status_counts: a bulk write touches each sum once, and
-- in key order, so that two transactions never wait for each other's rows crosswise.
-- +goose StatementBegin
CREATE FUNCTION count_seat_holders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO seat_holder_counts (account_id, plan_id, status, users)
        SELECT account_id, plan_id, status, count(*) FROM seat_holders_after WHERE plan_id IS NOT NULL
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (account_id, plan_id, status) DO UPDATE SET users = seat_holder_counts.users + EXCLUDED.users;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO seat_holder_counts (account_id, plan_id, status, users)
        SELECT account_id, plan_id, status, -count(*) FROM seat_holders_before WHERE plan_id IS NOT NULL
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (account_id, plan_id, status) DO UPDATE SET users = seat_holder_counts.users + EXCLUDED.users;
    ELSE
        INSERT INTO seat_holder_counts (account_id, plan_id, status, users)
        SELECT account_id, plan_id, status, sum(delta) FROM (
            SELECT account_id, plan_id, status, -1 AS delta FROM seat_holders_before WHERE plan_id IS NOT NULL
            UNION ALL
            SELECT account_id, plan_id, status, 1 AS delta FROM seat_holders_after WHERE plan_id IS NOT NULL
        ) changes
        GROUP BY 1, 2, 3 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (account_id, plan_id, status) DO UPDATE SET users = seat_holder_counts.users + EXCLUDED.users;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION sum_seat_ledger_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO seat_ledger_months (account_id, plan_id, month, in_use_change, reserved_change, purchased_change)
        SELECT account_id, plan_id, to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM'),
               sum(in_use_change), sum(reserved_change), sum(purchased_change)
        FROM ledger_after GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (account_id, plan_id, month) DO UPDATE SET
            in_use_change = seat_ledger_months.in_use_change + EXCLUDED.in_use_change,
            reserved_change = seat_ledger_months.reserved_change + EXCLUDED.reserved_change,
            purchased_change = seat_ledger_months.purchased_change + EXCLUDED.purchased_change;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO seat_ledger_months (account_id, plan_id, month, in_use_change, reserved_change, purchased_change)
        SELECT account_id, plan_id, to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM'),
               -sum(in_use_change), -sum(reserved_change), -sum(purchased_change)
        FROM ledger_before GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (account_id, plan_id, month) DO UPDATE SET
            in_use_change = seat_ledger_months.in_use_change + EXCLUDED.in_use_change,
            reserved_change = seat_ledger_months.reserved_change + EXCLUDED.reserved_change,
            purchased_change = seat_ledger_months.purchased_change + EXCLUDED.purchased_change;
    ELSE
        -- Most updates only let go of a removed user (user_id, actor_id): nothing to add up.
        INSERT INTO seat_ledger_months (account_id, plan_id, month, in_use_change, reserved_change, purchased_change)
        SELECT account_id, plan_id, month, sum(in_use_change), sum(reserved_change), sum(purchased_change) FROM (
            SELECT account_id, plan_id, to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
                   -in_use_change AS in_use_change, -reserved_change AS reserved_change, -purchased_change AS purchased_change
            FROM ledger_before
            UNION ALL
            SELECT account_id, plan_id, to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM'),
                   in_use_change, reserved_change, purchased_change
            FROM ledger_after
        ) changes
        GROUP BY 1, 2, 3
        HAVING sum(in_use_change) <> 0 OR sum(reserved_change) <> 0 OR sum(purchased_change) <> 0
        ORDER BY 1, 2, 3
        ON CONFLICT (account_id, plan_id, month) DO UPDATE SET
            in_use_change = seat_ledger_months.in_use_change + EXCLUDED.in_use_change,
            reserved_change = seat_ledger_months.reserved_change + EXCLUDED.reserved_change,
            purchased_change = seat_ledger_months.purchased_change + EXCLUDED.purchased_change;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER users_seats_counted_on_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS seat_holders_after FOR EACH STATEMENT EXECUTE FUNCTION count_seat_holders();
CREATE TRIGGER users_seats_counted_on_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS seat_holders_before FOR EACH STATEMENT EXECUTE FUNCTION count_seat_holders();
CREATE TRIGGER users_seats_counted_on_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS seat_holders_before NEW TABLE AS seat_holders_after FOR EACH STATEMENT EXECUTE FUNCTION count_seat_holders();

CREATE TRIGGER seat_ledger_summed_on_insert AFTER INSERT ON seat_ledger
    REFERENCING NEW TABLE AS ledger_after FOR EACH STATEMENT EXECUTE FUNCTION sum_seat_ledger_months();
CREATE TRIGGER seat_ledger_summed_on_delete AFTER DELETE ON seat_ledger
    REFERENCING OLD TABLE AS ledger_before FOR EACH STATEMENT EXECUTE FUNCTION sum_seat_ledger_months();
CREATE TRIGGER seat_ledger_summed_on_update AFTER UPDATE ON seat_ledger
    REFERENCING OLD TABLE AS ledger_before NEW TABLE AS ledger_after FOR EACH STATEMENT EXECUTE FUNCTION sum_seat_ledger_months();

-- +goose Down
DROP TRIGGER seat_ledger_summed_on_update ON seat_ledger;
DROP TRIGGER seat_ledger_summed_on_delete ON seat_ledger;
DROP TRIGGER seat_ledger_summed_on_insert ON seat_ledger;
DROP TRIGGER users_seats_counted_on_update ON users;
DROP TRIGGER users_seats_counted_on_delete ON users;
DROP TRIGGER users_seats_counted_on_insert ON users;
DROP FUNCTION sum_seat_ledger_months();
DROP FUNCTION count_seat_holders();
DROP TABLE seat_ledger_months;
DROP TABLE seat_holder_counts;
DROP INDEX users_idle_seats;
