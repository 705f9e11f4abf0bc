package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// Route names, for reverse routing and tests.
const (
	RouteHome            = "home"
	RouteHealth          = "health"
	RouteStatic          = "static"
	RouteLogin           = "login"
	RouteLoginSubmit     = "login.submit"
	RouteLogout          = "logout"
	RouteUsers           = "users.list"
	RouteUsersExport     = "users.export"
	RouteUserProfile     = "users.profile"
	RouteBulkAction      = "users.bulk"
	RouteDeactivate      = "users.deactivate"
	RouteDeactivateStep  = "users.deactivate.step"
	RoutePrivacyEdit     = "users.privacy"
	RoutePrivacySubmit   = "users.privacy.submit"
	RouteInvite          = "users.invite"
	RouteInviteSubmit    = "users.invite.submit"
	RouteInvitation      = "invitation"
	RouteInvitationApply = "invitation.accept"
	RouteOutbox          = "outbox"
	RouteDelete          = "users.delete"
	RouteDeleteSubmit    = "users.delete.submit"
	// RouteLeaveDateCancel takes a user's leave date (scheduled deactivation) away.
	RouteLeaveDateCancel = "users.leave_date.cancel"
	RouteTimeZoneSave    = "account.time_zone.submit"
)

// Orphaned work routes.
const (
	RouteOrphanedWork           = "orphaned.list"
	RouteOrphanedHandover       = "orphaned.handover"
	RouteOrphanedHandoverSubmit = "orphaned.handover.submit"
)

// Transfer account routes.
const (
	RouteTransfer       = "users.transfer"
	RouteTransferSubmit = "users.transfer.submit"
)

// Password reset routes are public: whoever needs them cannot sign in.
const (
	RoutePasswordForgot       = "password.forgot"
	RoutePasswordForgotSubmit = "password.forgot.submit"
	RoutePasswordReset        = "password.reset"
	RoutePasswordResetSubmit  = "password.reset.submit"
)

// route is one entry of the route table: every route states its permission here and nowhere else.
type route struct {
	method     string
	path       string
	name       string
	permission models.Permission
	handler    echo.HandlerFunc
}

