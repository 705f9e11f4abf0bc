package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// route is one entry of the route table: every route states its permission here and nowhere else.
// Its path is the one views gives its name, so links and routes cannot drift apart.
type route struct {
	method     string
	name       string
	permission models.Permission
	handler    echo.HandlerFunc
}

// path is the route's path pattern.
func (r route) path() string { return views.Pattern(r.name) }

func (s *Server) routeTable() []route {
	routes := []route{
		{http.MethodGet, views.RouteHealth, models.PermPublic, s.health},
		{http.MethodGet, views.RouteStatic, models.PermPublic, serveStatic},
		{http.MethodGet, views.RouteLogin, models.PermPublic, s.loginForm},
		{http.MethodPost, views.RouteLoginSubmit, models.PermPublic, s.loginSubmit},
		{http.MethodPost, views.RouteLogout, models.PermSignedIn, s.logout},
		{http.MethodGet, views.RouteHome, models.PermSignedIn, s.home},
		{http.MethodGet, views.RouteOwnProfile, models.PermSignedIn, s.ownProfile},
		{http.MethodPost, views.RouteOwnDetailsSubmit, models.PermSignedIn, s.ownDetailsSubmit},
		{http.MethodPost, views.RouteOwnPasswordSubmit, models.PermSignedIn, s.ownPasswordSubmit},
		{http.MethodPost, views.RouteSignOutElsewhere, models.PermSignedIn, s.signOutElsewhere},
		{http.MethodPost, views.RouteOwnPictureSubmit, models.PermSignedIn, s.ownPictureSubmit},
		{http.MethodPost, views.RouteOwnPictureRemove, models.PermSignedIn, s.ownPictureRemove},
		{http.MethodGet, views.RoutePicture, models.PermSignedIn, s.picture},
		{http.MethodGet, views.RouteImpersonate, models.PermImpersonate, s.impersonateForm},
		{http.MethodPost, views.RouteImpersonateSubmit, models.PermImpersonate, s.impersonateSubmit},
		{http.MethodPost, views.RouteImpersonationStop, models.PermStopImpersonation, s.stopImpersonation},
		{http.MethodGet, views.RouteAccountSettings, models.PermManageAccount, s.accountSettings},
		{http.MethodPost, views.RouteAccountSettingsSave, models.PermManageAccount, s.accountSettingsSubmit},
		{http.MethodPost, views.RouteTimeZoneSave, models.PermManageAccount, s.timeZoneSubmit},
		{http.MethodGet, views.RouteUsers, models.PermViewUsers, s.userList},
		{http.MethodGet, views.RouteUsersExport, models.PermViewUsers, s.exportUsers},
		{http.MethodGet, views.RouteUserProfile, models.PermViewUsers, s.userProfile},
		{http.MethodGet, views.RouteInvite, models.PermInviteUsers, s.inviteForm},
		{http.MethodPost, views.RouteInviteSubmit, models.PermInviteUsers, s.inviteSubmit},
		{http.MethodPost, views.RouteBulkAction, models.PermManageUsers, s.bulkAction},
		{http.MethodGet, views.RouteDeactivate, models.PermManageUsers, s.deactivateStart},
		{http.MethodPost, views.RouteDeactivateStep, models.PermManageUsers, s.deactivateStep},
		{http.MethodPost, views.RouteLeaveDateCancel, models.PermManageUsers, s.cancelScheduledDeactivation},
		{http.MethodGet, views.RouteDelete, models.PermManageUsers, s.deleteForm},
		{http.MethodPost, views.RouteDeleteSubmit, models.PermManageUsers, s.deleteSubmit},
		{http.MethodGet, views.RouteChangePlan, models.PermManageUsers, s.changePlanForm},
		{http.MethodPost, views.RouteChangePlanSubmit, models.PermManageUsers, s.changePlanSubmit},
		{http.MethodGet, views.RouteChangeRole, models.PermManageRoles, s.changeRoleForm},
		{http.MethodPost, views.RouteChangeRoleSubmit, models.PermManageRoles, s.changeRoleSubmit},
		{http.MethodGet, views.RoutePrivacyEdit, models.PermManageUsers, s.privacyForm},
		{http.MethodPost, views.RoutePrivacySubmit, models.PermManageUsers, s.privacySubmit},
		{http.MethodGet, views.RouteTransfer, models.PermManageUsers, s.transferForm},
		{http.MethodPost, views.RouteTransferSubmit, models.PermManageUsers, s.transferSubmit},
		{http.MethodGet, views.RouteOrphanedWork, models.PermManageUsers, s.orphanedWork},
		{http.MethodGet, views.RouteOrphanedHandover, models.PermManageUsers, s.orphanedHandoverForm},
		{http.MethodPost, views.RouteOrphanedHandoverSubmit, models.PermManageUsers, s.orphanedHandoverSubmit},
		{http.MethodGet, views.RouteStatistics, models.PermViewStatistics, s.teamStatistics},
		{http.MethodGet, views.RouteSeatQuantity, models.PermManageSeats, s.seatQuantityForm},
		{http.MethodPost, views.RouteSeatQuantitySubmit, models.PermManageSeats, s.seatQuantitySubmit},
		{http.MethodGet, views.RouteSeats, models.PermViewSeats, s.seatsPage},
		{http.MethodGet, views.RouteSeatsExport, models.PermViewSeats, s.exportSeats},
		{http.MethodGet, views.RouteSeatsLedger, models.PermViewSeats, s.exportSeatLedger},
		{http.MethodGet, views.RouteOutbox, models.PermInviteUsers, s.outbox},
		{http.MethodGet, views.RouteInvitation, models.PermPublic, s.acceptForm},
		{http.MethodPost, views.RouteInvitationApply, models.PermPublic, s.acceptSubmit},
		{http.MethodGet, views.RoutePasswordForgot, models.PermPublic, s.forgotPasswordForm},
		{http.MethodPost, views.RoutePasswordForgotSubmit, models.PermPublic, s.forgotPasswordSubmit},
		{http.MethodGet, views.RoutePasswordReset, models.PermPublic, s.resetPasswordForm},
		{http.MethodPost, views.RoutePasswordResetSubmit, models.PermPublic, s.resetPasswordSubmit},
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
