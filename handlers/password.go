package handlers

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

func (s *Server) forgotPasswordForm(c echo.Context) error {
	return render(c, http.StatusOK, views.ForgotPasswordPage(views.ForgotPasswordView{CSRFToken: csrfToken(c), Errors: map[string]string{}}))
}

// forgotPasswordSubmit answers every well-formed address with the same page, sent or not.
func (s *Server) forgotPasswordSubmit(c echo.Context) error {
	email := c.FormValue("email")
	view := views.ForgotPasswordView{CSRFToken: csrfToken(c), Email: truncateRunes(strings.TrimSpace(email), 254), Errors: map[string]string{}}
	base, trusted := s.selfServiceBaseURL(c)
	if !trusted {
		slog.Warn("password reset link not sent: set ROSTER_BASE_URL so that links never point where a request's Host header says",
			"host", truncateRunes(c.Request().Host, 100))
	}
	err := s.store.RequestOwnPasswordReset(c.Request().Context(), email, base, c.RealIP())
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		view.Errors = fields
		return render(c, http.StatusUnprocessableEntity, views.ForgotPasswordPage(view))
	}
	if err != nil {
		return err
	}
	s.mailQueued()
	view.Sent = true
	return render(c, http.StatusOK, views.ForgotPasswordPage(view))
}

// selfServiceBaseURL is where a link asked for from the sign-in page points, and whether that
// origin can be trusted. Anyone can ask for a link to anyone's address, so the Host header — the
// asker's to choose — may not decide it, or a forged Host would mail the victim a working link
// to the asker's site. Without a configured base URL only this machine's own names pass, which
// is what development uses.
func (s *Server) selfServiceBaseURL(c echo.Context) (string, bool) {
	if s.config.BaseURL != "" {
		return s.baseURL(c), true
	}
	host := c.Request().Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return "http://" + c.Request().Host, true
	}
	return "", false
}

func (s *Server) resetPasswordForm(c echo.Context) error {
	token := c.Param("token")
	reset, err := s.store.OpenPasswordReset(c.Request().Context(), token)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ResetPasswordPage(views.ResetPasswordView{Token: token, CSRFToken: csrfToken(c),
		Reset: reset, Errors: map[string]string{}}))
}

// resetPasswordSubmit sets the new password, which ends every other session, and signs in here.
func (s *Server) resetPasswordSubmit(c echo.Context) error {
	token := c.Param("token")
	ctx := c.Request().Context()
	reset, err := s.store.OpenPasswordReset(ctx, token)
	if err != nil {
		return err
	}
	view := views.ResetPasswordView{Token: token, CSRFToken: csrfToken(c), Reset: reset, Errors: map[string]string{}}
	password := c.FormValue("password")
	if password != c.FormValue("password_confirm") {
		view.Errors["password_confirm"] = "The two passwords differ."
		return render(c, http.StatusUnprocessableEntity, views.ResetPasswordPage(view))
	}
	_, sessionToken, err := s.store.CompletePasswordReset(ctx, token, password, c.RealIP(), c.Request().UserAgent())
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		view.Errors = fields
		return render(c, http.StatusUnprocessableEntity, views.ResetPasswordPage(view))
	}
	if err != nil {
		return err
	}
	if err := s.startSession(c, sessionToken); err != nil {
		return err
	}
	s.flash(c, "Your new password is saved. You are signed in here and signed out everywhere else.")
	return c.Redirect(http.StatusSeeOther, views.HomePath)
}
