package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
	"roster/views"
)

// maxGroupEmailsFieldBytes bounds the pasted addresses: models.MaxUsersPerAction of the longest
// still fit.
const maxGroupEmailsFieldBytes = 1_300_000

// groupRoutes are Settings > Groups.
func (s *Server) groupRoutes() []route {
	return []route{
		{http.MethodGet, routes.RouteGroups, models.PermViewGroups, s.groupList},
		{http.MethodPost, routes.RouteGroupCreate, models.PermManageGroups, s.groupCreate},
		{http.MethodGet, routes.RouteGroup, models.PermViewGroups, s.groupPage},
		{http.MethodPost, routes.RouteGroupRename, models.PermManageGroups, s.groupRename},
		{http.MethodPost, routes.RouteGroupAddMembers, models.PermManageGroups, s.groupAddMembers},
		{http.MethodPost, routes.RouteGroupRemoveMembers, models.PermManageGroups, s.groupRemoveMembers},
		{http.MethodPost, routes.RouteGroupTransferOwner, models.PermManageGroups, s.groupTransferOwner},
		{http.MethodPost, routes.RouteGroupDelete, models.PermManageGroups, s.groupDelete},
	}
}

func (s *Server) groupList(c echo.Context) error {
	params := c.QueryParams()
	view := views.GroupListView{Chrome: chrome(c, "Groups", views.SectionGroups), Errors: map[string]string{}}
	query := models.GroupListQuery{}
	var notice string
	if query.Search, notice = models.CleanSearch(params.Get("q")); notice != "" {
		view.Notices = append(view.Notices, notice)
	}
	if after := params.Get("after"); len(after) <= 512 {
		query.After = after
	}
	if before := params.Get("before"); len(before) <= 512 && query.After == "" {
		query.Before = before
	}
	view.Search = formText(query.Search, models.MaxSearchLength)
	if !wantsFragment(c) {
		view.Flashes = s.takeFlashes(c)
	}
	return s.renderGroupList(c, http.StatusOK, view, query)
}

func (s *Server) fillGroupList(c echo.Context, view *views.GroupListView, query models.GroupListQuery) error {
	actor := actorOf(c)
	page, err := s.store.ListGroupPage(c.Request().Context(), actor, query)
	if err != nil {
		return err
	}
	view.Page, view.CanCreate = page, actor.ManagesAllGroups()
	return nil
}

func (s *Server) renderGroupList(c echo.Context, status int, view views.GroupListView, query models.GroupListQuery) error {
	if err := s.fillGroupList(c, &view, query); err != nil {
		return err
	}
	return renderPage(c, status, views.GroupListPage(view), views.GroupList(view))
}

func (s *Server) groupCreate(c echo.Context) error {
	params, err := formParams(c)
	if err != nil {
		return err
	}
	req := models.NewGroup{Name: params.Get("name"), OwnerEmail: params.Get("owner")}
	group, err := s.store.CreateGroup(c.Request().Context(), actorOf(c), req)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		view := views.GroupListView{Chrome: chrome(c, "Groups", views.SectionGroups), Errors: fields,
			Name: formText(req.Name, 2*models.MaxGroupNameLength), Owner: formText(req.OwnerEmail, 254)}
		return s.renderGroupList(c, http.StatusUnprocessableEntity, view, models.GroupListQuery{})
	}
	if err != nil {
		return err
	}
	s.flash(c, fmt.Sprintf("Created the group “%s”.", group.Name))
	return redirect(c, views.GroupHref(group.ID))
}

// groupID is the group named in the path; anything but a positive number names none.
func groupID(c echo.Context) (int64, error) {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return 0, models.ErrNotFound
	}
	return id, nil
}

func (s *Server) groupPage(c echo.Context) error {
	id, err := groupID(c)
	if err != nil {
		return err
	}
	view := views.GroupView{Flashes: s.takeFlashes(c), Errors: map[string]string{}}
	if after := c.QueryParam("after"); len(after) <= 512 {
		view.After = after
	}
	if before := c.QueryParam("before"); len(before) <= 512 && view.After == "" {
		view.Before = before
	}
	return s.renderGroup(c, http.StatusOK, id, view)
}

// renderGroup shows a group's page with the form values and messages already in view.
func (s *Server) renderGroup(c echo.Context, status int, id int64, view views.GroupView) error {
	actor := actorOf(c)
	detail, err := s.store.GetGroup(c.Request().Context(), actor, id, view.After, view.Before)
	if err != nil {
		return err
	}
	view.Chrome = chrome(c, detail.Group.Name, views.SectionGroups)
	view.Detail = detail
	view.CanManage = actor.CanManageGroup(&detail.Group)
	view.ManagesAll = view.CanManage && actor.ManagesAllGroups()
	view.ActorOwns = detail.Group.OwnerID == actor.User.ID
	if _, ok := view.Errors["name"]; !ok {
		view.Name = detail.Group.Name
	}
	return render(c, status, views.GroupPage(view))
}

