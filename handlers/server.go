// Package handlers is Roster's HTTP layer: it parses requests, calls one Store operation and
// renders the answer. Business rules live in models.
package handlers

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"roster/models"
)

// Config is what the HTTP layer needs from the command line and environment.
type Config struct {
	// SessionSecret signs and encrypts the session cookie; at least 32 characters.
	SessionSecret string
	// SecureCookies marks cookies Secure and sends HSTS, for deployments behind TLS.
	SecureCookies bool
	// TrustProxyHeaders takes the client address from X-Forwarded-For, for deployments behind a
	// reverse proxy; without a proxy the header is the client's to forge.
	TrustProxyHeaders bool
	// BaseURL is where links in e-mails point (https://roster.example.com); empty means the
	// address the admin's request came to.
	BaseURL string
	// MailDelivering is true when an SMTP server delivers queued mail; the outbox then hides
	// message bodies and their links.
	MailDelivering bool
	// MailQueued is called after a request queued mail, to wake the delivery loop.
	MailQueued func()
}

// Server holds what every handler shares.
type Server struct {
	store   *models.Store
	cookies *sessions.CookieStore
	config  Config
	routes  []route
}

// New builds the Echo instance with every middleware and route.
func New(store *models.Store, config Config) (*echo.Echo, error) {
	if len(config.SessionSecret) < 32 {
		return nil, errors.New("the session secret must be at least 32 characters")
	}
	s := &Server{store: store, config: config}
	s.cookies = newCookieStore(config)
	s.routes = s.routeTable()
	go assets() // compress the static files once, before the first page asks for them

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler
	e.IPExtractor = echo.ExtractIPDirect()
	if config.TrustProxyHeaders {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.Use(middleware.Recover())
	e.Use(secureHeaders(config.SecureCookies))
	e.Use(middleware.RequestID())
	e.Use(requestLogger())
	e.Use(middleware.BodyLimit("2M"))
	e.Use(s.loadActor)
	e.Use(s.csrf())
	for _, r := range s.routes {
		e.Add(r.method, r.path, r.handler, s.require(r)).Name = r.name
	}
	return e, nil
}

// newCookieStore derives separate signing and encryption keys from the one configured secret,
// and sets every cookie option explicitly: gorilla's defaults are not safe for a console.
func newCookieStore(config Config) *sessions.CookieStore {
	hashKey, _ := hkdf.Key(sha256.New, []byte(config.SessionSecret), nil, "roster session signing", 64)
	blockKey, _ := hkdf.Key(sha256.New, []byte(config.SessionSecret), nil, "roster session encryption", 32)
	store := sessions.NewCookieStore(hashKey, blockKey)
	store.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(models.DefaultSessionLifetimes.Absolute / time.Second),
		HttpOnly: true,
		Secure:   config.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	store.MaxAge(store.Options.MaxAge)
	return store
}

func requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			slog.Info("request", "method", v.Method, "path", v.URIPath, "status", v.Status,
				"latency_ms", float64(v.Latency.Microseconds())/1000, "request_id", v.RequestID)
			return nil
		},
	})
}

// baseURL is the origin that links in e-mails use.
func (s *Server) baseURL(c echo.Context) string {
	if s.config.BaseURL != "" {
		return strings.TrimRight(s.config.BaseURL, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}

func (s *Server) mailQueued() {
	if s.config.MailQueued != nil {
		s.config.MailQueued()
	}
}
