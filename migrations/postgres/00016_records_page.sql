-- +goose Up
-- The records page (Settings > Records) lists every owned record of an account with its last
-- hand-over and pages through them by keyset in three orders. The last hand-over is kept on the
-- record itself, written by the statement that moves it, so that ordering by it is an index walk
-- rather than a search of the history for each record.
ALTER TABLE records ADD COLUMN handed_over_at TIMESTAMPTZ;
ALTER TABLE records ADD COLUMN handed_over_from_id BIGINT;

UPDATE records SET handed_over_at = last.changed_at, handed_over_from_id = last.from_user_id
FROM (SELECT DISTINCT ON (record_id) record_id, changed_at, from_user_id
      FROM record_ownership_changes WHERE from_user_id IS NOT NULL
      ORDER BY record_id, changed_at DESC, id DESC) last
WHERE last.record_id = records.id;

-- One index per order, each ending in the id that breaks ties; the kind filter has its own so a
-- filtered page stays an index walk too. Records never handed over sort by when their owner got
-- them, their creation.
CREATE INDEX records_list_title ON records (account_id, lower(title), id);
CREATE INDEX records_list_kind ON records (account_id, kind, id);
CREATE INDEX records_list_kind_title ON records (account_id, kind, lower(title), id);
CREATE INDEX records_list_handover ON records (account_id, (coalesce(handed_over_at, created_at)), id);
-- "Contains" searches on titles.
CREATE INDEX records_search ON records USING gin (lower(title) gin_trgm_ops);

-- Undoing a hand-over finds the history lines it wrote: one operation writes them all with one
-- timestamp and one actor.
CREATE INDEX record_ownership_changes_handover ON record_ownership_changes (account_id, changed_at, changed_by_id);

-- +goose Down
DROP INDEX record_ownership_changes_handover;
DROP INDEX records_search;
DROP INDEX records_list_handover;
DROP INDEX records_list_kind_title;
DROP INDEX records_list_kind;
DROP INDEX records_list_title;
ALTER TABLE records DROP COLUMN handed_over_from_id;
ALTER TABLE records DROP COLUMN handed_over_at;
