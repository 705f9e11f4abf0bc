package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// Change plan routes (S2).
const (
	RouteChangePlan       = "users.change_plan"
	RouteChangePlanSubmit = "users.change_plan.submit"
)

// changePlanForm shows the change-plan page for the users in ?ids=, as the profile links to it.
func (s *Server) changePlanForm(c echo.Context) error {
	ids, ok := parseIDs(c.QueryParams()["ids"])
	if !ok || len(ids) == 0 {
		return models.ErrNotFound
	}
	back := c.QueryParam("back")
	if back == "" && len(ids) == 1 {
		back = fmt.Sprintf("/settings/users/%d", ids[0])
	}
	return s.renderChangePlan(c, http.StatusOK, ids, changePlanBack(back), "", nil)
}

func changePlanBack(back string) string {
	if back == "" {
		return "/settings/users"
	}
	return safeNext(back)
}

// renderChangePlan shows the change-plan page; the bulk action renders it directly, so that a
// large selection does not have to fit in a URL.
func (s *Server) renderChangePlan(c echo.Context, status int, ids []int64, back, plan string, errs map[string]string) error {
	ctx, actor := c.Request().Context(), actorOf(c)
	n, err := s.store.ChangePlanSelection(ctx, actor, ids)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		return echo.NewHTTPError(http.StatusBadRequest, fields["ids"])
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
	params, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	ids, ok := parseIDs(params["ids"])
	if !ok || len(ids) == 0 {
		return models.ErrNotFound
	}
	back := changePlanBack(params.Get("back"))
	planValue := truncateRunes(params.Get("plan"), 20)
	planID, perr := strconv.ParseInt(planValue, 10, 64)
	if perr != nil || planID <= 0 {
		return s.renderChangePlan(c, http.StatusUnprocessableEntity, ids, back, planValue, map[string]string{"plan": "Choose a plan."})
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	n, err := s.store.ChangePlan(ctx, actor, ids, planID)
	var fields models.FieldErrors
	switch {
	case errors.As(err, &fields):
		return echo.NewHTTPError(http.StatusBadRequest, fields["ids"])
	case err != nil:
		return s.refuse(c, err, back)
	}
	name := ""
	if usage, err := s.store.SeatUsage(ctx, actor); err == nil {
		for _, u := range usage {
			if u.Plan.ID == planID {
				name = u.Plan.Name
			}
		}
	}
	s.flash(c, fmt.Sprintf("Moved %s to %s.", plural(n, "user"), name))
	return redirect(c, back)
}
