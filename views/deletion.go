package views

import (
	"time"

	"roster/models"
)

// DeleteView is the delete page for one or several inactive users: what each outcome does,
// which are allowed, and the grace period before it is carried out.
type DeleteView struct {
	Chrome
	// IDs is the selection as the form posts it back.
	IDs   string
	Users []models.User
	// Options explains, for a single user, which outcomes are refused and why; nil for several.
	Options   *models.DeletionOptions
	GraceDays int
	DueAt     time.Time
	Mode      string
	EraseNow  bool
	Errors    map[string]string
}

// DeletionOutcome is one choice of the delete page with its explanation.
type DeletionOutcome struct {
	Mode    models.DeletionMode
	Label   string
	Explain string
}

// DeletionOutcomes are the three outcomes, explained as the delete page shows them.
var DeletionOutcomes = []DeletionOutcome{
	{models.DeleteAnonymise, "Anonymise",
		"Name, e-mail, phone and picture are erased; they show as “(deleted user)”. Their records, ownership history and activity stay, and team statistics still count them."},
	{models.DeleteWithHistory, "Delete with history",
		"Anonymises them and also removes their activity, so team statistics no longer count them. Their records and ownership history stay."},
	{models.DeleteRemove, "Remove",
		"The user disappears completely. Only possible when they own nothing and have no history."},
}

func (v DeleteView) single() bool { return v.Options != nil }

func (v DeleteView) refused(mode models.DeletionMode) []models.DeletionReason {
	if v.Options == nil {
		return nil
	}
	return v.Options.Refused[mode]
}

func (v DeleteView) title() string {
	if len(v.Users) == 1 {
		return models.DisplayName(&v.Users[0])
	}
	return models.Count(len(v.Users), "user", "users")
}

func (v DeleteView) anyAllowed() bool {
	for _, o := range DeletionOutcomes {
		if len(v.refused(o.Mode)) == 0 {
			return true
		}
	}
	return false
}

func (v DeleteView) backHref() string {
	if len(v.Users) == 1 {
		return UserHref(v.Users[0].ID)
	}
	return UsersTabHref(models.StatusInactive)
}

// deletionModeLabel names a scheduled deletion's outcome.
func deletionModeLabel(mode *string) string {
	if mode == nil {
		return ""
	}
	for _, o := range DeletionOutcomes {
		if string(o.Mode) == *mode {
			return o.Label
		}
	}
	return *mode
}

// trail leads to the delete page through the Inactive tab, and the person when there is one.
func (v DeleteView) trail() []Crumb {
	trail := []Crumb{usersCrumb(), {"Inactive", UsersTabHref(models.StatusInactive)}}
	if len(v.Users) == 1 {
		trail = append(trail, Crumb{v.title(), UserHref(v.Users[0].ID)})
	}
	return trail
}
