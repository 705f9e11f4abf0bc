-- +goose Up
-- PostgreSQL's 00007 keeps the hand-over's two foreign keys, records.owner_id and
-- record_ownership_changes.record_id, with triggers that check each statement once instead of
-- each row, and fail with the foreign key's error. SQLite checks foreign keys inside the writing
-- statement without a query per row, so its two foreign keys stay as they are: the rules are the
-- same on both databases.

-- +goose Down
