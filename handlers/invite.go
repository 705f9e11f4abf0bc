package handlers

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

func (s *Server) inviteForm(c echo.Context) error {
	view, err := s.inviteView(c)
	if err != nil {
		return err
	}
	view.Role = string(models.RoleMember)
	if len(view.Plans) > 0 {
		view.PlanID = views.PlanValue(view.Plans[0].Plan)
	}
	return render(c, http.StatusOK, views.InvitePage(*view))
}

func (s *Server) inviteSubmit(c echo.Context) error {
	view, err := s.inviteView(c)
	if err != nil {
		return err
	}
	params, err := formParams(c)
	if err != nil {
		return err
	}
	view.Addresses, view.PlanID, view.Role = truncateRunes(params.Get("addresses"), 100_000), params.Get("plan"), params.Get("role")
	req := models.InviteRequest{Role: models.Role(view.Role), BaseURL: s.baseURL(c)}
	req.PlanID, _ = positiveID(view.PlanID)
	for _, g := range params["groups"] {
		view.GroupIDs[g] = true
		if id, ok := positiveID(g); ok {
			req.GroupIDs = append(req.GroupIDs, id)
		} else {
			view.Errors["groups"] = "One of the groups does not exist any more."
		}
	}
	req.Lines = models.ParseInviteList(view.Addresses)
	if file, err := c.FormFile("csv"); err == nil && file.Size > 0 {
		lines, csvErr := readInviteCSV(file)
		var fields models.FieldErrors
		switch {
		case errors.As(csvErr, &fields):
			view.Errors["csv"] = fields["csv"]
		case csvErr != nil:
			return csvErr
		}
		req.Lines = append(req.Lines, lines...)
	}
	if len(view.Errors) > 0 {
		return render(c, http.StatusUnprocessableEntity, views.InvitePage(*view))
	}
	invited, err := s.store.Invite(c.Request().Context(), actorOf(c), req)
	var rejected models.InviteRejectedError
	if errors.As(err, &rejected) {
		for field, msg := range rejected.Fields {
			view.Errors[field] = msg
		}
		view.Lines = rejected.Lines
		return render(c, http.StatusUnprocessableEntity, views.InvitePage(*view))
	}
	if err != nil {
		return err
	}
	s.mailQueued()
	people := make([]models.PersonName, len(invited))
	for i, u := range invited {
		people[i] = models.PersonName{ID: u.ID, Name: cmp.Or(u.Name, u.EmailAddress())}
	}
	f := views.Flash{Text: fmt.Sprintf("Invited %s with a seat reserved and a link that expires in %s.", whoText(people, len(invited)), views.InvitationLifetimeText)}
	if one := onlyOne(people, len(invited)); one != nil {
		f.Links = []views.FlashLink{profileLink(*one)}
	}
	s.flashLinks(c, f)
	return redirect(c, "/settings/users?tab=invited")
}

func (s *Server) inviteView(c echo.Context) (*views.InviteView, error) {
	ctx := c.Request().Context()
	actor := actorOf(c)
	plans, err := s.store.SeatUsage(ctx, actor)
	if err != nil {
		return nil, err
	}
	groups, err := s.store.ListGroups(ctx, actor)
	if err != nil {
		return nil, err
	}
	view := &views.InviteView{Chrome: chrome(c, "Invite people", views.SectionUsers), Plans: plans, Groups: groups,
		GroupIDs: map[string]bool{}, Errors: map[string]string{}}
	for _, r := range models.Roles {
		if actor.CanGrantRole(r) {
			view.Roles = append(view.Roles, r)
		}
	}
	return view, nil
}
