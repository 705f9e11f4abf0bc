package views

import (
	"strconv"
	"strings"
	"time"

	"roster/models"
)

// The CSV export of the user list has the columns the list shows on the tab, each in full: the
// Invited tab trades the last sign-in, which nobody invited has, for the invitation.

// UserCSVHeader is the first row of an export of tab.
func UserCSVHeader(tab string) []string {
	header := []string{"ID", "Name", "E-mail", "Role", "Status", "Plan", "Manager", "Groups", "Created (UTC)"}
	if tab == "invited" {
		return append(header, "Invited by", "Sent (UTC)", "Reminded (UTC)", "Expires (UTC)")
	}
	return append(header, "Last sign-in (UTC)")
}

// UserCSVRecord is one user's row in an export of tab, every cell safe to open in a spreadsheet.
func UserCSVRecord(tab string, r models.UserExportRow) []string {
	record := []string{strconv.FormatInt(r.ID, 10), r.Name, r.Email, r.Role.Label(), tabLabel(string(r.Status)),
		r.PlanName, r.ManagerName, strings.Join(r.Groups, "; "), csvTime(&r.CreatedAt)}
	if tab == "invited" {
		record = append(record, r.InvitedByName, csvTime(r.InvitedAt), csvTime(r.RemindedAt), csvTime(r.ExpiresAt))
	} else {
		record = append(record, csvTime(r.LastSignInAt))
	}
	for i, cell := range record {
		record[i] = csvCell(cell)
	}
	return record
}

// csvTime is a time as spreadsheets recognise it without help, in UTC as the header says.
func csvTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateTime)
}

// csvCell keeps a spreadsheet from running a cell as a formula: names and group names are typed
// by people, and `=HYPERLINK(…)` in a name would otherwise become a live link or command in the
// admin's Excel. A leading apostrophe makes the cell text, as OWASP's CSV-injection guidance
// recommends; encoding/csv does the quoting.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
