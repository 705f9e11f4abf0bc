package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

func (s *Server) userList(c echo.Context) error {
	actor := actorOf(c)
	state, query, notices := parseUserListParams(c.QueryParams())
	fragment := wantsFragment(c)
	query.WithChoices = !fragment
	page, err := s.store.ListUsers(c.Request().Context(), actor, query)
	if err != nil {
		return err
	}
	view := views.UserListView{Chrome: chrome(c, "User management", views.SectionUsers), State: state, Page: page, Notices: notices,
		Flashes: s.takeFlashMessages(c), CanManage: actor.Allows(models.PermManageUsers), CanInvite: actor.Allows(models.PermInviteUsers),
		CanChangeRoles: actor.Allows(models.PermManageRoles), CanImpersonate: actor.Allows(models.PermImpersonate), ReachNote: actor.ReachNote(), Plans: page.Plans, Groups: page.Groups, MoreGroups: page.MoreGroups}
	view.Chrome.Refusal = refusalShown(c)
	if fragment {
		return render(c, http.StatusOK, views.UserListFragment(view))
	}
	return render(c, http.StatusOK, views.UserListPage(view))
}

// userGroupOptions sends every group the list can be filtered by, as the group filter's options,
// for accounts whose pages send only some.
func (s *Server) userGroupOptions(c echo.Context) error {
	groups, err := s.store.FilterGroups(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.GroupFilterOptions(groups, c.QueryParam("group")))
}

// parseUserListParams reads the list's URL. Values it cannot use fall back to their defaults, so
// an edited or stale link still shows a page; a notice says what was adjusted where it matters.
func parseUserListParams(params url.Values) (views.UserListState, models.UserListQuery, []string) {
	var notices []string
	state := views.UserListState{Tab: "active", Sort: string(models.SortName), Dir: "asc"}
	query := models.UserListQuery{Status: models.StatusActive, Sort: models.SortName}

	switch tab := params.Get("tab"); tab {
	case "active", "inactive", "invited":
		state.Tab, query.Status = tab, models.UserStatus(tab)
	}
	var notice string
	if state.Q, notice = models.CleanSearch(params.Get("q")); notice != "" {
		notices = append(notices, notice)
	}
	query.Search = state.Q
	if role, ok := models.ParseRole(params.Get("role")); ok {
		state.Role, query.Role = string(role), role
	}
	if plan := params.Get("plan"); plan == "none" {
		state.Plan, query.PlanID = plan, models.PlanFilterNone
	} else if id, ok := positiveID(plan); ok {
		state.Plan, query.PlanID = plan, id
	}
	if id, ok := positiveID(params.Get("group")); ok {
		state.Group, query.GroupID = params.Get("group"), id
	}
	if params.Get("leaving") == "1" {
		state.Leaving, query.Leaving = "1", true
	}
	for _, sort := range models.UserSorts {
		if params.Get("sort") == string(sort) {
			state.Sort, query.Sort = string(sort), sort
		}
	}
	if params.Get("dir") == "desc" {
		state.Dir, query.Desc = "desc", true
	}
	if after := params.Get("after"); after != "" && len(after) <= 512 {
		state.After, query.After = after, after
	} else if before := params.Get("before"); before != "" && len(before) <= 512 {
		state.Before, query.Before = before, before
	}
	return state, query, notices
}

func (s *Server) userProfile(c echo.Context) error {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return models.ErrNotFound
	}
	profile, err := s.store.GetUserProfile(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	actor := actorOf(c)
	view := views.ProfileView{Chrome: chrome(c, profile.User.Name, views.SectionUsers), Profile: profile,
		Flashes: s.takeFlashMessages(c), CanManage: actor.OffersLifecycleActions(&profile.User), CanChangeRole: actor.OffersRoleChange(&profile.User),
		CanSetDormancyExempt: actor.OffersLifecycleActions(&profile.User)}
	view.Chrome.Refusal = refusalShown(c)
	if actor.Allows(models.PermImpersonate) {
		var refused models.ImpersonationRefusedError
		switch err := s.store.ImpersonationCheck(c.Request().Context(), actor, &profile.User); {
		case err == nil:
			view.CanImpersonate = true
		case errors.As(err, &refused):
			view.ImpersonationRefusal = refused.Reason
		}
	}
	return render(c, http.StatusOK, views.ProfilePage(view))
}
