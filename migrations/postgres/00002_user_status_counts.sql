-- +goose Up
-- Tab counts for accounts of 100k users: counting rows on every page view costs a table scan, so
-- the database keeps the count per account and status itself, whoever changes the users.
CREATE TABLE user_status_counts (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    status     TEXT NOT NULL,
    users      BIGINT NOT NULL,
    PRIMARY KEY (account_id, status)
);

INSERT INTO user_status_counts (account_id, status, users)
SELECT account_id, status, count(*) FROM users GROUP BY account_id, status;

-- Statement-level triggers see all rows of a bulk write at once and touch each counter once.
-- +goose StatementBegin
CREATE FUNCTION count_inserted_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_status_counts (account_id, status, users)
    SELECT account_id, status, count(*) FROM inserted_users GROUP BY account_id, status
    ON CONFLICT (account_id, status) DO UPDATE SET users = user_status_counts.users + EXCLUDED.users;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION count_deleted_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_status_counts c SET users = c.users - d.n
    FROM (SELECT account_id, status, count(*) AS n FROM deleted_users GROUP BY account_id, status) d
    WHERE c.account_id = d.account_id AND c.status = d.status;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION count_updated_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_status_counts (account_id, status, users)
    SELECT account_id, status, sum(delta) FROM (
        SELECT account_id, status, -1 AS delta FROM users_before
        UNION ALL
        SELECT account_id, status, 1 AS delta FROM users_after
    ) changes
    GROUP BY account_id, status
    HAVING sum(delta) <> 0
    ON CONFLICT (account_id, status) DO UPDATE SET users = user_status_counts.users + EXCLUDED.users;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER users_counted_on_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS inserted_users FOR EACH STATEMENT EXECUTE FUNCTION count_inserted_users();
CREATE TRIGGER users_counted_on_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS deleted_users FOR EACH STATEMENT EXECUTE FUNCTION count_deleted_users();
CREATE TRIGGER users_counted_on_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS users_before NEW TABLE AS users_after FOR EACH STATEMENT EXECUTE FUNCTION count_updated_users();

-- +goose Down
DROP TRIGGER users_counted_on_update ON users;
DROP TRIGGER users_counted_on_delete ON users;
DROP TRIGGER users_counted_on_insert ON users;
DROP FUNCTION count_updated_users();
DROP FUNCTION count_deleted_users();
DROP FUNCTION count_inserted_users();
DROP TABLE user_status_counts;
