-- +goose Up
-- Profile pictures: see the PostgreSQL migration of the same number.
CREATE TABLE user_pictures (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    image      BLOB NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE user_pictures;
