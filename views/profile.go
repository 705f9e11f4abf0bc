package views

import (
	"strings"

	"roster/models"
)

// ProfileView is one user's profile page.
type ProfileView struct {
	Chrome
	Profile *models.UserProfile
	Flashes []string
	// CanManage offers the lifecycle actions for this user.
	CanManage bool
}

func (v ProfileView) selfHref() string { return userHref(v.Profile.User.ID) }

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
	models.AuditSignedIn:           "Signed in",
	models.AuditAccountCreated:     "Created the account",
	models.AuditUserInvited:        "Invited",
	models.AuditInvitationReminded: "Reminded of the invitation",
	models.AuditInvitationRevoked:  "Invitation revoked",
	models.AuditInvitationAccepted: "Accepted the invitation",
	models.AuditUserDeactivated:    "Deactivated",
	models.AuditUserReactivated:    "Reactivated",
	models.AuditPrivacyEdited:      "Privacy edit: name, phone or picture changed",
	models.AuditAccountTransferred: "Account transferred to another user",
	// Who asked for a link shows beside it: an admin by name, the sign-in page by no name.
	models.AuditPasswordResetRequested: "Password reset link sent",
	models.AuditPasswordReset:          "Chose a new password with a reset link",
	models.AuditDeletionScheduled:      "Scheduled for deletion",
	models.AuditDeletionUndone:         "Deletion undone",
	models.AuditDeletionCancelled:      "Scheduled deletion cancelled: no longer allowed",
	models.AuditUserDeleted:            "Deleted",
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

var recordKindSingulars = map[string]string{
	"deal": "Deal", "contact": "Contact", "lead": "Lead", "activity": "Activity", "pin": "PIN", "request": "Request",
}

func recordKindSingular(kind string) string {
	if label, ok := recordKindSingulars[kind]; ok {
		return label
	}
	return kind
}

// handoverReason is the stored reason of an ownership change as people read it.
func handoverReason(reason string) string {
	switch {
	case reason == "deactivation hand-over":
		return "Hand-over at deactivation"
	case strings.HasPrefix(reason, "deactivation hand-over: "):
		return "Hand-over at deactivation: " + strings.TrimPrefix(reason, "deactivation hand-over: ")
	case reason == "account transfer":
		return "Account transfer"
	case strings.HasPrefix(reason, "account transfer: "):
		return "Account transfer: " + strings.TrimPrefix(reason, "account transfer: ")
	case reason == "created":
		return "Created"
	}
	return reason
}
