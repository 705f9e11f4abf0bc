-- +goose Up
-- SCIM 2.0 provisioning (P1) and the default hand-over of a leaver's work.
--
-- A provisioning token lets an identity provider (Okta, Entra ID) manage one account's users and
-- groups. Only the token's hash is kept; created_by_id has no foreign key, like the audit log's
-- user columns, so removing the admin who made it leaves the token's history intact.
CREATE TABLE scim_tokens (
    id            BIGSERIAL PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts(id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_by_id BIGINT,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX scim_tokens_account ON scim_tokens (account_id, created_at);

-- What an identity provider says about a user beyond Roster's own columns: its ID for them and
-- the name in parts. It is personal data, so it goes when the user is deleted (trigger below) or
-- removed (cascade).
CREATE TABLE scim_users (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES accounts(id),
    external_id TEXT,
    given_name  TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scim_users_external_id ON scim_users (account_id, external_id) WHERE external_id IS NOT NULL;
-- The users SCIM lists, in ID order: GET /Users pages by startIndex through this index alone
-- (models.scimVisible spells the same condition).
CREATE INDEX users_scim ON users (account_id, id) WHERE status IN ('active', 'inactive') AND deletion_due_at IS NULL;

-- +goose StatementBegin
CREATE FUNCTION scim_users_erase() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM scim_users WHERE user_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER users_erase_scim_attributes AFTER UPDATE OF status ON users
    FOR EACH ROW WHEN (NEW.status = 'deleted' AND OLD.status <> 'deleted') EXECUTE FUNCTION scim_users_erase();

ALTER TABLE groups ADD COLUMN external_id TEXT;

-- The account's provisioning choices: the plan whose seat a provisioned user gets when the
-- provider names none, and what deleting a user from the provider does (a DeletionMode).
ALTER TABLE accounts ADD COLUMN provisioning_plan_id BIGINT REFERENCES plans(id);
ALTER TABLE accounts ADD COLUMN provisioning_delete_mode TEXT NOT NULL DEFAULT 'anonymise';
-- The default hand-over (Settings > Account): keep a leaver's work with them, or hand it to their
-- manager, falling back to a named user. handover_fallback_id has no foreign key: a fallback
-- removed later only means nobody falls back.
ALTER TABLE accounts ADD COLUMN handover_mode TEXT NOT NULL DEFAULT 'keep';
ALTER TABLE accounts ADD COLUMN handover_fallback_id BIGINT;

-- Events written by a provisioning token name it instead of a user.
ALTER TABLE audit_events ADD COLUMN provisioning_token_id BIGINT;
CREATE INDEX audit_events_provisioning_token ON audit_events (provisioning_token_id, created_at DESC) WHERE provisioning_token_id IS NOT NULL;

-- +goose Down
DROP INDEX audit_events_provisioning_token;
ALTER TABLE audit_events DROP COLUMN provisioning_token_id;
ALTER TABLE accounts DROP COLUMN handover_fallback_id;
ALTER TABLE accounts DROP COLUMN handover_mode;
ALTER TABLE accounts DROP COLUMN provisioning_delete_mode;
ALTER TABLE accounts DROP COLUMN provisioning_plan_id;
ALTER TABLE groups DROP COLUMN external_id;
DROP INDEX users_scim;
DROP TRIGGER users_erase_scim_attributes ON users;
DROP FUNCTION scim_users_erase();
DROP TABLE scim_users;
DROP TABLE scim_tokens;
