package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
)

// route is one entry of the route table: every route states its permission here and nowhere else.
// Its path is the one package routes gives its name, so links and routes cannot drift apart.
type route struct {
	method     string
	name       string
	permission models.Permission
	handler    echo.HandlerFunc
}

// path is the route's path pattern.
func (r route) path() string { return routes.Pattern(r.name) }

func (s *Server) routeTable() []route {
	table := []route{
		{http.MethodGet, routes.RouteHealth, models.PermPublic, s.health},
		{http.MethodGet, routes.RouteStatic, models.PermPublic, serveStatic},
		{http.MethodGet, routes.RouteLogin, models.PermPublic, s.loginForm},
		{http.MethodPost, routes.RouteLoginSubmit, models.PermPublic, s.loginSubmit},
		{http.MethodPost, routes.RouteLogout, models.PermSignedIn, s.logout},
		{http.MethodGet, routes.RouteHome, models.PermSignedIn, s.home},
		{http.MethodGet, routes.RouteOwnProfile, models.PermSignedIn, s.ownProfile},
		{http.MethodPost, routes.RouteOwnDetailsSubmit, models.PermSignedIn, s.ownDetailsSubmit},
		{http.MethodPost, routes.RouteOwnPasswordSubmit, models.PermSignedIn, s.ownPasswordSubmit},
		{http.MethodPost, routes.RouteSignOutElsewhere, models.PermSignedIn, s.signOutElsewhere},
		{http.MethodPost, routes.RouteOwnPictureSubmit, models.PermSignedIn, s.ownPictureSubmit},
		{http.MethodPost, routes.RouteOwnPictureRemove, models.PermSignedIn, s.ownPictureRemove},
		{http.MethodGet, routes.RoutePicture, models.PermSignedIn, s.picture},
		{http.MethodGet, routes.RouteImpersonate, models.PermImpersonate, s.impersonateForm},
		{http.MethodPost, routes.RouteImpersonateSubmit, models.PermImpersonate, s.impersonateSubmit},
		{http.MethodPost, routes.RouteImpersonationStop, models.PermStopImpersonation, s.stopImpersonation},
		{http.MethodGet, routes.RouteAccountSettings, models.PermManageAccount, s.accountSettings},
		{http.MethodPost, routes.RouteAccountSettingsSave, models.PermManageAccount, s.accountSettingsSubmit},
		{http.MethodPost, routes.RouteTimeZoneSave, models.PermManageAccount, s.timeZoneSubmit},
		{http.MethodGet, routes.RouteUsers, models.PermViewUsers, s.userList},
		{http.MethodGet, routes.RouteUsersExport, models.PermViewUsers, s.exportUsers},
		{http.MethodGet, routes.RouteUserGroupOptions, models.PermViewUsers, s.userGroupOptions},
		{http.MethodGet, routes.RouteUserProfile, models.PermViewUsers, s.userProfile},
		{http.MethodGet, routes.RouteInvite, models.PermInviteUsers, s.inviteForm},
		{http.MethodPost, routes.RouteInviteSubmit, models.PermInviteUsers, s.inviteSubmit},
		{http.MethodPost, routes.RouteBulkAction, models.PermManageUsers, s.bulkAction},
		{http.MethodGet, routes.RouteDeactivate, models.PermManageUsers, s.deactivateStart},
		{http.MethodPost, routes.RouteDeactivateStep, models.PermManageUsers, s.deactivateStep},
		{http.MethodPost, routes.RouteLeaveDateCancel, models.PermManageUsers, s.cancelScheduledDeactivation},
		{http.MethodGet, routes.RouteDelete, models.PermManageUsers, s.deleteForm},
		{http.MethodPost, routes.RouteDeleteSubmit, models.PermManageUsers, s.deleteSubmit},
		{http.MethodGet, routes.RouteChangePlan, models.PermManageUsers, s.changePlanForm},
		{http.MethodPost, routes.RouteChangePlanSubmit, models.PermManageUsers, s.changePlanSubmit},
		{http.MethodGet, routes.RouteChangeRole, models.PermManageRoles, s.changeRoleForm},
		{http.MethodPost, routes.RouteChangeRoleSubmit, models.PermManageRoles, s.changeRoleSubmit},
		{http.MethodGet, routes.RoutePrivacyEdit, models.PermManageUsers, s.privacyForm},
		{http.MethodPost, routes.RoutePrivacySubmit, models.PermManageUsers, s.privacySubmit},
		{http.MethodGet, routes.RouteTransfer, models.PermManageUsers, s.transferForm},
		{http.MethodPost, routes.RouteTransferSubmit, models.PermManageUsers, s.transferSubmit},
		{http.MethodGet, routes.RouteOrphanedWork, models.PermManageUsers, s.orphanedWork},
		{http.MethodGet, routes.RouteOrphanedHandover, models.PermManageUsers, s.orphanedHandoverForm},
		{http.MethodPost, routes.RouteOrphanedHandoverSubmit, models.PermManageUsers, s.orphanedHandoverSubmit},
		{http.MethodGet, routes.RouteStatistics, models.PermViewStatistics, s.teamStatistics},
		{http.MethodGet, routes.RouteSeatQuantity, models.PermManageSeats, s.seatQuantityForm},
		{http.MethodPost, routes.RouteSeatQuantitySubmit, models.PermManageSeats, s.seatQuantitySubmit},
		{http.MethodGet, routes.RouteSeats, models.PermViewSeats, s.seatsPage},
		{http.MethodGet, routes.RouteSeatsExport, models.PermViewSeats, s.exportSeats},
		{http.MethodGet, routes.RouteSeatsLedger, models.PermViewSeats, s.exportSeatLedger},
		{http.MethodGet, routes.RouteOutbox, models.PermInviteUsers, s.outbox},
		{http.MethodGet, routes.RouteInvitation, models.PermPublic, s.acceptForm},
		{http.MethodPost, routes.RouteInvitationApply, models.PermPublic, s.acceptSubmit},
		{http.MethodGet, routes.RoutePasswordForgot, models.PermPublic, s.forgotPasswordForm},
		{http.MethodPost, routes.RoutePasswordForgotSubmit, models.PermPublic, s.forgotPasswordSubmit},
		{http.MethodGet, routes.RoutePasswordReset, models.PermPublic, s.resetPasswordForm},
		{http.MethodPost, routes.RoutePasswordResetSubmit, models.PermPublic, s.resetPasswordSubmit},
	}
	table = append(table, s.groupRoutes()...)
	table = append(table, s.recordRoutes()...)
	table = append(table, s.auditRoutes()...)
	table = append(table, s.webhookRoutes()...)
	table = append(table, s.provisioningRoutes()...)
	table = append(table, s.dormancyRoutes()...)
	table = append(table, s.scimRoutes()...)
	return table
}

func (s *Server) health(c echo.Context) error {
	if err := s.store.Ping(c.Request().Context()); err != nil {
		return c.String(http.StatusServiceUnavailable, "database unavailable")
	}
	return c.String(http.StatusOK, "ok")
}
