-- +goose Up
-- A deletion (L5) waits out the account's grace period with the user still inactive; the due
-- date marks them "scheduled for deletion". deletion_mode is anonymise, with_history or remove,
-- and stays on an anonymised row to say how it was deleted. deletion_requested_by_id has no
-- foreign key: the admin who asked may be removed before the deletion is carried out.
ALTER TABLE users ADD COLUMN deletion_mode TEXT;
ALTER TABLE users ADD COLUMN deletion_due_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN deletion_requested_by_id BIGINT;
CREATE INDEX users_deletion_due ON users (deletion_due_at) WHERE deletion_due_at IS NOT NULL;

-- +goose Down
DROP INDEX users_deletion_due;
ALTER TABLE users DROP COLUMN deletion_requested_by_id;
ALTER TABLE users DROP COLUMN deletion_due_at;
ALTER TABLE users DROP COLUMN deletion_mode;