func (s *Server) routeTable() []route {
	routes := []route{
		{http.MethodGet, "/healthz", RouteHealth, models.PermPublic, s.health},
		{http.MethodGet, "/static/*", RouteStatic, models.PermPublic, serveStatic},
		{http.MethodGet, "/login", RouteLogin, models.PermPublic, s.loginForm},
		{http.MethodPost, "/login", RouteLoginSubmit, models.PermPublic, s.loginSubmit},
		{http.MethodPost, "/logout", RouteLogout, models.PermSignedIn, s.logout},
		{http.MethodGet, "/", RouteHome, models.PermSignedIn, s.home},
		{http.MethodGet, "/me", RouteOwnProfile, models.PermSignedIn, s.ownProfile},
		{http.MethodPost, "/me", RouteOwnDetailsSubmit, models.PermSignedIn, s.ownDetailsSubmit},
		{http.MethodPost, "/me/password", RouteOwnPasswordSubmit, models.PermSignedIn, s.ownPasswordSubmit},
		{http.MethodPost, "/me/sessions/end", RouteSignOutElsewhere, models.PermSignedIn, s.signOutElsewhere},
		{http.MethodPost, ownPicturePath, RouteOwnPictureSubmit, models.PermSignedIn, s.ownPictureSubmit},
		{http.MethodPost, ownPicturePath + "/remove", RouteOwnPictureRemove, models.PermSignedIn, s.ownPictureRemove},
		{http.MethodGet, "/pictures/:id/:file", RoutePicture, models.PermSignedIn, s.picture},
		{http.MethodGet, "/settings/users/:id/impersonate", RouteImpersonate, models.PermImpersonate, s.impersonateForm},
		{http.MethodPost, "/settings/users/:id/impersonate", RouteImpersonateSubmit, models.PermImpersonate, s.impersonateSubmit},
		{http.MethodPost, "/impersonation/stop", RouteImpersonationStop, models.PermStopImpersonation, s.stopImpersonation},
		{http.MethodGet, "/settings/account", RouteAccountSettings, models.PermManageAccount, s.accountSettings},
		{http.MethodPost, "/settings/account", RouteAccountSettingsSave, models.PermManageAccount, s.accountSettingsSubmit},
		{http.MethodPost, "/settings/account/time-zone", RouteTimeZoneSave, models.PermManageAccount, s.timeZoneSubmit},
		{http.MethodGet, "/settings/users", RouteUsers, models.PermViewUsers, s.userList},
		{http.MethodGet, "/settings/users/export.csv", RouteUsersExport, models.PermViewUsers, s.exportUsers},
		{http.MethodGet, "/settings/users/:id", RouteUserProfile, models.PermViewUsers, s.userProfile},
		{http.MethodGet, "/settings/users/invite", RouteInvite, models.PermInviteUsers, s.inviteForm},
		{http.MethodPost, "/settings/users/invite", RouteInviteSubmit, models.PermInviteUsers, s.inviteSubmit},
		{http.MethodPost, "/settings/users/actions", RouteBulkAction, models.PermManageUsers, s.bulkAction},
		{http.MethodGet, "/settings/users/deactivate", RouteDeactivate, models.PermManageUsers, s.deactivateStart},
		{http.MethodPost, "/settings/users/deactivate", RouteDeactivateStep, models.PermManageUsers, s.deactivateStep},
		{http.MethodPost, "/settings/users/:id/leave-date/cancel", RouteLeaveDateCancel, models.PermManageUsers, s.cancelScheduledDeactivation},
		{http.MethodGet, "/settings/users/delete", RouteDelete, models.PermManageUsers, s.deleteForm},
		{http.MethodPost, "/settings/users/delete", RouteDeleteSubmit, models.PermManageUsers, s.deleteSubmit},
		{http.MethodGet, "/settings/users/change-plan", RouteChangePlan, models.PermManageUsers, s.changePlanForm},
		{http.MethodPost, "/settings/users/change-plan", RouteChangePlanSubmit, models.PermManageUsers, s.changePlanSubmit},
		{http.MethodGet, "/settings/users/change-role", RouteChangeRole, models.PermManageRoles, s.changeRoleForm},
		{http.MethodPost, "/settings/users/change-role", RouteChangeRoleSubmit, models.PermManageRoles, s.changeRoleSubmit},
		{http.MethodGet, "/settings/users/:id/privacy", RoutePrivacyEdit, models.PermManageUsers, s.privacyForm},
		{http.MethodPost, "/settings/users/:id/privacy", RoutePrivacySubmit, models.PermManageUsers, s.privacySubmit},
		{http.MethodGet, "/settings/users/:id/transfer", RouteTransfer, models.PermManageUsers, s.transferForm},
		{http.MethodPost, "/settings/users/:id/transfer", RouteTransferSubmit, models.PermManageUsers, s.transferSubmit},
		{http.MethodGet, views.OrphanedWorkPath, RouteOrphanedWork, models.PermManageUsers, s.orphanedWork},
		{http.MethodGet, views.OrphanedWorkPath + "/:id/hand-over", RouteOrphanedHandover, models.PermManageUsers, s.orphanedHandoverForm},
		{http.MethodPost, views.OrphanedWorkPath + "/:id/hand-over", RouteOrphanedHandoverSubmit, models.PermManageUsers, s.orphanedHandoverSubmit},
		{http.MethodGet, "/settings/statistics", RouteStatistics, models.PermViewStatistics, s.teamStatistics},
		{http.MethodGet, "/settings/seats/plans/:id/quantity", RouteSeatQuantity, models.PermManageSeats, s.seatQuantityForm},
		{http.MethodPost, "/settings/seats/plans/:id/quantity", RouteSeatQuantitySubmit, models.PermManageSeats, s.seatQuantitySubmit},
		{http.MethodGet, "/settings/seats", RouteSeats, models.PermViewSeats, s.seatsPage},
		{http.MethodGet, "/settings/seats/export.csv", RouteSeatsExport, models.PermViewSeats, s.exportSeats},
		{http.MethodGet, "/settings/seats/ledger.csv", RouteSeatsLedger, models.PermViewSeats, s.exportSeatLedger},
		{http.MethodGet, "/settings/outbox", RouteOutbox, models.PermInviteUsers, s.outbox},
		{http.MethodGet, "/invitations/:token", RouteInvitation, models.PermPublic, s.acceptForm},
		{http.MethodPost, "/invitations/:token", RouteInvitationApply, models.PermPublic, s.acceptSubmit},
		{http.MethodGet, "/password/forgot", RoutePasswordForgot, models.PermPublic, s.forgotPasswordForm},
		{http.MethodPost, "/password/forgot", RoutePasswordForgotSubmit, models.PermPublic, s.forgotPasswordSubmit},
		{http.MethodGet, "/password/reset/:token", RoutePasswordReset, models.PermPublic, s.resetPasswordForm},
		{http.MethodPost, "/password/reset/:token", RoutePasswordResetSubmit, models.PermPublic, s.resetPasswordSubmit},
	}
	routes = append(routes, s.groupRoutes()...)
	routes = append(routes, s.recordRoutes()...)
	routes = append(routes, s.auditRoutes()...)
	routes = append(routes, s.webhookRoutes()...)
	routes = append(routes, s.provisioningRoutes()...)
	routes = append(routes, s.dormancyRoutes()...)
	routes = append(routes, s.scimRoutes()...)
	return routes
}

func (s *Server) health(c echo.Context) error {
	if err := s.store.Ping(c.Request().Context()); err != nil {
		return c.String(http.StatusServiceUnavailable, "database unavailable")
	}
	return c.String(http.StatusOK, "ok")
}
