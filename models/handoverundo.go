package models

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"gorm.io/gorm"
)

// undoableHandovers are the audit events whose hand-over can be undone.
var undoableHandovers = []string{AuditRecordsHandedOver, AuditUserDeactivated, AuditAccountTransferred}

// UndoableHandover tells whether an audit event of action recorded a hand-over that can be
// undone within the account's deletion grace period.
func UndoableHandover(action string) bool { return slices.Contains(undoableHandovers, action) }

// handoverUndoLabel names an undo in ownership history.
const handoverUndoLabel = "hand-over undone"

// UndoItem is one thing a hand-over moved: a record, a group or a person whose manager changed.
type UndoItem struct {
	ID    int64
	Label string
	Kind  string
	// CurrentID holds it now; PreviousID held it before the hand-over and gets it back.
	CurrentID, PreviousID     int64
	CurrentName, PreviousName string
}

// HandoverUndo is what undoing a hand-over would do: what goes back to its previous holder, and
// what has moved on since and stays where it is.
type HandoverUndo struct {
	EventID   int64
	Action    string
	At        time.Time
	Deadline  time.Time
	Records   []UndoItem
	Groups    []UndoItem
	Reports   []UndoItem
	MovedOn   []UndoItem
	GroupsOn  []UndoItem
	ReportsOn []UndoItem
}

// Empty tells whether nothing would go back.
func (u *HandoverUndo) Empty() bool {
	return len(u.Records) == 0 && len(u.Groups) == 0 && len(u.Reports) == 0
}

// HandoverUndoResult counts what went back.
type HandoverUndoResult struct {
	Records, Groups, Reports, Stayed int
}

// HandoverUndoPreview says what undoing the hand-over of audit event eventID would give back.
// Returns ErrNotFound for an event of another account, one that is no hand-over, or one whose
// people the actor does not reach; ErrGone once the account's deletion grace period has passed.
func (s *Store) HandoverUndoPreview(ctx context.Context, actor *Actor, eventID int64) (*HandoverUndo, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	return s.handoverUndo(s.read(ctx), actor, eventID)
}

