package views

import (
	"slices"

	"roster/models"
	"roster/routes"
)

// HomeView is the home page: the user's own details and work, and what they may change.
type HomeView struct {
	Chrome
	Profile *models.UserProfile
	Flashes []string
	// Name and Phone are the details form's values; Errors its messages per field.
	Name, Phone string
	Errors      map[string]string
	// Impersonated locks what an impersonator may never change: password and sessions.
	Impersonated bool
}

// ImpersonateView is the form that starts "View as" or "Act as" for one user, or says why not.
type ImpersonateView struct {
	Chrome
	Target  models.User
	Mode    string
	Reason  string
	Minutes int
	Refusal string
	Errors  map[string]string
}

func (v ImpersonateView) action() string {
	return routes.Path(routes.RouteImpersonateSubmit, v.Target.ID)
}

// AccountSettingsView is Settings > Account.
type AccountSettingsView struct {
	Chrome
	Settings models.AccountSettings
	// Minutes and GraceDays keep what was typed, valid or not.
	Minutes, GraceDays string
	Errors             map[string]string
	Flashes            []string
	// Handover is the default hand-over's own form.
	Handover DefaultHandoverView
	// TimeZone is the account's time zone as its own form shows it (what was sent, when refused).
	TimeZone string
}

// timeZoneChoices are the zones the select offers, the current one included.
func (v AccountSettingsView) timeZoneChoices() []string {
	if v.TimeZone == "" || slices.Contains(models.TimeZoneChoices, v.TimeZone) {
		return models.TimeZoneChoices
	}
	return append([]string{v.TimeZone}, models.TimeZoneChoices...)
}