// refuseGroupForm re-renders the group page with the messages of a refused form, or passes on
// errors that are not about the input.
func (s *Server) refuseGroupForm(c echo.Context, id int64, err error, view views.GroupView) error {
	var fields models.FieldErrors
	if !errors.As(err, &fields) {
		return err
	}
	view.Errors = fields
	return s.renderGroup(c, http.StatusUnprocessableEntity, id, view)
}

func (s *Server) groupRename(c echo.Context) error {
	id, err := groupID(c)
	if err != nil {
		return err
	}
	name := c.FormValue("name")
	group, err := s.store.RenameGroup(c.Request().Context(), actorOf(c), id, name)
	if err != nil {
		return s.refuseGroupForm(c, id, err, views.GroupView{Name: formText(name, 2*models.MaxGroupNameLength)})
	}
	s.flash(c, fmt.Sprintf("Renamed the group to “%s”.", group.Name))
	return redirect(c, views.GroupHref(group.ID))
}

func (s *Server) groupAddMembers(c echo.Context) error {
	id, err := groupID(c)
	if err != nil {
		return err
	}
	emails := c.FormValue("emails")
	view := views.GroupView{Emails: formText(emails, maxGroupEmailsFieldBytes)}
	if len(emails) > maxGroupEmailsFieldBytes {
		return s.refuseGroupForm(c, id, models.FieldErrors{"emails": "That list is too long: add at most " + views.MaxUsersPerActionText + " people at a time."}, view)
	}
	n, err := s.store.AddGroupMembers(c.Request().Context(), actorOf(c), id, models.ParseInviteList(emails))
	var rejected models.AddMembersRejectedError
	if errors.As(err, &rejected) {
		view.Problems = rejected.Lines
		fields := models.FieldErrors{}
		if rejected.Field != "" {
			fields["emails"] = rejected.Field
		}
		switch n := rejected.Problems(); {
		case n == 1:
			fields["emails"] = "Nobody was added: 1 address has a problem, listed above."
		case n > 1:
			fields["emails"] = fmt.Sprintf("Nobody was added: %d addresses have a problem, listed above.", n)
		}
		return s.refuseGroupForm(c, id, fields, view)
	}
	if err != nil {
		return err
	}
	s.flash(c, fmt.Sprintf("Added %s to the group.", models.Count(n, "member", "members")))
	return redirect(c, views.GroupHref(id))
}

func (s *Server) groupRemoveMembers(c echo.Context) error {
	id, err := groupID(c)
	if err != nil {
		return err
	}
	params, err := formParams(c)
	if err != nil {
		return err
	}
	ids, ok := idList(params["ids"])
	if !ok {
		return models.ErrNotFound
	}
	n, err := s.store.RemoveGroupMembers(c.Request().Context(), actorOf(c), id, ids)
	if err != nil {
		view := views.GroupView{Selected: map[int64]bool{}}
		for _, m := range ids {
			view.Selected[m] = true
		}
		return s.refuseGroupForm(c, id, err, view)
	}
	s.flash(c, fmt.Sprintf("Removed %s from the group.", models.Count(n, "member", "members")))
	return redirect(c, views.GroupHref(id))
}

func (s *Server) groupTransferOwner(c echo.Context) error {
	id, err := groupID(c)
	if err != nil {
		return err
	}
	value := c.FormValue("owner_id")
	if strings.TrimSpace(value) == "" {
		return s.refuseGroupForm(c, id, models.FieldErrors{"owner_id": "Choose the active member who becomes the owner."}, views.GroupView{})
	}
	ownerID, ok := positiveID(strings.TrimSpace(value))
	if !ok {
		return s.refuseGroupForm(c, id, models.FieldErrors{"owner_id": "Choose the active member who becomes the owner."}, views.GroupView{})
	}
	actor := actorOf(c)
	group, err := s.store.TransferGroupOwnership(c.Request().Context(), actor, id, ownerID)
	if err != nil {
		return s.refuseGroupForm(c, id, err, views.GroupView{})
	}
	if !actor.CanSeeGroup(group) {
		s.flash(c, fmt.Sprintf("You handed “%s” to its new owner, so it is no longer among your groups.", group.Name))
		return redirect(c, routes.Path(routes.RouteGroups))
	}
	s.flash(c, fmt.Sprintf("Handed “%s” to its new owner.", group.Name))
	return redirect(c, views.GroupHref(id))
}

func (s *Server) groupDelete(c echo.Context) error {
	id, err := groupID(c)
	if err != nil {
		return err
	}
	group, err := s.store.DeleteGroup(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return s.refuseGroupForm(c, id, err, views.GroupView{})
	}
	s.flash(c, fmt.Sprintf("Deleted the group “%s”.", group.Name))
	return redirect(c, routes.Path(routes.RouteGroups))
}
