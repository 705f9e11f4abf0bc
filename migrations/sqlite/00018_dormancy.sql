-- +goose Up
-- Dormant seats: see the PostgreSQL migration of the same number. SQLite cannot add a CHECK
-- constraint to an existing table; models.ValidateDormancyPolicy is the rule.
ALTER TABLE accounts ADD COLUMN dormancy_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN dormancy_warn_days INTEGER NOT NULL DEFAULT 60;
ALTER TABLE accounts ADD COLUMN dormancy_deactivate_days INTEGER NOT NULL DEFAULT 90;
ALTER TABLE accounts ADD COLUMN dormancy_checked_at DATETIME;

ALTER TABLE users ADD COLUMN dormancy_exempt BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN dormancy_warned_at DATETIME;
ALTER TABLE users ADD COLUMN activated_at DATETIME;
UPDATE users SET activated_at = created_at WHERE status = 'active';

-- +goose StatementBegin
CREATE TRIGGER users_activated_on_insert AFTER INSERT ON users
WHEN NEW.status = 'active' AND NEW.activated_at IS NULL BEGIN
    UPDATE users SET activated_at = COALESCE(NEW.updated_at, NEW.created_at) WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_activated_on_update AFTER UPDATE OF status ON users
WHEN NEW.status = 'active' AND OLD.status <> 'active' BEGIN
    UPDATE users SET activated_at = NEW.updated_at WHERE id = NEW.id;
END;
-- +goose StatementEnd

CREATE INDEX users_dormancy ON users (account_id, last_sign_in_at, id) WHERE status = 'active' AND NOT dormancy_exempt;

ALTER TABLE audit_events ADD COLUMN system_actor TEXT;

-- +goose Down
ALTER TABLE audit_events DROP COLUMN system_actor;
DROP INDEX users_dormancy;
DROP TRIGGER users_activated_on_update;
DROP TRIGGER users_activated_on_insert;
ALTER TABLE users DROP COLUMN activated_at;
ALTER TABLE users DROP COLUMN dormancy_warned_at;
ALTER TABLE users DROP COLUMN dormancy_exempt;
ALTER TABLE accounts DROP COLUMN dormancy_checked_at;
ALTER TABLE accounts DROP COLUMN dormancy_deactivate_days;
ALTER TABLE accounts DROP COLUMN dormancy_warn_days;
ALTER TABLE accounts DROP COLUMN dormancy_enabled;
