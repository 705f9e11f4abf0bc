package views

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"roster/models"
	"roster/routes"
)

// AuditLogState is the audit log's position as it appears in the URL: the filters as typed and
// a cursor. Every link and form of the page is built from it.
type AuditLogState struct {
	Actor  string
	Target string
	Action string
	From   string
	To     string
	After  string
	Before string
	// Everything shows sign-ins too; the log shows changes only by default.
	Everything bool
}

// AuditLogView is Settings > Audit log: the filters, their messages and one page of events.
type AuditLogView struct {
	Chrome
	State AuditLogState
	// Page is nil when a filter could not be used; Errors then says why, per field.
	Page    *models.AuditLogPage
	Errors  map[string]string
	Actions []models.AuditAction
	// Location is the account's time zone, in which the page shows times; nil is UTC. The CSV
	// export stays in UTC.
	Location *time.Location
	// CanUndo offers undoing hand-overs from their events.
	CanUndo bool
}

func (v AuditLogView) location() *time.Location {
	if v.Location == nil {
		return time.UTC
	}
	return v.Location
}

// zone names the page's time zone.
func (v AuditLogView) zone() string { return v.location().String() }

// query is the state as URL parameters; empty values are left out to keep links short.
func (s AuditLogState) query() url.Values {
	v := url.Values{}
	for _, p := range [][2]string{{"actor", s.Actor}, {"target", s.Target}, {"action", s.Action}, {"from", s.From},
		{"to", s.To}, {"after", s.After}, {"before", s.Before}} {
		if p[1] != "" {
			v.Set(p[0], p[1])
		}
	}
	if s.Everything {
		v.Set("all", "1")
	}
	return v
}

// toggleSignIns is the same view with sign-ins shown or hidden, from its first page.
func (s AuditLogState) toggleSignIns() string {
	s.Everything, s.After, s.Before = !s.Everything, "", ""
	return s.href()
}

// detailHref links a person an event's details name, or "" when they no longer exist.
func detailHref(d models.AuditDetail) string {
	if d.Person == nil || d.Person.Removed {
		return ""
	}
	return UserHref(d.Person.ID)
}

func (s AuditLogState) href() string { return withQuery(routes.Path(routes.RouteAudit), s.query()) }

func (s AuditLogState) withCursor(after, before string) string {
	s.After, s.Before = after, before
	return s.href()
}

// exportHref downloads every event under the same filters; pages do not apply to a download.
func (s AuditLogState) exportHref() string {
	s.After, s.Before = "", ""
	return withQuery(routes.Path(routes.RouteAuditExport), s.query())
}

func (s AuditLogState) filtered() bool {
	return s.Actor != "" || s.Target != "" || s.Action != "" || s.From != "" || s.To != ""
}

func (v AuditLogView) invalid(field string) bool { return v.Errors[field] != "" }

// AuditCSVHeader is the first row of an audit log export.
func AuditCSVHeader() []string {
	return []string{"Time (UTC)", "Action", "Actor ID", "Actor", "Real actor ID", "Real actor", "Target ID", "Target", "Details", "IP address", "Event ID"}
}

// AuditCSVRecord is one event's row in an export, every cell safe to open in a spreadsheet.
func AuditCSVRecord(e models.AuditLogEntry) []string {
	record := []string{e.At.UTC().Format(time.DateTime), e.ActionLabel}
	for _, p := range []*models.AuditPerson{e.Actor, e.RealActor, e.Target} {
		switch {
		case p == nil:
			record = append(record, "", "")
		case p.System:
			record = append(record, "", p.Label())
		default:
			record = append(record, strconv.FormatInt(p.ID, 10), p.Label())
		}
	}
	record = append(record, detailsText(e.Details), e.IP, strconv.FormatInt(e.ID, 10))
	for i, cell := range record {
		record[i] = csvCell(cell)
	}
	return record
}

func detailsText(details []models.AuditDetail) string {
	parts := make([]string, len(details))
	for i, d := range details {
		parts[i] = d.Label + ": " + d.Value
	}
	return strings.Join(parts, "; ")
}

func personClass(p *models.AuditPerson) string {
	if p != nil && (p.Removed || p.Name == models.DeletedUserName) {
		return "audit-person muted"
	}
	return "audit-person"
}

func auditISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func personID(p *models.AuditPerson) string { return "#" + strconv.FormatInt(p.ID, 10) }
