-- +goose Up
-- Dormant seats: an account policy that warns people who have not signed in for a while and
-- later deactivates them, through the deactivation wizard's own code.
--
-- The policy is off until an owner or admin turns it on. dormancy_warn_days and
-- dormancy_deactivate_days are whole days; the second is at least 7 more than the first (checked
-- in models.ValidateDormancyPolicy, and here as a last line).
ALTER TABLE accounts ADD COLUMN dormancy_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN dormancy_warn_days INTEGER NOT NULL DEFAULT 60;
ALTER TABLE accounts ADD COLUMN dormancy_deactivate_days INTEGER NOT NULL DEFAULT 90;
-- When the policy's last pass over the account ended; each account gets one pass a day.
ALTER TABLE accounts ADD COLUMN dormancy_checked_at TIMESTAMPTZ;
ALTER TABLE accounts ADD CONSTRAINT accounts_dormancy_days
    CHECK (dormancy_warn_days >= 1 AND dormancy_deactivate_days >= dormancy_warn_days + 7);

-- Exempt users are never warned or deactivated by the policy.
ALTER TABLE users ADD COLUMN dormancy_exempt BOOLEAN NOT NULL DEFAULT FALSE;
-- When the user was last warned; a warning counts for the dormancy period it was sent in, which
-- a sign-in or a reactivation ends.
ALTER TABLE users ADD COLUMN dormancy_warned_at TIMESTAMPTZ;
-- When the user last became active (accepted an invitation, was created active, reactivated):
-- the start of the dormancy clock for someone who has not signed in since. The trigger stamps it
-- with the updated_at the change wrote, so it follows the application's clock.
ALTER TABLE users ADD COLUMN activated_at TIMESTAMPTZ;
UPDATE users SET activated_at = created_at WHERE status = 'active';

-- +goose StatementBegin
CREATE FUNCTION users_stamp_activation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.activated_at := COALESCE(NEW.updated_at, NEW.created_at);
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER users_activated_on_insert BEFORE INSERT ON users
    FOR EACH ROW WHEN (NEW.status = 'active' AND NEW.activated_at IS NULL) EXECUTE FUNCTION users_stamp_activation();
CREATE TRIGGER users_activated_on_update BEFORE UPDATE OF status ON users
    FOR EACH ROW WHEN (NEW.status = 'active' AND OLD.status <> 'active') EXECUTE FUNCTION users_stamp_activation();

-- The job looks for active users of an account by their last sign-in.
CREATE INDEX users_dormancy ON users (account_id, last_sign_in_at NULLS FIRST, id) WHERE status = 'active' AND NOT dormancy_exempt;

-- Events written by the system rather than a person or token name it: 'dormancy' for the policy.
ALTER TABLE audit_events ADD COLUMN system_actor TEXT;

-- +goose Down
ALTER TABLE audit_events DROP COLUMN system_actor;
DROP INDEX users_dormancy;
DROP TRIGGER users_activated_on_update ON users;
DROP TRIGGER users_activated_on_insert ON users;
DROP FUNCTION users_stamp_activation();
ALTER TABLE users DROP COLUMN activated_at;
ALTER TABLE users DROP COLUMN dormancy_warned_at;
ALTER TABLE users DROP COLUMN dormancy_exempt;
ALTER TABLE accounts DROP CONSTRAINT accounts_dormancy_days;
ALTER TABLE accounts DROP COLUMN dormancy_checked_at;
ALTER TABLE accounts DROP COLUMN dormancy_deactivate_days;
ALTER TABLE accounts DROP COLUMN dormancy_warn_days;
ALTER TABLE accounts DROP COLUMN dormancy_enabled;
