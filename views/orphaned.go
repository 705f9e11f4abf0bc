package views

import (
	"strconv"
	"strings"

	"roster/models"
)

// SectionOrphaned is the orphaned work report's navigation entry.
const SectionOrphaned = "orphaned"

// OrphanedWorkView is the orphaned work report: a page of former users and what they still hold.
type OrphanedWorkView struct {
	Chrome
	Work    *models.OrphanedWork
	Flashes []Flash
}

// OrphanedHandoverView chooses who takes over one former user's work.
type OrphanedHandoverView struct {
	Chrome
	Owner      models.OrphanedOwner
	Recipients []models.Recipient
	To         string
	Errors     map[string]string
}

// orphanState names where a former user stands.
func orphanState(u models.User) string {
	switch {
	case u.Status == models.StatusDeleted:
		return "Anonymised"
	case u.DeletionDueAt != nil:
		return "Deletion scheduled " + longDate(*u.DeletionDueAt)
	}
	return "Inactive"
}

// recordLine is one kind of record: "Deals: 2 open, 1 closed".
func recordLine(r models.RecordCount) string {
	var parts []string
	if r.Open > 0 {
		parts = append(parts, thousands(r.Open)+" open")
	}
	if r.Closed > 0 {
		parts = append(parts, thousands(r.Closed)+" closed")
	}
	return recordKindLabel(r.Kind) + ": " + strings.Join(parts, ", ")
}

func groupNames(groups []models.Group) string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	return strings.Join(names, ", ")
}

func suggestionLabel(o models.OrphanedOwner) string {
	if o.SuggestedWhy == "manager" {
		return "Hand to " + o.SuggestedName + " (their manager)"
	}
	return "Hand to " + o.SuggestedName + " (default hand-over)"
}

func (v OrphanedWorkView) totals() string {
	w := v.Work
	return models.Count(w.People, "person holds", "people hold") + " " + models.Count(w.OpenRecords, "open record", "open records") + ", " +
		models.Count(w.Groups, "group", "groups") + " and " + models.Count(w.Reports, "report", "reports") + "."
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }
