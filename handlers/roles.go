package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// changeRoleForm shows the change-role page for the users in ?ids=, as the profile links to it.
func (s *Server) changeRoleForm(c echo.Context) error {
	ids, ok := parseIDs(c.QueryParams()["ids"])
	if !ok {
		return models.ErrNotFound
	}
	return s.renderChangeRole(c, http.StatusOK, ids, selectionBack(c.QueryParam("back"), ids), "", nil)
}

// renderChangeRole shows the change-role page; the bulk action renders it directly, so that a
// large selection does not have to fit in a URL.
func (s *Server) renderChangeRole(c echo.Context, status int, ids []int64, back, role string, errs map[string]string) error {
	n, roles, err := s.store.RoleChangeSelection(c.Request().Context(), actorOf(c), ids)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		return fields
	}
	if err != nil {
		return err
	}
	if errs == nil {
		errs = map[string]string{}
	}
	return render(c, status, views.ChangeRolePage(views.ChangeRoleView{Chrome: chrome(c, "Change role", views.SectionUsers),
		IDs: joinIDs(ids), Count: n, Roles: roles, Role: role, Back: back, Errors: errs}))
}

// changeRoleSubmit gives the selection the chosen role, all or nothing; refusals come back as the
// per-person refusal page.
func (s *Server) changeRoleSubmit(c echo.Context) error {
	params, ids, err := parseSelectionForm(c)
	if err != nil {
		return err
	}
	back := selectionBack(params.Get("back"), ids)
	roleValue := truncateRunes(params.Get("role"), 40)
	role, known := models.ParseRole(roleValue)
	if !known {
		return s.renderChangeRole(c, http.StatusUnprocessableEntity, ids, back, roleValue, map[string]string{"role": "Choose a role."})
	}
	n, err := s.store.ChangeRoles(c.Request().Context(), actorOf(c), ids, role)
	var fields models.FieldErrors
	switch {
	case errors.As(err, &fields) && fields["role"] != "":
		return s.renderChangeRole(c, http.StatusUnprocessableEntity, ids, back, roleValue, fields)
	case errors.As(err, &fields):
		return fields
	case err != nil:
		return s.refuse(c, err, back)
	}
	people := s.peopleOf(c, ids)
	f := views.Flash{Text: fmt.Sprintf("Changed the role of %s to %s; it applies from their next click.", whoText(people, n), role.Label())}
	if one := onlyOne(people, n); one != nil {
		f.Links = []views.FlashLink{profileLink(*one)}
	}
	s.flashLinks(c, f)
	return redirect(c, back)
}
