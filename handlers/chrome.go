package handlers

import (
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
	"roster/views"
)

// navigation lists the settings sections, each shown only to those allowed in.
var navigation = []struct {
	item       views.NavItem
	permission models.Permission
}{
	{views.NavItem{Section: views.SectionUsers, Label: "User management", Href: views.UsersPath}, models.PermViewUsers},
	{views.NavItem{Section: views.SectionRecords, Label: "Records", Href: views.RecordsPath}, models.PermViewUsers},
	{views.NavItem{Section: views.SectionOrphaned, Label: "Orphaned work", Href: views.OrphanedWorkPath}, models.PermManageUsers},
	{views.NavItem{Section: views.SectionGroups, Label: "Groups", Href: routes.Path(routes.RouteGroups)}, models.PermViewGroups},
	{views.NavItem{Section: views.SectionStatistics, Label: "Team statistics", Href: routes.Path(routes.RouteStatistics)}, models.PermViewStatistics},
	{views.NavItem{Section: views.SectionSeats, Label: "Seats & billing", Href: routes.Path(routes.RouteSeats)}, models.PermViewSeats},
	{views.NavItem{Section: views.SectionAudit, Label: "Audit log", Href: routes.Path(routes.RouteAudit)}, models.PermViewAudit},
	{views.NavItem{Section: views.SectionWebhooks, Label: "Webhooks", Href: routes.Path(routes.RouteWebhooks)}, models.PermManageWebhooks},
	{views.NavItem{Section: views.SectionAccount, Label: "Account", Href: routes.Path(routes.RouteAccountSettings)}, models.PermManageAccount},
	{views.NavItem{Section: views.SectionProvisioning, Label: "Provisioning", Href: routes.Path(routes.RouteProvisioning)}, models.PermManageProvisioning},
	{views.NavItem{Section: views.SectionDormancy, Label: "Dormant seats", Href: routes.Path(routes.RouteDormancy)}, models.PermManageDormancy},
}

// chrome is the frame of a console page for the signed-in actor.
func chrome(c echo.Context, title, section string) views.Chrome {
	actor := actorOf(c)
	ch := views.Chrome{Title: title, Section: section, CSRFToken: csrfToken(c)}
	if actor == nil {
		return ch
	}
	ch.AccountName, ch.UserName, ch.UserRole = actor.Account.Name, actor.User.Name, actor.User.Role.Label()
	ch.UserPictureURL = actor.User.PictureURL
	ch.Notice = actor.Notice
	if imp := actor.Impersonation; imp != nil {
		left := int(time.Until(imp.ExpiresAt).Minutes() + 0.5)
		ch.Impersonation = &views.ImpersonationBanner{RealName: imp.RealUser.Name, AsName: actor.User.Name,
			ReadOnly: imp.Mode == models.ImpersonateView, EndsAt: imp.ExpiresAt, MinutesLeft: max(left, 0)}
	}
	for _, n := range navigation {
		if actor.Allows(n.permission) {
			item := n.item
			if item.Section == views.SectionOrphaned && !wantsFragment(c) {
				item.Count = orphanedCount(c, actor)
			}
			ch.Nav = append(ch.Nav, item)
		}
	}
	return ch
}

// orphanedCount is the number beside Orphaned work in the navigation: one indexed statement,
// for full pages only. A failure costs the number, not the page.
func orphanedCount(c echo.Context, actor *models.Actor) int64 {
	store, _ := c.Get(storeContextKey).(*models.Store)
	if store == nil {
		return 0
	}
	n, err := store.OrphanedWorkCount(c.Request().Context(), actor)
	if err != nil {
		slog.Warn("could not count orphaned work", "err", err)
		return 0
	}
	return n
}
