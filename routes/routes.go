// Package routes is the one table of every route's name and path: handlers register each route
// under its name with its pattern, and views and models build every link, redirect and e-mailed
// address from the same table with Path, so a path is written down exactly once. It imports only
// the standard library, so any package can link from it.
package routes

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Route names. Every address the console answers is named here and given its path in
// routePatterns. Paths are public interface (scripts, bookmarks, e-mailed links, SCIM clients):
// change one only on purpose.
const (
	RouteHome        = "home"
	RouteHealth      = "health"
	RouteStatic      = "static"
	RouteLogin       = "login"
	RouteLoginSubmit = "login.submit"
	RouteLogout      = "logout"
)

// Everyone's own page: details, password, sessions and picture; anyone signed in sees the
// pictures of their account.
const (
	RouteOwnProfile        = "me"
	RouteOwnDetailsSubmit  = "me.details"
	RouteOwnPasswordSubmit = "me.password"
	RouteSignOutElsewhere  = "me.sessions.end"
	RouteOwnPictureSubmit  = "me.picture"
	RouteOwnPictureRemove  = "me.picture.remove"
	RoutePicture           = "pictures.show"
)

// Settings > Account.
const (
	RouteAccountSettings     = "account.settings"
	RouteAccountSettingsSave = "account.settings.submit"
	RouteTimeZoneSave        = "account.time_zone.submit"
	RouteDefaultHandoverSave = "account.handover.submit"
)

// Settings > User management and what hangs off a user.
const (
	RouteUsers       = "users.list"
	RouteUsersExport = "users.export"
	// RouteUserGroupOptions is every group the user list can be filtered by, as the filter's
	// options, for accounts with too many groups to send with each page.
	RouteUserGroupOptions = "users.group_options"
	RouteUserProfile      = "users.profile"
	RouteBulkAction       = "users.bulk"
	RouteInvite           = "users.invite"
	RouteInviteSubmit     = "users.invite.submit"
	RouteOutbox           = "outbox"
	RouteDeactivate       = "users.deactivate"
	RouteDeactivateStep   = "users.deactivate.step"
	RouteDelete           = "users.delete"
	RouteDeleteSubmit     = "users.delete.submit"
	RouteChangePlan       = "users.change_plan"
	RouteChangePlanSubmit = "users.change_plan.submit"
	RouteChangeRole       = "users.change_role"
	RouteChangeRoleSubmit = "users.change_role.submit"
	RoutePrivacyEdit      = "users.privacy"
	RoutePrivacySubmit    = "users.privacy.submit"
	RouteTransfer         = "users.transfer"
	RouteTransferSubmit   = "users.transfer.submit"
	// RouteLeaveDateCancel takes a user's leave date (scheduled deactivation) away.
	RouteLeaveDateCancel    = "users.leave_date.cancel"
	RouteDormancyExemptSave = "users.dormancy_exempt.submit"
	RouteImpersonate        = "users.impersonate"
	RouteImpersonateSubmit  = "users.impersonate.submit"
	RouteImpersonationStop  = "impersonation.stop"
)

// Invitations and password resets are public: whoever follows them cannot sign in yet.
const (
	RouteInvitation           = "invitation"
	RouteInvitationApply      = "invitation.accept"
	RoutePasswordForgot       = "password.forgot"
	RoutePasswordForgotSubmit = "password.forgot.submit"
	RoutePasswordReset        = "password.reset"
	RoutePasswordResetSubmit  = "password.reset.submit"
)

// Settings > Records and Orphaned work.
const (
	RouteRecords                = "records"
	RouteRecordsExport          = "records.export"
	RouteRecordsHandover        = "records.handover"
	RouteHandoverUndo           = "records.undo"
	RouteHandoverUndoDo         = "records.undo.submit"
	RouteOrphanedWork           = "orphaned.list"
	RouteOrphanedHandover       = "orphaned.handover"
	RouteOrphanedHandoverSubmit = "orphaned.handover.submit"
)

