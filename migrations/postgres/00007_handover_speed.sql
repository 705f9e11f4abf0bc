-- +goose Up
-- A hand-over of 100,000 records (issue #3) spent about half its time in two foreign keys that
-- PostgreSQL checks one row at a time, each check a query and a row lock of its own:
-- records.owner_id, 100,000 times for the one recipient, and record_ownership_changes.record_id,
-- 100,000 times for records the same statement has just moved. Both are replaced by triggers that
-- work once per statement and fail with the foreign key's name, SQLSTATE and message. Every rule
-- of records.owner_id stays checked; for record_id, the record side stays checked and the history
-- side is kept by how history is written (below).

-- records.owner_id names a user. Instead of a check per row, one check per statement over the
-- distinct owners it wrote: they are locked FOR KEY SHARE, in ID order, as the foreign key locked
-- them, so none can be removed until the writer commits; a missing one fails the statement with
-- the foreign key's error. The user side keeps the rule too: removing a user who still owns
-- records, or renumbering them, fails. (Roster runs every transaction at READ COMMITTED, where each
-- check sees everything committed before it: a removal waiting on a writer's lock sees that
-- writer's records once it may go on.)
ALTER TABLE records DROP CONSTRAINT records_owner_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION records_check_owners() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing BIGINT;
BEGIN
    PERFORM 1 FROM users WHERE id IN (SELECT owner_id FROM records_after) ORDER BY id FOR KEY SHARE;
    SELECT o.owner_id INTO missing FROM (SELECT DISTINCT owner_id FROM records_after) o
    WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = o.owner_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "records" violates foreign key constraint "records_owner_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'records', CONSTRAINT = 'records_owner_id_fkey',
                  DETAIL = format('Key (owner_id)=(%s) is not present in table "users".', missing);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION users_check_record_owners() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner BIGINT;
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        SELECT OLD.id INTO owner WHERE EXISTS (SELECT 1 FROM records WHERE owner_id = OLD.id);
    ELSE
        SELECT b.id INTO owner FROM users_before b WHERE EXISTS (SELECT 1 FROM records WHERE owner_id = b.id) LIMIT 1;
    END IF;
    IF owner IS NOT NULL THEN
        RAISE EXCEPTION 'update or delete on table "users" violates foreign key constraint "records_owner_id_fkey" on table "records"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'records', CONSTRAINT = 'records_owner_id_fkey',
                  DETAIL = format('Key (id)=(%s) is still referenced from table "records".', owner);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER records_owners_exist_on_insert AFTER INSERT ON records
    REFERENCING NEW TABLE AS records_after FOR EACH STATEMENT EXECUTE FUNCTION records_check_owners();
CREATE TRIGGER records_owners_exist_on_update AFTER UPDATE ON records
    REFERENCING NEW TABLE AS records_after FOR EACH STATEMENT EXECUTE FUNCTION records_check_owners();
CREATE TRIGGER users_keep_record_owners_on_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS users_before FOR EACH STATEMENT EXECUTE FUNCTION users_check_record_owners();
CREATE TRIGGER users_keep_record_owners_on_renumber AFTER UPDATE OF id ON users
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION users_check_record_owners();

-- record_ownership_changes.record_id names a record. The record side stays checked: a record with
-- history cannot be deleted or renumbered. A deletion first takes a SHARE lock on the history, so
-- it waits for every transaction still writing history and holds new ones off until it ends; its
-- check then sees their lines, as the foreign key's row lock made it see them.
-- New history lines are no longer checked one by one: a check of 100,000 lines costs one index
-- probe each, as much as the foreign key did (measured). They are only ever written for records
-- that the writing statement itself reads and holds: a hand-over writes exactly one line per row
-- its UPDATE ... RETURNING moved (models.moveRecordsAtOnce), and the seed writes the creation line
-- of records it inserted in the same transaction. Like from_user_id, to_user_id and changed_by_id
-- before it (00001), record_id is now kept by the application on the writing side; SQLite still
-- checks it with its foreign key, which the test suite runs against.
ALTER TABLE record_ownership_changes DROP CONSTRAINT record_ownership_changes_record_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION records_wait_for_history_writers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE record_ownership_changes IN SHARE MODE;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION records_check_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    record BIGINT;
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        SELECT OLD.id INTO record WHERE EXISTS (SELECT 1 FROM record_ownership_changes WHERE record_id = OLD.id);
    ELSE
        SELECT d.id INTO record FROM records_before d
        WHERE EXISTS (SELECT 1 FROM record_ownership_changes WHERE record_id = d.id) LIMIT 1;
    END IF;
    IF record IS NOT NULL THEN
        RAISE EXCEPTION 'update or delete on table "records" violates foreign key constraint "record_ownership_changes_record_id_fkey" on table "record_ownership_changes"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'record_ownership_changes', CONSTRAINT = 'record_ownership_changes_record_id_fkey',
                  DETAIL = format('Key (id)=(%s) is still referenced from table "record_ownership_changes".', record);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER records_wait_for_history_writers_on_delete BEFORE DELETE ON records
    FOR EACH STATEMENT EXECUTE FUNCTION records_wait_for_history_writers();
CREATE TRIGGER records_keep_history_on_delete AFTER DELETE ON records
    REFERENCING OLD TABLE AS records_before FOR EACH STATEMENT EXECUTE FUNCTION records_check_history();
CREATE TRIGGER records_keep_history_on_renumber AFTER UPDATE OF id ON records
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION records_check_history();

-- +goose Down
DROP TRIGGER records_keep_history_on_renumber ON records;
DROP TRIGGER records_keep_history_on_delete ON records;
DROP TRIGGER records_wait_for_history_writers_on_delete ON records;
DROP FUNCTION records_check_history();
DROP FUNCTION records_wait_for_history_writers();
ALTER TABLE record_ownership_changes ADD CONSTRAINT record_ownership_changes_record_id_fkey FOREIGN KEY (record_id) REFERENCES records(id);
DROP TRIGGER users_keep_record_owners_on_renumber ON users;
DROP TRIGGER users_keep_record_owners_on_delete ON users;
DROP TRIGGER records_owners_exist_on_update ON records;
DROP TRIGGER records_owners_exist_on_insert ON records;
DROP FUNCTION users_check_record_owners();
DROP FUNCTION records_check_owners();
ALTER TABLE records ADD CONSTRAINT records_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users(id);
