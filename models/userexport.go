package models

import (
	"context"
	"time"
)

// ExportBatchSize is how many users an export reads per round trip: large enough that 100,000
// users take a couple of hundred queries, small enough that memory stays flat.
const ExportBatchSize = 1000

// UserExportRow is one user in a CSV export of the list: everything the list shows about them,
// with nothing cut short.
type UserExportRow struct {
	ID           int64
	Name         string
	Email        string
	Role         Role
	Status       UserStatus
	PlanName     string
	ManagerName  string
	Groups       []string
	CreatedAt    time.Time
	LastSignInAt *time.Time
	// Invitation details, on the Invited tab.
	InvitedByName string
	InvitedAt     *time.Time
	RemindedAt    *time.Time
	ExpiresAt     *time.Time
}

// ExportUsers calls each for every user on q's tab under its filters, in q's order — the list
// the admin is looking at, without its pages: q's cursors and page size are ignored. Users are
// read ExportBatchSize at a time by keyset, one query per batch (the rows with their groups),
// so neither memory nor the cost of the last batch grows with the account. Returns ErrForbidden
// unless the actor may view users, and otherwise the first error of a query or of each, which
// ends the export.
//
// NOTE: the batches are separate reads, not one snapshot: a transaction held open while a slow
// client downloads would pin a database connection (and SQLite's write-ahead log) for as long.
// Keyset reading still lists every user who stays put exactly once; someone renamed while the
// export runs may be missed or listed twice.
func (s *Store) ExportUsers(ctx context.Context, actor *Actor, q UserListQuery, each func(UserExportRow) error) error {
	if !actor.Allows(PermViewUsers) {
		return ErrForbidden
	}
	q = q.forActor(actor)
	var from *listCursor
	for {
		rows, err := s.readTab(ctx, actor.Account.ID, q, tabColumnsAll, from, false, ExportBatchSize)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := each(exportRow(r.UserRow)); err != nil {
				return err
			}
		}
		if len(rows) < ExportBatchSize {
			return nil
		}
		last := s.rowPosition(q.Sort, rows[len(rows)-1].UserRow)
		from = &last
	}
}

func exportRow(r UserRow) UserExportRow {
	return UserExportRow{ID: r.ID, Name: r.Name, Email: r.Email, Role: r.Role, Status: r.Status, PlanName: r.PlanName,
		ManagerName: r.ManagerName, Groups: r.Groups, CreatedAt: r.CreatedAt, LastSignInAt: r.LastSignInAt,
		InvitedByName: r.InvitedByName, InvitedAt: r.InvitedAt, RemindedAt: r.RemindedAt, ExpiresAt: r.ExpiresAt}
}