// Settings > Groups.
const (
	RouteGroups             = "groups.list"
	RouteGroupCreate        = "groups.create"
	RouteGroup              = "groups.show"
	RouteGroupRename        = "groups.rename"
	RouteGroupAddMembers    = "groups.members.add"
	RouteGroupRemoveMembers = "groups.members.remove"
	RouteGroupTransferOwner = "groups.owner"
	RouteGroupDelete        = "groups.delete"
)

// Settings > Team statistics, Seats & billing, Audit log.
const (
	RouteStatistics         = "statistics"
	RouteSeats              = "seats"
	RouteSeatsExport        = "seats.export"
	RouteSeatsLedger        = "seats.ledger"
	RouteSeatQuantity       = "seats.quantity"
	RouteSeatQuantitySubmit = "seats.quantity.submit"
	RouteAudit              = "audit.list"
	RouteAuditExport        = "audit.export"
)

// Settings > Webhooks.
const (
	RouteWebhooks      = "webhooks.list"
	RouteWebhookCreate = "webhooks.create"
	RouteWebhook       = "webhooks.show"
	RouteWebhookUpdate = "webhooks.update"
	RouteWebhookDelete = "webhooks.delete"
	RouteWebhookRotate = "webhooks.rotate"
	RouteWebhookTest   = "webhooks.test"
	RouteWebhookResend = "webhooks.resend"
)

// Settings > Provisioning and Dormant seats.
const (
	RouteProvisioning       = "provisioning"
	RouteProvisioningSave   = "provisioning.submit"
	RouteProvisioningToken  = "provisioning.token.create"
	RouteProvisioningRevoke = "provisioning.token.revoke"
	RouteDormancy           = "dormancy"
	RouteDormancySave       = "dormancy.submit"
)

// SCIM 2.0 service provider routes, for Okta and Microsoft Entra ID, all under ScimBase.
const (
	RouteScimServiceProviderConfig = "scim.config"
	RouteScimResourceTypes         = "scim.resource_types"
	RouteScimResourceType          = "scim.resource_type"
	RouteScimSchemas               = "scim.schemas"
	RouteScimSchema                = "scim.schema"
	RouteScimUsers                 = "scim.users"
	RouteScimUserCreate            = "scim.users.create"
	RouteScimUser                  = "scim.user"
	RouteScimUserReplace           = "scim.user.replace"
	RouteScimUserPatch             = "scim.user.patch"
	RouteScimUserDelete            = "scim.user.delete"
	RouteScimGroups                = "scim.groups"
	RouteScimGroupCreate           = "scim.groups.create"
	RouteScimGroup                 = "scim.group"
	RouteScimGroupReplace          = "scim.group.replace"
	RouteScimGroupPatch            = "scim.group.patch"
	RouteScimGroupDelete           = "scim.group.delete"
)

// ScimBase is the SCIM API's base URL path, which identity providers are configured with.
const ScimBase = "/scim/v2"

