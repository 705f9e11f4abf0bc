package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// changePlanForm shows the change-plan page for the users in ?ids=, as the profile links to it.
func (s *Server) changePlanForm(c echo.Context) error {
	ids, ok := parseIDs(c.QueryParams()["ids"])
	if !ok {
		return models.ErrNotFound
	}
	return s.renderChangePlan(c, http.StatusOK, ids, selectionBack(c.QueryParam("back"), ids), "", nil)
}

// renderChangePlan shows the change-plan page; the bulk action renders it directly, so that a
// large selection does not have to fit in a URL.
func (s *Server) renderChangePlan(c echo.Context, status int, ids []int64, back, plan string, errs map[string]string) error {
	ctx, actor := c.Request().Context(), actorOf(c)
	n, err := s.store.ChangePlanSelection(ctx, actor, ids)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		return fields
	}
	if err != nil {
		return err
	}
	plans, err := s.store.SeatUsage(ctx, actor)
	if err != nil {
		return err
	}
	if errs == nil {
		errs = map[string]string{}
	}
	return render(c, status, views.ChangePlanPage(views.ChangePlanView{Chrome: chrome(c, "Change plan", views.SectionUsers),
		IDs: joinIDs(ids), Count: n, Plans: plans, Plan: plan, Back: back, Errors: errs}))
}

// changePlanSubmit moves the selection to the chosen plan, all or nothing; refusals come back as
// the per-person refusal page.
func (s *Server) changePlanSubmit(c echo.Context) error {
	params, ids, err := parseSelectionForm(c)
	if err != nil {
		return err
	}
	back := selectionBack(params.Get("back"), ids)
	planValue := truncateRunes(params.Get("plan"), 20)
	planID, ok := positiveID(planValue)
	if !ok {
		return s.renderChangePlan(c, http.StatusUnprocessableEntity, ids, back, planValue, map[string]string{"plan": "Choose a plan."})
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	moved, err := s.store.ChangePlan(ctx, actor, ids, planID)
	var fields models.FieldErrors
	switch {
	case errors.As(err, &fields):
		return fields
	case err != nil:
		return s.refuse(c, err, back)
	}
	people := s.peopleOf(c, ids)
	f := views.Flash{Text: fmt.Sprintf("Moved %s to %s.", whoText(people, moved.Users), moved.Plan)}
	if one := onlyOne(people, moved.Users); one != nil {
		f.Links = []views.FlashLink{profileLink(*one)}
	}
	s.flashLinks(c, f)
	return redirect(c, back)
}
