package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// impersonateForm asks for the mode and reason, or says why this user cannot be impersonated.
func (s *Server) impersonateForm(c echo.Context) error {
	return s.renderImpersonate(c, http.StatusOK, "view", "", nil)
}

func (s *Server) renderImpersonate(c echo.Context, status int, mode, reason string, errs map[string]string) error {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return models.ErrNotFound
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	profile, err := s.store.GetUserProfile(ctx, actor, id)
	if err != nil {
		return err
	}
	view := views.ImpersonateView{Chrome: chrome(c, "Impersonate "+profile.User.Name, views.SectionUsers), Target: profile.User,
		Mode: mode, Reason: reason, Minutes: actor.Account.ImpersonationMinutes, Errors: errs}
	if view.Errors == nil {
		view.Errors = map[string]string{}
	}
	var refused models.ImpersonationRefusedError
	switch err := s.store.ImpersonationCheck(ctx, actor, &profile.User); {
	case errors.As(err, &refused):
		view.Refusal, status = refused.Error(), http.StatusForbidden
	case err != nil:
		return err
	}
	return render(c, status, views.ImpersonatePage(view))
}

func (s *Server) impersonateSubmit(c echo.Context) error {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return models.ErrNotFound
	}
	mode, reason := truncateRunes(c.FormValue("mode"), 10), truncateRunes(c.FormValue("reason"), 2000)
	_, err := s.store.StartImpersonation(c.Request().Context(), actorOf(c), id, models.ImpersonationMode(mode), reason)
	var fields models.FieldErrors
	var refused models.ImpersonationRefusedError
	switch {
	case errors.As(err, &fields):
		return s.renderImpersonate(c, http.StatusUnprocessableEntity, mode, reason, fields)
	case errors.As(err, &refused):
		return s.renderImpersonate(c, http.StatusForbidden, mode, reason, nil)
	case err != nil:
		return err
	}
	return redirect(c, views.HomePath)
}

// stopImpersonation returns the impersonator to themself, on the profile they started from.
func (s *Server) stopImpersonation(c echo.Context) error {
	target, err := s.store.StopImpersonation(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	if target == nil {
		return redirect(c, views.HomePath)
	}
	s.flash(c, "You stopped impersonating "+target.Name+".")
	return redirect(c, views.UserHref(target.ID))
}
