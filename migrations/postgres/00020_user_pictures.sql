-- +goose Up
-- Profile pictures live in the database so that every server serves the same one. Only the
-- re-encoded 160x160 JPEG is kept (a few kilobytes), never the upload; users.picture_url names it
-- by content, so a browser may cache it for good.
CREATE TABLE user_pictures (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    image      BYTEA NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE user_pictures;
