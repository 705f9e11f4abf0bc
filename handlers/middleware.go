package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"roster/models"
	"roster/routes"
	"roster/views"
)

const (
	sessionCookieName = "roster_session"
	sessionTokenKey   = "token"
	csrfCookieName    = "roster_csrf"
	csrfFormField     = "_csrf"
	csrfContextKey    = "csrf"
	actorContextKey   = "roster.actor"
	sessionEndedKey   = "roster.session_ended"
	storeContextKey   = "roster.store"
)

// errCSRF marks a request refused for a missing or wrong CSRF token.
var errCSRF = echo.NewHTTPError(http.StatusForbidden, "missing or invalid CSRF token")

// errCrossOrigin marks a state-changing request that a browser says came from another site.
var errCrossOrigin = echo.NewHTTPError(http.StatusForbidden, "cross-origin request")

// contentSecurityPolicy allows only Roster's own scripts and styles: no inline code, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func secureHeaders(tls bool) echo.MiddlewareFunc {
	config := middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ContentSecurityPolicy: contentSecurityPolicy,
		ReferrerPolicy:        "same-origin",
	}
	if tls {
		config.HSTSMaxAge = 31536000
	}
	return middleware.SecureWithConfig(config)
}

// loadActor re-reads the session and its user on every request, so that a user deactivated or
// signed out elsewhere is refused from the very next request.
func (s *Server) loadActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isSCIMPath(c.Request().URL.Path) {
			// SCIM requests are an identity provider's, authenticated by their bearer token alone.
			return next(c)
		}
		session, _ := s.cookies.Get(c.Request(), sessionCookieName)
		token, _ := session.Values[sessionTokenKey].(string)
		if token == "" {
			return next(c)
		}
		actor, err := s.store.Authenticate(c.Request().Context(), token)
		switch {
		case errors.Is(err, models.ErrSessionEnded):
			s.clearSession(c)
			c.Set(sessionEndedKey, true)
		case err != nil:
			return err
		default:
			actor.IP = c.RealIP()
			c.Set(actorContextKey, actor)
			c.Set(storeContextKey, s.store)
		}
		return next(c)
	}
}

// actorOf is the signed-in actor, or nil for a visitor.
func actorOf(c echo.Context) *models.Actor {
	actor, _ := c.Get(actorContextKey).(*models.Actor)
	return actor
}

func csrfToken(c echo.Context) string {
	token, _ := c.Get(csrfContextKey).(string)
	return token
}

// csrf requires a token on every state-changing request, from a form field or, for htmx, a
// header. Browsers that send Fetch Metadata are also checked for a same-origin request.
func (s *Server) csrf() echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		// SCIM requests carry no cookie to forge: a bearer token authenticates them.
		Skipper:        func(c echo.Context) bool { return isSCIMPath(c.Request().URL.Path) },
		TokenLookup:    "form:" + csrfFormField + ",header:" + echo.HeaderXCSRFToken,
		ContextKey:     csrfContextKey,
		CookieName:     csrfCookieName,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.config.SecureCookies,
		CookieSameSite: http.SameSiteLaxMode,
		CookieMaxAge:   12 * 3600,
		ErrorHandler: func(err error, c echo.Context) error {
			return errCSRF
		},
	})
}

// sameOrigin refuses every state-changing request that the browser says came from another
// site, whatever token it carries: Sec-Fetch-Site when the browser sends it, else the Origin
// header against the request's Host (net/http's CrossOriginProtection). Requests with neither,
// such as scripts and older clients, keep relying on the CSRF token alone. Behind a proxy that
// rewrites the Host header, the origin of the configured base URL is trusted as well.
func (s *Server) sameOrigin() (echo.MiddlewareFunc, error) {
	protection := http.NewCrossOriginProtection()
	if s.config.BaseURL != "" {
		base, err := url.Parse(s.config.BaseURL)
		if err != nil || base.Scheme == "" || base.Host == "" {
			return nil, errors.New("the base URL must be an absolute URL such as https://roster.example.com")
		}
		if err := protection.AddTrustedOrigin(base.Scheme + "://" + base.Host); err != nil {
			return nil, err
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			// SCIM carries its own bearer token, never a cookie: a request from another site has
			// no ambient credentials to abuse, and identity providers call from their servers.
			if isSCIMPath(c.Request().URL.Path) {
				return next(c)
			}
			if err := protection.Check(c.Request()); err != nil {
				return errCrossOrigin
			}
			return next(c)
		}
	}, nil
}

// require lets the request through only when the actor holds the route's permission. Visitors
// are sent to sign in; signed-in users without the permission are refused. Under "View as" every
// state-changing route is refused, except stopping the impersonation and signing out.
func (s *Server) require(r route) echo.MiddlewareFunc {
	if r.permission == models.PermProvisioning {
		return s.requireProvisioning
	}
	permission := r.permission
	changesState := r.method != http.MethodGet && r.method != http.MethodHead
	leavesImpersonation := permission == models.PermStopImpersonation || r.name == routes.RouteLogout
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			actor := actorOf(c)
			if changesState && !leavesImpersonation {
				if err := actor.RefuseStateChange(); err != nil {
					return err
				}
			}
			refusal := actor.Refusal(permission)
			if refusal == nil {
				return next(c)
			}
			if actor == nil {
				return redirectToLogin(c)
			}
			return refusal
		}
	}
}

func redirectToLogin(c echo.Context) error {
	query := url.Values{}
	if c.Request().Method == http.MethodGet && c.Request().URL.Path != views.HomePath {
		query.Set("next", c.Request().URL.RequestURI())
	}
	if ended, _ := c.Get(sessionEndedKey).(bool); ended {
		query.Set("ended", "1")
	}
	target := views.LoginHref(query)
	if c.Request().Header.Get(hxRequest) == "true" {
		c.Response().Header().Set(hxRedirect, target)
		return c.NoContent(http.StatusUnauthorized)
	}
	return c.Redirect(http.StatusSeeOther, target)
}

func (s *Server) clearSession(c echo.Context) {
	session, _ := s.cookies.Get(c.Request(), sessionCookieName)
	session.Options.MaxAge = -1
	delete(session.Values, sessionTokenKey)
	saveOrLog(c, session, "clear an ended session's cookie")
}
