package views

import (
	"roster/models"
)

// ProfileView is one user's profile page.
type ProfileView struct {
	Chrome
	Profile *models.UserProfile
}

var statusLabels = map[models.UserStatus]string{
	models.StatusActive: "Active", models.StatusInactive: "Inactive", models.StatusInvited: "Invited", models.StatusDeleted: "Deleted",
}

func statusLabel(s models.UserStatus) string { return statusLabels[s] }

var recordKindLabels = map[string]string{
	"deal": "Deals", "contact": "Contacts", "lead": "Leads", "activity": "Activities", "pin": "PINs", "request": "Requests",
}

func recordKindLabel(kind string) string {
	if label, ok := recordKindLabels[kind]; ok {
		return label
	}
	return kind
}

var auditActionLabels = map[string]string{
	models.AuditSignedIn:       "Signed in",
	models.AuditAccountCreated: "Created the account",
}

func auditActionLabel(action string) string {
	if label, ok := auditActionLabels[action]; ok {
		return label
	}
	return action
}

func profileTabHref(status models.UserStatus) string {
	if status == models.StatusActive {
		return "/settings/users"
	}
	return "/settings/users?tab=" + string(status)
}
