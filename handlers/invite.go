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
	if plan, ok := models.PreselectedPlan(view.Plans); ok {
		view.PlanID = views.PlanValue(plan)
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
	pasted := len(req.Lines)
	if file, err := c.FormFile("csv"); err == nil && file.Size > 0 {
		// A new upload is never sent at once: the preview shows each line's status first.
		uploaded, err := readInviteCSV(file)
		if fieldErr(err, view.Errors, "csv") {
			return render(c, http.StatusUnprocessableEntity, views.InvitePage(*view))
		} else if err != nil {
			return err
		}
		return s.renderInvitePreview(c, view, req, uploaded)
	}
	if field := params.Get("csv_rows"); field != "" {
		uploaded, err := models.DecodeInvitePreview(field)
		if fieldErr(err, view.Errors, "csv") {
			return render(c, http.StatusUnprocessableEntity, views.InvitePage(*view))
		}
		req.Lines = append(req.Lines, uploaded...)
		req.OnlyValid = params.Get("confirm") == "valid"
		view.PreviewRows = field
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
		if view.PreviewRows != "" && len(rejected.Lines) >= pasted {
			// Shown again as the preview it came from, each line with its status.
			view.Lines, view.Preview = rejected.Lines[:pasted], rejected.Lines[pasted:]
		}
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
	if left := len(req.Lines) - len(invited); left > 0 {
		f.Text += fmt.Sprintf(" %s with a problem %s left out.", models.Count(left, "row", "rows"), models.Plural(left, "was", "were"))
	}
	s.flashLinks(c, f)
	return redirect(c, views.UsersTabHref(models.StatusInvited))
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

// renderInvitePreview shows an uploaded list line by line with the status an invitation sent now
// would give each, and nothing sent; the lines travel in the form for the admin's choice.
func (s *Server) renderInvitePreview(c echo.Context, view *views.InviteView, req models.InviteRequest, uploaded []models.InviteLine) error {
	pasted := len(req.Lines)
	req.Lines = append(req.Lines, uploaded...)
	lines, fields, err := s.store.CheckInvite(c.Request().Context(), actorOf(c), req)
	if err != nil {
		return err
	}
	for field, msg := range fields {
		if field != "addresses" || pasted > 0 {
			view.Errors[field] = msg
		}
	}
	view.Lines, view.Preview, view.PreviewRows = lines[:pasted], lines[pasted:], models.EncodeInvitePreview(uploaded)
	return render(c, http.StatusOK, views.InvitePage(*view))
}