// routePatterns is every route's path pattern in Echo's syntax, by name: ":name" takes one
// segment, a trailing "*" the rest of the path.
var routePatterns = map[string]string{
	RouteHealth:      "/healthz",
	RouteStatic:      "/static/*",
	RouteLogin:       "/login",
	RouteLoginSubmit: "/login",
	RouteLogout:      "/logout",
	RouteHome:        "/",

	RouteOwnProfile:        "/me",
	RouteOwnDetailsSubmit:  "/me",
	RouteOwnPasswordSubmit: "/me/password",
	RouteSignOutElsewhere:  "/me/sessions/end",
	RouteOwnPictureSubmit:  "/me/picture",
	RouteOwnPictureRemove:  "/me/picture/remove",
	RoutePicture:           "/pictures/:id/:file",

	RouteAccountSettings:     "/settings/account",
	RouteAccountSettingsSave: "/settings/account",
	RouteTimeZoneSave:        "/settings/account/time-zone",
	RouteDefaultHandoverSave: "/settings/account/handover",

	RouteUsers:              "/settings/users",
	RouteUsersExport:        "/settings/users/export.csv",
	RouteUserGroupOptions:   "/settings/users/group-options",
	RouteUserProfile:        "/settings/users/:id",
	RouteBulkAction:         "/settings/users/actions",
	RouteInvite:             "/settings/users/invite",
	RouteInviteSubmit:       "/settings/users/invite",
	RouteOutbox:             "/settings/outbox",
	RouteDeactivate:         "/settings/users/deactivate",
	RouteDeactivateStep:     "/settings/users/deactivate",
	RouteDelete:             "/settings/users/delete",
	RouteDeleteSubmit:       "/settings/users/delete",
	RouteChangePlan:         "/settings/users/change-plan",
	RouteChangePlanSubmit:   "/settings/users/change-plan",
	RouteChangeRole:         "/settings/users/change-role",
	RouteChangeRoleSubmit:   "/settings/users/change-role",
	RoutePrivacyEdit:        "/settings/users/:id/privacy",
	RoutePrivacySubmit:      "/settings/users/:id/privacy",
	RouteTransfer:           "/settings/users/:id/transfer",
	RouteTransferSubmit:     "/settings/users/:id/transfer",
	RouteLeaveDateCancel:    "/settings/users/:id/leave-date/cancel",
	RouteDormancyExemptSave: "/settings/users/:id/dormancy-exempt",
	RouteImpersonate:        "/settings/users/:id/impersonate",
	RouteImpersonateSubmit:  "/settings/users/:id/impersonate",
	RouteImpersonationStop:  "/impersonation/stop",

	RouteInvitation:           "/invitations/:token",
	RouteInvitationApply:      "/invitations/:token",
	RoutePasswordForgot:       "/password/forgot",
	RoutePasswordForgotSubmit: "/password/forgot",
	RoutePasswordReset:        "/password/reset/:token",
	RoutePasswordResetSubmit:  "/password/reset/:token",

	RouteRecords:                "/settings/records",
	RouteRecordsExport:          "/settings/records/export.csv",
	RouteRecordsHandover:        "/settings/records/hand-over",
	RouteHandoverUndo:           "/settings/records/undo/:id",
	RouteHandoverUndoDo:         "/settings/records/undo/:id",
	RouteOrphanedWork:           "/settings/orphaned-work",
	RouteOrphanedHandover:       "/settings/orphaned-work/:id/hand-over",
	RouteOrphanedHandoverSubmit: "/settings/orphaned-work/:id/hand-over",

	RouteGroups:             "/settings/groups",
	RouteGroupCreate:        "/settings/groups",
	RouteGroup:              "/settings/groups/:id",
	RouteGroupRename:        "/settings/groups/:id/rename",
	RouteGroupAddMembers:    "/settings/groups/:id/members",
	RouteGroupRemoveMembers: "/settings/groups/:id/members/remove",
	RouteGroupTransferOwner: "/settings/groups/:id/owner",
	RouteGroupDelete:        "/settings/groups/:id/delete",

	RouteStatistics:         "/settings/statistics",
	RouteSeats:              "/settings/seats",
	RouteSeatsExport:        "/settings/seats/export.csv",
	RouteSeatsLedger:        "/settings/seats/ledger.csv",
	RouteSeatQuantity:       "/settings/seats/plans/:id/quantity",
	RouteSeatQuantitySubmit: "/settings/seats/plans/:id/quantity",
	RouteAudit:              "/settings/audit",
	RouteAuditExport:        "/settings/audit/export.csv",

	RouteWebhooks:      "/settings/webhooks",
	RouteWebhookCreate: "/settings/webhooks",
	RouteWebhook:       "/settings/webhooks/:id",
	RouteWebhookUpdate: "/settings/webhooks/:id",
	RouteWebhookDelete: "/settings/webhooks/:id/delete",
	RouteWebhookRotate: "/settings/webhooks/:id/rotate",
	RouteWebhookTest:   "/settings/webhooks/:id/test",
	RouteWebhookResend: "/settings/webhooks/:id/resend",

	RouteProvisioning:       "/settings/account/provisioning",
	RouteProvisioningSave:   "/settings/account/provisioning",
	RouteProvisioningToken:  "/settings/account/provisioning/tokens",
	RouteProvisioningRevoke: "/settings/account/provisioning/tokens/:id/revoke",
	RouteDormancy:           "/settings/dormancy",
	RouteDormancySave:       "/settings/dormancy",

	RouteScimServiceProviderConfig: ScimBase + "/ServiceProviderConfig",
	RouteScimResourceTypes:         ScimBase + "/ResourceTypes",
	RouteScimResourceType:          ScimBase + "/ResourceTypes/:id",
	RouteScimSchemas:               ScimBase + "/Schemas",
	RouteScimSchema:                ScimBase + "/Schemas/:id",
	RouteScimUsers:                 ScimBase + "/Users",
	RouteScimUserCreate:            ScimBase + "/Users",
	RouteScimUser:                  ScimBase + "/Users/:id",
	RouteScimUserReplace:           ScimBase + "/Users/:id",
	RouteScimUserPatch:             ScimBase + "/Users/:id",
	RouteScimUserDelete:            ScimBase + "/Users/:id",
	RouteScimGroups:                ScimBase + "/Groups",
	RouteScimGroupCreate:           ScimBase + "/Groups",
	RouteScimGroup:                 ScimBase + "/Groups/:id",
	RouteScimGroupReplace:          ScimBase + "/Groups/:id",
	RouteScimGroupPatch:            ScimBase + "/Groups/:id",
	RouteScimGroupDelete:           ScimBase + "/Groups/:id",
}

