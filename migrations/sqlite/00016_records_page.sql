-- +goose Up
-- The records page keeps each record's last hand-over on the record (see PostgreSQL's 00016).
ALTER TABLE records ADD COLUMN handed_over_at DATETIME;
ALTER TABLE records ADD COLUMN handed_over_from_id INTEGER;

UPDATE records SET
    handed_over_at = (SELECT h.changed_at FROM record_ownership_changes h
                      WHERE h.record_id = records.id AND h.from_user_id IS NOT NULL
                      ORDER BY h.changed_at DESC, h.id DESC LIMIT 1),
    handed_over_from_id = (SELECT h.from_user_id FROM record_ownership_changes h
                           WHERE h.record_id = records.id AND h.from_user_id IS NOT NULL
                           ORDER BY h.changed_at DESC, h.id DESC LIMIT 1);

CREATE INDEX records_list_title ON records (account_id, lower(title), id);
CREATE INDEX records_list_kind ON records (account_id, kind, id);
CREATE INDEX records_list_kind_title ON records (account_id, kind, lower(title), id);
CREATE INDEX records_list_handover ON records (account_id, coalesce(handed_over_at, created_at), id);
CREATE INDEX record_ownership_changes_handover ON record_ownership_changes (account_id, changed_at, changed_by_id);

-- +goose Down
DROP INDEX record_ownership_changes_handover;
DROP INDEX records_list_handover;
DROP INDEX records_list_kind_title;
DROP INDEX records_list_kind;
DROP INDEX records_list_title;
ALTER TABLE records DROP COLUMN handed_over_from_id;
ALTER TABLE records DROP COLUMN handed_over_at;
