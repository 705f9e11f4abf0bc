package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
	"roster/views"
)

// Settings > Dormant seats and the exemption on a profile.
func (s *Server) dormancyRoutes() []route {
	return []route{
		{http.MethodGet, routes.RouteDormancy, models.PermManageDormancy, s.dormancyPage},
		{http.MethodPost, routes.RouteDormancySave, models.PermManageDormancy, s.dormancySubmit},
		{http.MethodPost, routes.RouteDormancyExemptSave, models.PermManageUsers, s.dormancyExemptSubmit},
	}
}

// dormancyView loads the page with the stored policy.
func (s *Server) dormancyView(c echo.Context) (views.DormancyView, error) {
	ctx, actor := c.Request().Context(), actorOf(c)
	v := views.DormancyView{Chrome: chrome(c, "Dormant seats", views.SectionDormancy), Errors: map[string]string{}}
	var err error
	if v.Policy, err = s.store.DormancyPolicyOf(ctx, actor); err != nil {
		return v, err
	}
	v.WarnDays, v.DeactivateDays = strconv.Itoa(v.Policy.WarnDays), strconv.Itoa(v.Policy.DeactivateDays)
	v.Exempt, err = s.store.DormancyExemptUsers(ctx, actor)
	return v, err
}

func (s *Server) dormancyPage(c echo.Context) error {
	v, err := s.dormancyView(c)
	if err != nil {
		return err
	}
	v.Flashes = s.takeFlashes(c)
	return render(c, http.StatusOK, views.DormancyPage(v))
}

func (s *Server) dormancySubmit(c echo.Context) error {
	in := models.DormancyPolicyInput{Enabled: c.FormValue("enabled") == "on",
		WarnDays: truncateRunes(c.FormValue("warn_days"), 20), DeactivateDays: truncateRunes(c.FormValue("deactivate_days"), 20)}
	policy, err := s.store.UpdateDormancyPolicy(c.Request().Context(), actorOf(c), in)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		v, loadErr := s.dormancyView(c)
		if loadErr != nil {
			return loadErr
		}
		v.Policy.Enabled, v.WarnDays, v.DeactivateDays, v.Errors = in.Enabled, in.WarnDays, in.DeactivateDays, fields
		return render(c, http.StatusUnprocessableEntity, views.DormancyPage(v))
	}
	if err != nil {
		return err
	}
	if policy.Enabled {
		s.flash(c, "Saved: people are warned after "+strconv.Itoa(policy.WarnDays)+" days without a sign-in and deactivated after "+
			strconv.Itoa(policy.DeactivateDays)+".")
	} else {
		s.flash(c, "Saved: the dormancy policy is off.")
	}
	return redirect(c, routes.Path(routes.RouteDormancy))
}

func (s *Server) dormancyExemptSubmit(c echo.Context) error {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return models.ErrNotFound
	}
	// The form sends a hidden "off" before the checkbox, so a ticked box arrives as "off", "on".
	if err := c.Request().ParseForm(); err != nil {
		return models.FieldErrors{"exempt": "Send the form again."}
	}
	values := c.Request().PostForm["exempt"]
	exempt := len(values) > 0 && values[len(values)-1] == "on"
	profile := views.UserHref(id)
	err := s.store.SetDormancyExempt(c.Request().Context(), actorOf(c), id, exempt)
	var refused models.BulkRefusal
	if errors.As(err, &refused) {
		// The profile offers the box only to those who may change the user; the rank may have
		// changed meanwhile, so the refusal is said where the box was.
		s.flash(c, refused.Reasons[id])
		return redirect(c, profile)
	}
	if err != nil {
		return err
	}
	if exempt {
		s.flash(c, "Exempt from the dormancy policy.")
	} else {
		s.flash(c, "The dormancy policy applies again.")
	}
	return redirect(c, profile)
}
