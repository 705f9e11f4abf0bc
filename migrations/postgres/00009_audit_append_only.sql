-- +goose Up
-- The audit log (R5) is append-only: once written, an event is never changed or removed. The
-- database refuses UPDATE, DELETE and TRUNCATE whoever asks, the application included; only an
-- administrator who disables the triggers on purpose gets past them.
--
-- Audit rows refer to users by bare ID. The three user columns lose their foreign keys so that a
-- user removed for good (deletion mode "remove") leaves the events about them untouched; the log
-- then shows "Removed user #ID". User IDs are never reused (BIGSERIAL on PostgreSQL,
-- AUTOINCREMENT on SQLite), so a bare ID can never come to name someone else. Nulling the
-- columns instead, as before, would both rewrite the log and forget who was involved.
--
-- The client IP address is personal data, and erasing a user must erase it, but an append-only
-- table cannot have a column blanked. It moves to audit_event_ips, one row per event that had an
-- address: erasure deletes from there and never touches audit_events. (Pseudonymising the address
-- inside the event, or encrypting it with a per-user key that erasure destroys, would keep one
-- table but either leave the address recoverable or need key management for a single column.)
-- Details name users by ID only, never by name or e-mail address, so they need no erasing.
ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_actor_id_fkey;
ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_real_actor_id_fkey;
ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_target_user_id_fkey;

CREATE TABLE audit_event_ips (
    event_id BIGINT PRIMARY KEY REFERENCES audit_events(id),
    ip       TEXT NOT NULL
);
INSERT INTO audit_event_ips (event_id, ip) SELECT id, ip FROM audit_events WHERE ip <> '';
ALTER TABLE audit_events DROP COLUMN ip;

-- What someone did while acting as another user is found by their real identity too: the actor
-- filter of the log and erasure both look events up by real_actor_id.
CREATE INDEX audit_events_real_actor ON audit_events (real_actor_id, created_at DESC) WHERE real_actor_id IS NOT NULL;
-- The action filter reads the log in time order within one action: a rare action (an account's
-- one "Account created", its few impersonations) is found at once instead of after the whole log.
CREATE INDEX audit_events_account_action ON audit_events (account_id, action, created_at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();

-- +goose Down
DROP TRIGGER audit_events_no_truncate ON audit_events;
DROP TRIGGER audit_events_append_only ON audit_events;
DROP FUNCTION audit_events_refuse_change();
DROP INDEX audit_events_account_action;
DROP INDEX audit_events_real_actor;
ALTER TABLE audit_events ADD COLUMN ip TEXT NOT NULL DEFAULT '';
UPDATE audit_events SET ip = audit_event_ips.ip FROM audit_event_ips WHERE audit_event_ips.event_id = audit_events.id;
DROP TABLE audit_event_ips;
-- NOT VALID: events may name users removed while the keys were gone.
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES users(id) NOT VALID;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_real_actor_id_fkey FOREIGN KEY (real_actor_id) REFERENCES users(id) NOT VALID;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_target_user_id_fkey FOREIGN KEY (target_user_id) REFERENCES users(id) NOT VALID;
