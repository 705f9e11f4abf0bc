package views

import (
	"strconv"
	"strings"

	"roster/models"
	"roster/routes"
)

// ProfileView is one user's profile page.
type ProfileView struct {
	Chrome
	Profile *models.UserProfile
	Flashes []Flash
	// CanManage offers the lifecycle actions for this user.
	CanManage bool
	// CanChangeRole offers the role change.
	CanChangeRole bool
	// CanImpersonate offers "View as" and "Act as"; ImpersonationRefusal says why not, for those
	// who may impersonate others.
	CanImpersonate       bool
	ImpersonationRefusal string
	// CanSetDormancyExempt offers the dormancy policy's exemption checkbox.
	CanSetDormancyExempt bool
}

func (v ProfileView) dormancyExemptHref() string {
	return routes.Path(routes.RouteDormancyExemptSave, v.Profile.User.ID)
}

func (v ProfileView) selfHref() string { return UserHref(v.Profile.User.ID) }

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

// removedIfEmpty names a user whose row is gone, as the audit log does.
func removedIfEmpty(name string, id int64) string {
	if name == "" {
		return "Removed user #" + strconv.FormatInt(id, 10)
	}
	return name
}

// systemActorLabel names a rule that acted, as the audit log does.
func systemActorLabel(system string) string { return models.SystemActorLabel(system) }

// auditActionLabel names an action the way the audit log does: one registry for both.
func auditActionLabel(action string) string { return models.AuditActionLabel(action) }

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
