package views

import (
	"net/url"
	"strconv"

	"roster/models"
)

// RecordListState is the records page's position as it appears in the URL; every link and form
// of the page is built from it, so each state has its own address.
type RecordListState struct {
	Q           string
	Owner       string
	OwnerStatus string
	Kind        string
	Open        string
	Sort        string
	Dir         string
	After       string
	Before      string
}

// RecordListView is the records page.
type RecordListView struct {
	Chrome
	State   RecordListState
	Page    *models.RecordListPage
	Notices []string
	Flashes []string
	// CanManage offers selecting records and handing them over.
	CanManage bool
	ReachNote string
}

// query is the state as URL parameters; defaults are left out to keep links short.
func (s RecordListState) query() url.Values {
	v := url.Values{}
	set := func(key, value, def string) {
		if value != "" && value != def {
			v.Set(key, value)
		}
	}
	set("q", s.Q, "")
	set("owner", s.Owner, "")
	set("owner_status", s.OwnerStatus, "")
	set("kind", s.Kind, "")
	set("open", s.Open, "")
	set("sort", s.Sort, string(models.RecordSortTitle))
	set("dir", s.Dir, "asc")
	set("after", s.After, "")
	set("before", s.Before, "")
	return v
}

func (s RecordListState) href() string { return withQuery(RecordsPath, s.query()) }

// RecordsHref is the records page's URL for a state.
func RecordsHref(s RecordListState) string { return s.href() }

func (s RecordListState) exportHref() string {
	s.After, s.Before = "", ""
	return withQuery(RecordsExportPath, s.query())
}

func (s RecordListState) filtered() bool {
	return s.Q != "" || s.Owner != "" || s.OwnerStatus != "" || s.Kind != "" || s.Open != ""
}

func (s RecordListState) cleared() string {
	return RecordListState{Sort: s.Sort, Dir: s.Dir}.href()
}

func (s RecordListState) withSort(column string) string {
	dir := "asc"
	if s.Sort == column && s.Dir != "desc" {
		dir = "desc"
	}
	s.Sort, s.Dir, s.After, s.Before = column, dir, "", ""
	return s.href()
}

func (s RecordListState) withOwner(id int64) string {
	s.Owner, s.After, s.Before = strconv.FormatInt(id, 10), "", ""
	return s.href()
}

func (s RecordListState) page(after, before string) string {
	s.After, s.Before = after, before
	return s.href()
}

func (s RecordListState) sortIndicator(column string) string {
	if s.Sort != column {
		return "none"
	}
	if s.Dir == "desc" {
		return "descending"
	}
	return "ascending"
}

func (s RecordListState) sortArrow(column string) string {
	switch s.sortIndicator(column) {
	case "ascending":
		return "▲"
	case "descending":
		return "▼"
	}
	return ""
}

func ownerStatusBadge(o models.OwnerStatus) string { return "badge badge-owner-" + string(o) }

func recordState(open bool) string {
	if open {
		return "Open"
	}
	return "Closed"
}

func pluralRecords(n int64) string {
	if n == 1 {
		return "record"
	}
	return "records"
}

// RecordHandoverView is the form that chooses who receives a selection of records.
type RecordHandoverView struct {
	Chrome
	// IDs is the selection as a form value, or "" when it is every record matching State.
	IDs        string
	All        bool
	Selected   int
	State      RecordListState
	Recipients []models.Recipient
	Form       RecordHandoverForm
	Errors     map[string]string
}

// RecordHandoverForm is what the admin chose on the hand-over form.
type RecordHandoverForm struct {
	Mode   string // "one" or "kind"
	To     string
	ByKind map[string]string
	Reason string
}

func recipientValue(r models.Recipient) string { return strconv.FormatInt(r.ID, 10) }

func recipientLabel(r models.Recipient) string {
	if r.Email == "" {
		return r.Name
	}
	return r.Name + " (" + r.Email + ")"
}

// ownerKindRecordsHref is the records page filtered by one owner and kind.
func ownerKindRecordsHref(ownerID int64, kind string) string {
	return RecordsHref(RecordListState{Owner: strconv.FormatInt(ownerID, 10), Kind: kind})
}

// keptRecordsHref finds the records a deactivation leaves with the people it deactivates: by
// owner for one person, among every inactive owner's for several.
func (v WizardView) keptRecordsHref() string {
	if v.Impact != nil && len(v.Impact.Users) == 1 {
		return OwnerRecordsHref(v.Impact.Users[0].User.ID)
	}
	return RecordsHref(RecordListState{OwnerStatus: string(models.OwnerInactive)})
}

// HandoverUndoView is the confirm page of an undo: what goes back and what stays.
type HandoverUndoView struct {
	Chrome
	Undo   *models.HandoverUndo
	Errors map[string]string
}

func (v HandoverUndoView) action() string { return HandoverUndoHref(v.Undo.EventID) }

func undoKindLabel(kind string) string {
	switch kind {
	case "group":
		return "Group"
	case "report":
		return "Reports to"
	}
	return kind
}
