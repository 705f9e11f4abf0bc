package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
	"roster/views"
)

func (s *Server) loginForm(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if actorOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	form := views.LoginForm{Next: next, CSRFToken: csrfToken(c)}
	switch {
	case c.QueryParam("signed_out") != "":
		form.Notice = "You have signed out."
	case c.QueryParam("ended") != "":
		form.Notice = "Your session has ended. Sign in again to continue."
	}
	return render(c, http.StatusOK, views.LoginPage(form))
}

func (s *Server) loginSubmit(c echo.Context) error {
	email, password := c.FormValue("email"), c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	form := views.LoginForm{Email: truncateRunes(email, 254), Next: next, CSRFToken: csrfToken(c)}
	actor, token, err := s.store.SignIn(c.Request().Context(), email, password, c.RealIP(), c.Request().UserAgent())
	var throttled models.SignInThrottledError
	switch {
	case errors.As(err, &throttled):
		form.Error = throttled.Explain()
		setRetryAfter(c, err)
		return render(c, statusOf(err), views.LoginPage(form))
	case errors.Is(err, models.ErrBadCredentials):
		form.Error = "That e-mail address and password do not match an active user."
		return render(c, http.StatusUnauthorized, views.LoginPage(form))
	case err != nil:
		return err
	}
	if err := s.startSession(c, token); err != nil {
		return err
	}
	if next == views.HomePath && !actor.Allows(models.PermViewUsers) {
		return c.Redirect(http.StatusSeeOther, views.HomePath)
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// startSession puts a freshly issued session token in the signed, encrypted cookie.
func (s *Server) startSession(c echo.Context, token string) error {
	session, _ := s.cookies.Get(c.Request(), sessionCookieName)
	session.Values[sessionTokenKey] = token
	return session.Save(c.Request(), c.Response())
}

func (s *Server) logout(c echo.Context) error {
	session, _ := s.cookies.Get(c.Request(), sessionCookieName)
	if token, _ := session.Values[sessionTokenKey].(string); token != "" {
		if err := s.store.SignOut(c.Request().Context(), token); err != nil {
			return err
		}
	}
	s.clearSession(c)
	return c.Redirect(http.StatusSeeOther, views.LoginHref(url.Values{"signed_out": {"1"}}))
}

func (s *Server) home(c echo.Context) error {
	if actorOf(c).Allows(models.PermViewUsers) {
		return c.Redirect(http.StatusSeeOther, views.UsersPath)
	}
	if actorOf(c).Allows(models.PermViewSeats) {
		return c.Redirect(http.StatusSeeOther, routes.Path(routes.RouteSeats))
	}
	return s.renderHome(c, http.StatusOK, nil, nil)
}

// safeNext is the one gate for every redirect target a request supplies (next after signing in,
// back after a bulk action): a path on this site, or "/" for anything else. Browsers drop tabs
// and newlines from URLs and read a backslash as a slash, so "/\t/evil.example" and
// "/\evil.example" lead off-site just like "//evil.example"; those characters are refused
// wherever they appear, and so is a path that only decodes to one of them.
func safeNext(target string) string {
	if target == "" || len(target) > 2048 || target[0] != '/' || !utf8.ValidString(target) ||
		strings.IndexFunc(target, unsafeInURL) >= 0 || strings.HasPrefix(target, "//") {
		return views.HomePath
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.IndexFunc(u.Path, unsafeInURL) >= 0 {
		return views.HomePath
	}
	return target
}

// unsafeInURL reports characters a local path must not hold: control characters (which browsers
// strip) and the backslash (which they read as a slash).
func unsafeInURL(r rune) bool { return r == '\\' || unicode.IsControl(r) }

func truncateRunes(s string, max int) string {
	if r := []rune(s); len(r) > max {
		return string(r[:max])
	}
	return s
}
