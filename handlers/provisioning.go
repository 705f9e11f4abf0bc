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

// Settings > Account > Provisioning and the default hand-over.
func (s *Server) provisioningRoutes() []route {
	return []route{
		{http.MethodGet, routes.RouteProvisioning, models.PermManageProvisioning, s.provisioningPage},
		{http.MethodPost, routes.RouteProvisioningSave, models.PermManageProvisioning, s.provisioningSettingsSubmit},
		{http.MethodPost, routes.RouteProvisioningToken, models.PermManageProvisioning, s.provisioningTokenCreate},
		{http.MethodPost, routes.RouteProvisioningRevoke, models.PermManageProvisioning, s.provisioningTokenRevoke},
		{http.MethodPost, routes.RouteDefaultHandoverSave, models.PermManageAccount, s.defaultHandoverSubmit},
	}
}

// provisioningView loads everything the page shows.
func (s *Server) provisioningView(c echo.Context) (views.ProvisioningView, error) {
	actor := actorOf(c)
	ctx := c.Request().Context()
	view := views.ProvisioningView{Chrome: chrome(c, "Provisioning", views.SectionProvisioning), BaseURL: s.baseURL(c) + routes.ScimBase,
		Errors: map[string]string{}}
	var err error
	if view.Tokens, err = s.store.ProvisioningTokens(ctx, actor); err != nil {
		return view, err
	}
	if view.Settings, err = s.store.ProvisioningSettingsOf(ctx, actor); err != nil {
		return view, err
	}
	usage, err := s.store.SeatUsage(ctx, actor)
	if err != nil {
		return view, err
	}
	for _, u := range usage {
		view.Plans = append(view.Plans, u.Plan)
	}
	return view, nil
}

func (s *Server) provisioningPage(c echo.Context) error {
	view, err := s.provisioningView(c)
	if err != nil {
		return err
	}
	view.Flashes = s.takeFlashes(c)
	return render(c, http.StatusOK, views.ProvisioningPage(view))
}

// provisioningTokenCreate makes a token and shows it on the page it answers with, once: it is
// never stored in clear, so it is not redirected through a cookie either.
func (s *Server) provisioningTokenCreate(c echo.Context) error {
	name := truncateRunes(c.FormValue("name"), 200)
	secret, token, err := s.store.CreateProvisioningToken(c.Request().Context(), actorOf(c), name)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		view, loadErr := s.provisioningView(c)
		if loadErr != nil {
			return loadErr
		}
		view.TokenName, view.Errors = name, fields
		return render(c, http.StatusUnprocessableEntity, views.ProvisioningPage(view))
	}
	if err != nil {
		return err
	}
	view, err := s.provisioningView(c)
	if err != nil {
		return err
	}
	view.NewToken, view.NewTokenName = secret, token.Name
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, http.StatusOK, views.ProvisioningPage(view))
}

func (s *Server) provisioningTokenRevoke(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	token, err := s.store.RevokeProvisioningToken(c.Request().Context(), actorOf(c), id)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		s.flash(c, fields["token"])
		return redirect(c, routes.Path(routes.RouteProvisioning))
	}
	if err != nil {
		return err
	}
	s.flash(c, "Revoked the token “"+token.Name+"”: it stops working at its next request.")
	return redirect(c, routes.Path(routes.RouteProvisioning))
}

func (s *Server) provisioningSettingsSubmit(c echo.Context) error {
	plan, _ := strconv.ParseInt(c.FormValue("plan"), 10, 64)
	settings := models.ProvisioningSettings{PlanID: plan, DeleteMode: models.DeletionMode(truncateRunes(c.FormValue("delete_mode"), 40))}
	err := s.store.UpdateProvisioningSettings(c.Request().Context(), actorOf(c), settings)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		view, loadErr := s.provisioningView(c)
		if loadErr != nil {
			return loadErr
		}
		view.Settings, view.Errors = settings, fields
		return render(c, http.StatusUnprocessableEntity, views.ProvisioningPage(view))
	}
	if err != nil {
		return err
	}
	s.flash(c, "Saved the provisioning settings.")
	return redirect(c, routes.Path(routes.RouteProvisioning))
}

// defaultHandoverView is the default hand-over form as stored.
func (s *Server) defaultHandoverView(c echo.Context) (views.DefaultHandoverView, error) {
	h, err := s.store.DefaultHandoverOf(c.Request().Context(), actorOf(c))
	return views.DefaultHandoverView{CSRFToken: csrfToken(c), Handover: h, FallbackEmail: h.FallbackEmail, Errors: map[string]string{}}, err
}

func (s *Server) defaultHandoverSubmit(c echo.Context) error {
	in := models.DefaultHandoverInput{Mode: models.HandoverMode(truncateRunes(c.FormValue("handover_mode"), 20)),
		FallbackEmail: truncateRunes(c.FormValue("handover_fallback"), 300)}
	err := s.store.UpdateDefaultHandover(c.Request().Context(), actorOf(c), in)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		settings, loadErr := s.store.AccountSettingsOf(c.Request().Context(), actorOf(c))
		if loadErr != nil {
			return loadErr
		}
		handover := views.DefaultHandoverView{CSRFToken: csrfToken(c), Handover: models.DefaultHandover{Mode: in.Mode},
			FallbackEmail: in.FallbackEmail, Errors: fields}
		return render(c, http.StatusUnprocessableEntity, views.AccountSettingsPage(views.AccountSettingsView{
			Chrome: chrome(c, "Account", views.SectionAccount), Settings: settings, Minutes: strconv.Itoa(settings.ImpersonationMinutes),
			GraceDays: strconv.Itoa(settings.DeletionGraceDays), Errors: map[string]string{}, Handover: handover,
			TimeZone: actorOf(c).Account.Location().String()}))
	}
	if err != nil {
		return err
	}
	s.flash(c, "Saved the default hand-over.")
	return redirect(c, routes.Path(routes.RouteAccountSettings))
}
