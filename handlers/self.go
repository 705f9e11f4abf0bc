package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
	"roster/views"
)

func (s *Server) ownProfile(c echo.Context) error {
	return s.renderHome(c, http.StatusOK, nil, nil)
}

// renderHome shows the home page; details is what the form should show instead of the stored
// values after a refused save.
func (s *Server) renderHome(c echo.Context, status int, details *models.OwnDetails, errs map[string]string) error {
	actor := actorOf(c)
	profile, err := s.store.OwnProfile(c.Request().Context(), actor)
	if err != nil {
		return err
	}
	view := views.HomeView{Chrome: chrome(c, "Home", views.SectionHome), Profile: profile, Flashes: s.takeFlashes(c),
		Name: profile.User.Name, Phone: profile.User.Phone, Errors: errs, Impersonated: actor.Impersonating()}
	if details != nil {
		view.Name, view.Phone = details.Name, details.Phone
	}
	if view.Errors == nil {
		view.Errors = map[string]string{}
	}
	return render(c, status, views.HomePage(view))
}

func (s *Server) ownDetailsSubmit(c echo.Context) error {
	details := models.OwnDetails{Name: truncateRunes(c.FormValue("name"), 1000), Phone: truncateRunes(c.FormValue("phone"), 200)}
	err := s.store.UpdateOwnDetails(c.Request().Context(), actorOf(c), details)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		return s.renderHome(c, http.StatusUnprocessableEntity, &details, fields)
	}
	if err != nil {
		return err
	}
	s.flash(c, "Saved your details.")
	return redirect(c, routes.Path(routes.RouteOwnProfile))
}

func (s *Server) ownPasswordSubmit(c echo.Context) error {
	err := s.store.ChangeOwnPassword(c.Request().Context(), actorOf(c), truncateRunes(c.FormValue("current"), 1100), truncateRunes(c.FormValue("password"), 1100))
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		return s.renderHome(c, http.StatusUnprocessableEntity, nil, fields)
	}
	if err != nil {
		return err
	}
	s.flash(c, "Changed your password; your other sessions ended.")
	return redirect(c, routes.Path(routes.RouteOwnProfile))
}

func (s *Server) signOutElsewhere(c echo.Context) error {
	n, err := s.store.SignOutElsewhere(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	if n == 0 {
		s.flash(c, "You were signed in nowhere else.")
	} else {
		s.flash(c, fmt.Sprintf("Ended %s elsewhere.", models.Count(n, "session", "sessions")))
	}
	return redirect(c, routes.Path(routes.RouteOwnProfile))
}

func (s *Server) accountSettings(c echo.Context) error {
	settings, err := s.store.AccountSettingsOf(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	handover, err := s.defaultHandoverView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.AccountSettingsPage(views.AccountSettingsView{Chrome: chrome(c, "Account", views.SectionAccount),
		Settings: settings, Minutes: fmt.Sprint(settings.ImpersonationMinutes), GraceDays: fmt.Sprint(settings.DeletionGraceDays),
		Errors: map[string]string{}, Flashes: s.takeFlashes(c), Handover: handover, TimeZone: actorOf(c).Account.Location().String()}))
}

func (s *Server) timeZoneSubmit(c echo.Context) error {
	zone := truncateRunes(c.FormValue("time_zone"), 80)
	err := s.store.UpdateAccountTimeZone(c.Request().Context(), actorOf(c), zone)
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		settings, loadErr := s.store.AccountSettingsOf(c.Request().Context(), actorOf(c))
		if loadErr != nil {
			return loadErr
		}
		handover, loadErr := s.defaultHandoverView(c)
		if loadErr != nil {
			return loadErr
		}
		return render(c, http.StatusUnprocessableEntity, views.AccountSettingsPage(views.AccountSettingsView{
			Chrome: chrome(c, "Account", views.SectionAccount), Settings: settings, Minutes: fmt.Sprint(settings.ImpersonationMinutes),
			GraceDays: fmt.Sprint(settings.DeletionGraceDays), Errors: fields, Handover: handover, TimeZone: zone}))
	}
	if err != nil {
		return err
	}
	s.flash(c, "Saved the time zone.")
	return redirect(c, routes.Path(routes.RouteAccountSettings))
}

func (s *Server) accountSettingsSubmit(c echo.Context) error {
	minutesValue, graceValue := truncateRunes(c.FormValue("impersonation_minutes"), 12), truncateRunes(c.FormValue("deletion_grace_days"), 12)
	settings := models.AccountSettings{ImpersonationEnabled: c.FormValue("impersonation_enabled") == "1"}
	minutes, minutesOK := smallInt(minutesValue)
	grace, graceOK := smallInt(graceValue)
	settings.ImpersonationMinutes, settings.DeletionGraceDays = minutes, grace
	errs := settings.Validate()
	if !minutesOK {
		errs["impersonation_minutes"] = "Enter a whole number of minutes."
	}
	if !graceOK {
		errs["deletion_grace_days"] = "Enter a whole number of days."
	}
	err := error(errs)
	if len(errs) == 0 {
		err = s.store.UpdateAccountSettings(c.Request().Context(), actorOf(c), settings)
	}
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		handover, loadErr := s.defaultHandoverView(c)
		if loadErr != nil {
			return loadErr
		}
		return render(c, http.StatusUnprocessableEntity, views.AccountSettingsPage(views.AccountSettingsView{
			Chrome: chrome(c, "Account", views.SectionAccount), Settings: settings, Minutes: minutesValue, GraceDays: graceValue, Errors: fields,
			Handover: handover, TimeZone: actorOf(c).Account.Location().String()}))
	}
	if err != nil {
		return err
	}
	s.flash(c, "Saved the account settings.")
	return redirect(c, routes.Path(routes.RouteAccountSettings))
}

// smallInt parses a form's whole number of at most six digits.
func smallInt(s string) (int, bool) {
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}
