-- +goose Up
-- Tab counts for accounts of 100k users: counting rows on every page view costs a table scan, so
-- the database keeps the count per account and status itself, whoever changes the users.
CREATE TABLE user_status_counts (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    status     TEXT NOT NULL,
    users      INTEGER NOT NULL,
    PRIMARY KEY (account_id, status)
);

INSERT INTO user_status_counts (account_id, status, users)
SELECT account_id, status, count(*) FROM users WHERE true GROUP BY account_id, status;

-- +goose StatementBegin
CREATE TRIGGER users_counted_on_insert AFTER INSERT ON users BEGIN
    INSERT INTO user_status_counts (account_id, status, users) VALUES (NEW.account_id, NEW.status, 1)
    ON CONFLICT (account_id, status) DO UPDATE SET users = users + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_counted_on_delete AFTER DELETE ON users BEGIN
    UPDATE user_status_counts SET users = users - 1 WHERE account_id = OLD.account_id AND status = OLD.status;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_counted_on_update AFTER UPDATE OF status, account_id ON users
WHEN OLD.status <> NEW.status OR OLD.account_id <> NEW.account_id BEGIN
    UPDATE user_status_counts SET users = users - 1 WHERE account_id = OLD.account_id AND status = OLD.status;
    INSERT INTO user_status_counts (account_id, status, users) VALUES (NEW.account_id, NEW.status, 1)
    ON CONFLICT (account_id, status) DO UPDATE SET users = users + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER users_counted_on_update;
DROP TRIGGER users_counted_on_delete;
DROP TRIGGER users_counted_on_insert;
DROP TABLE user_status_counts;