// RoutePatterns is a copy of the table: every route name with its path pattern.
func RoutePatterns() map[string]string {
	patterns := make(map[string]string, len(routePatterns))
	for name, pattern := range routePatterns {
		patterns[name] = pattern
	}
	return patterns
}

// Pattern is the named route's path pattern, to register the route with. An unknown name is a
// programming error and panics.
func Pattern(name string) string {
	pattern, ok := routePatterns[name]
	if !ok {
		panic(fmt.Sprintf("routes: no route named %q", name))
	}
	return pattern
}

// Path is the named route's path with its parameters filled in order, each escaped as a path
// segment (a "*" takes the rest of the path, each of its segments escaped). A number of
// parameters other than the pattern's is a programming error and panics, so a changed pattern
// cannot leave a link that silently points elsewhere.
func Path(name string, params ...any) string {
	pattern := Pattern(name)
	var b strings.Builder
	b.Grow(len(pattern) + 16)
	n := 0
	for {
		start := strings.IndexAny(pattern, ":*")
		if start < 0 {
			b.WriteString(pattern)
			break
		}
		b.WriteString(pattern[:start])
		end := strings.IndexByte(pattern[start:], '/')
		if end < 0 {
			end = len(pattern)
		} else {
			end += start
		}
		if n == len(params) {
			panic(fmt.Sprintf("routes: route %q takes more than the %d parameters given", name, len(params)))
		}
		writeParam(&b, params[n], pattern[start] == '*')
		n++
		pattern = pattern[end:]
	}
	if n != len(params) {
		panic(fmt.Sprintf("routes: route %q takes %d parameters, %d given", name, n, len(params)))
	}
	return b.String()
}

// writeParam writes one parameter's value escaped as a path segment, or as path segments for a
// wildcard, which may span several.
func writeParam(b *strings.Builder, param any, wildcard bool) {
	var value string
	switch v := param.(type) {
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
		return
	case int:
		b.WriteString(strconv.Itoa(v))
		return
	case string:
		value = v
	default:
		value = fmt.Sprint(v)
	}
	if !wildcard {
		b.WriteString(url.PathEscape(value))
		return
	}
	for i, segment := range strings.Split(value, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(url.PathEscape(segment))
	}
}

// PathTemplate is the named route's path with each parameter written "{name}", for a script to
// fill in ("/settings/users/{id}/impersonate").
func PathTemplate(name string) string {
	segments := strings.Split(Pattern(name), "/")
	for i, seg := range segments {
		if strings.HasPrefix(seg, ":") {
			segments[i] = "{" + seg[1:] + "}"
		}
	}
	return strings.Join(segments, "/")
}