// UndoHandover gives back, in one transaction, every record the hand-over of audit event eventID
// moved and that has not changed owner since, each with an ownership history line; likewise its
// groups and reports. What moved on since stays. One audit event records what went back.
func (s *Store) UndoHandover(ctx context.Context, actor *Actor, eventID int64) (*HandoverUndoResult, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	result := &HandoverUndoResult{}
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		*result = HandoverUndoResult{}
		undo, err := s.handoverUndo(tx, actor, eventID)
		if err != nil {
			return err
		}
		if undo.Empty() {
			return FieldErrors{"undo": "Nothing of this hand-over is still where it went: there is nothing to give back."}
		}
		// Users by id (everyone who gets something back), then what hangs off them.
		var people []int64
		for _, items := range [][]UndoItem{undo.Records, undo.Groups, undo.Reports} {
			for _, it := range items {
				people = append(people, it.PreviousID, it.CurrentID)
			}
		}
		var locked []User
		if err := lockNoKeyUpdate(tx.Where(s.idIn("id", unique64(people)))).Order("id").Find(&locked).Error; err != nil {
			return err
		}
		now := s.now()
		byPrevious := map[int64][]int64{}
		for _, r := range undo.Records {
			byPrevious[r.PreviousID] = append(byPrevious[r.PreviousID], r.ID)
		}
		previous := make([]int64, 0, len(byPrevious))
		for id := range byPrevious {
			previous = append(previous, id)
		}
		slices.Sort(previous)
		for _, to := range previous {
			ids := byPrevious[to]
			history := tx.Model(&Record{}).Select("records.account_id, records.id, records.owner_id, ?, ?, ?, ?", to, actor.User.ID, handoverUndoLabel, now).
				Where(s.idIn("records.id", ids))
			if err := tx.Exec("INSERT INTO record_ownership_changes (account_id, record_id, from_user_id, to_user_id, changed_by_id, reason, changed_at) ?", history).Error; err != nil {
				return err
			}
			if err := tx.Model(&Record{}).Where(s.idIn("id", ids)).Updates(map[string]any{"owner_id": to, "updated_at": now,
				"handed_over_at": now, "handed_over_from_id": gorm.Expr("owner_id")}).Error; err != nil {
				return err
			}
		}
		for _, g := range undo.Groups {
			if err := tx.Model(&Group{}).Where("id = ?", g.ID).Update("owner_id", g.PreviousID).Error; err != nil {
				return err
			}
			// The membership the hand-over gave the new owner goes with it.
			if err := tx.Where("group_id = ? AND user_id = ? AND created_at = ?", g.ID, g.CurrentID, undo.At).Delete(&GroupMember{}).Error; err != nil {
				return err
			}
		}
		for _, r := range undo.Reports {
			if err := tx.Model(&User{}).Where("id = ?", r.ID).Updates(map[string]any{"manager_id": r.PreviousID, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		*result = HandoverUndoResult{Records: len(undo.Records), Groups: len(undo.Groups), Reports: len(undo.Reports),
			Stayed: len(undo.MovedOn) + len(undo.GroupsOn) + len(undo.ReportsOn)}
		event := auditRow(actor, AuditHandoverUndone, nil, now, map[string]any{"event_id": eventID, "action": undo.Action,
			"records_back": result.Records, "groups_back": result.Groups, "managed_back": result.Reports, "stayed": result.Stayed})
		return writeAudit(tx, event)
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// handoverDetails is what an undo reads from a hand-over's audit details.
type handoverDetails struct {
	GroupsTo   int64   `json:"groups_to"`
	To         int64   `json:"to"`
	ManagerTo  int64   `json:"manager_to"`
	GroupIDs   []int64 `json:"group_ids"`
	ManagedIDs []int64 `json:"managed_ids"`
}

func (s *Store) handoverUndo(db *gorm.DB, actor *Actor, eventID int64) (*HandoverUndo, error) {
	var event AuditEvent
	if err := db.Where("id = ? AND account_id = ? AND action IN ?", eventID, actor.Account.ID, undoableHandovers).Take(&event).Error; err != nil {
		return nil, notFound(err)
	}
	undo := &HandoverUndo{EventID: event.ID, Action: event.Action, At: event.CreatedAt,
		Deadline: event.CreatedAt.AddDate(0, 0, graceDays(actor.Account))}
	if !s.now().Before(undo.Deadline) {
		return nil, ErrGone
	}
	var details handoverDetails
	_ = json.Unmarshal([]byte(event.Details), &details)
	lines, err := handoverLines(db, actor, event)
	if err != nil {
		return nil, err
	}
	groups, err := handedOver[Group](db, actor, event, details.GroupIDs)
	if err != nil {
		return nil, err
	}
	reports, err := handedOver[User](db, actor, event, details.ManagedIDs)
	if err != nil {
		return nil, err
	}
	people, err := s.undoPeople(db, actor, undoPeopleIDs(event, details, lines, groups, reports))
	if err != nil {
		return nil, err
	}
	undo.sortRecords(lines, people, event.CreatedAt)
	if event.TargetUserID != nil {
		undo.sortGroups(groups, people, *event.TargetUserID, details.groupsTo())
		undo.sortReports(reports, people, *event.TargetUserID, details.managerTo())
	}
	return undo, nil
}

// groupsTo is who the hand-over gave the groups to.
func (d handoverDetails) groupsTo() int64 {
	if d.GroupsTo == 0 {
		return d.To
	}
	return d.GroupsTo
}

// managerTo is who the hand-over made the reports' manager.
func (d handoverDetails) managerTo() int64 {
	if d.ManagerTo == 0 {
		return d.To
	}
	return d.ManagerTo
}

// handoverLine is a history line a hand-over wrote, with the record as it is now.
type handoverLine struct {
	RecordID     int64
	FromUserID   int64
	ToUserID     int64
	Title        string
	Kind         string
	OwnerID      int64
	HandedOverAt *time.Time
}

// handoverLines are the history lines the hand-over of event wrote: one operation writes them all
// at one time, by one actor; a deactivation or transfer event stands for the records of its target.
func handoverLines(db *gorm.DB, actor *Actor, event AuditEvent) ([]handoverLine, error) {
	var lines []handoverLine
	q := db.Table("record_ownership_changes h").Joins("JOIN records r ON r.id = h.record_id").
		Select("h.record_id, h.from_user_id, h.to_user_id, r.title, r.kind, r.owner_id, r.handed_over_at").
		Where("h.account_id = ? AND h.changed_at = ? AND h.from_user_id IS NOT NULL AND h.reason <> ?", actor.Account.ID, event.CreatedAt, handoverUndoLabel)
	if event.ActorID != nil {
		q = q.Where("h.changed_by_id = ?", *event.ActorID)
	}
	if event.TargetUserID != nil {
		q = q.Where("h.from_user_id = ?", *event.TargetUserID)
	}
	err := q.Order("h.record_id").Limit(MaxRecordsPerHandover * 4).Scan(&lines).Error
	return lines, err
}

// handedOver loads the groups or reports, by ID, that the hand-over of event's target moved.
func handedOver[T Group | User](db *gorm.DB, actor *Actor, event AuditEvent, ids []int64) ([]T, error) {
	var rows []T
	if len(ids) == 0 || event.TargetUserID == nil {
		return rows, nil
	}
	err := db.Where("account_id = ? AND id IN ?", actor.Account.ID, ids).Order("id").Find(&rows).Error
	return rows, err
}

// undoPeopleIDs are the people an undo names: the records' holders then and now, the groups'
// owners, the hand-over's target when it moved groups or reports, and the reports and their
// managers.
func undoPeopleIDs(event AuditEvent, details handoverDetails, lines []handoverLine, groups []Group, reports []User) []int64 {
	var people []int64
	for _, l := range lines {
		people = append(people, l.FromUserID, l.ToUserID, l.OwnerID)
	}
	// The target is who groups and reports go back to, whether or not records moved too.
	if (len(details.GroupIDs) > 0 || len(details.ManagedIDs) > 0) && event.TargetUserID != nil {
		people = append(people, *event.TargetUserID)
	}
	for _, g := range groups {
		people = append(people, g.OwnerID)
	}
	for _, r := range reports {
		people = append(people, r.ID)
		if r.ManagerID != nil {
			people = append(people, *r.ManagerID)
		}
	}
	return unique64(people)
}

// undoPeople loads the people an undo names, by ID. Scoped actors undo only hand-overs among the
// people they reach.
func (s *Store) undoPeople(db *gorm.DB, actor *Actor, ids []int64) (undoNames, error) {
	var users []User
	if err := db.Where(s.idIn("id", ids)).Where("account_id = ?", actor.Account.ID).Find(&users).Error; err != nil {
		return nil, err
	}
	var live []User
	for _, u := range users {
		if u.Status != StatusDeleted {
			live = append(live, u)
		}
	}
	if err := s.requireReach(db, actor, live); err != nil {
		return nil, err
	}
	byID := make(undoNames, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	return byID, nil
}

// undoNames are the people an undo names, by ID.
type undoNames map[int64]User

func (people undoNames) name(id int64) string {
	u, ok := people[id]
	if !ok {
		return DeletedUserLabel
	}
	return personLabel(u.ID, u.Name, u.Status)
}

// sortRecords puts each record the hand-over at handedOverAt moved back with its previous owner
// while it is still where it went and that owner exists, and among what moved on otherwise.
func (u *HandoverUndo) sortRecords(lines []handoverLine, people undoNames, handedOverAt time.Time) {
	for _, l := range lines {
		item := UndoItem{ID: l.RecordID, Label: l.Title, Kind: l.Kind, CurrentID: l.OwnerID, PreviousID: l.FromUserID,
			CurrentName: people.name(l.OwnerID), PreviousName: people.name(l.FromUserID)}
		_, previousExists := people[l.FromUserID]
		if l.OwnerID == l.ToUserID && l.HandedOverAt != nil && l.HandedOverAt.Equal(handedOverAt) && previousExists {
			u.Records = append(u.Records, item)
		} else {
			u.MovedOn = append(u.MovedOn, item)
		}
	}
}

// sortGroups gives back to from the groups still owned by the one they went to.
func (u *HandoverUndo) sortGroups(groups []Group, people undoNames, from, to int64) {
	for _, g := range groups {
		item := UndoItem{ID: g.ID, Label: g.Name, Kind: "group", CurrentID: g.OwnerID, PreviousID: from,
			CurrentName: people.name(g.OwnerID), PreviousName: people.name(from)}
		if g.OwnerID == to {
			u.Groups = append(u.Groups, item)
		} else {
			u.GroupsOn = append(u.GroupsOn, item)
		}
	}
}

// sortReports gives back to from the reports not deleted and still managed by the one they went to.
func (u *HandoverUndo) sortReports(reports []User, people undoNames, from, to int64) {
	for _, r := range reports {
		current := int64(0)
		if r.ManagerID != nil {
			current = *r.ManagerID
		}
		item := UndoItem{ID: r.ID, Label: personLabel(r.ID, r.Name, r.Status), Kind: "report", CurrentID: current,
			PreviousID: from, CurrentName: people.name(current), PreviousName: people.name(from)}
		if current == to && r.Status != StatusDeleted {
			u.Reports = append(u.Reports, item)
		} else {
			u.ReportsOn = append(u.ReportsOn, item)
		}
	}
}
