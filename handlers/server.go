// Package handlers is Roster's HTTP layer: it parses requests, calls one Store operation and
// renders the answer. Business rules live in models.
package handlers

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
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
	// Metrics counts every answered request; nil counts nothing.
	Metrics RequestObserver
}

// RequestObserver hears about every answered request: its route's name (RouteUnmatched when no
// route matched), its status and how long it took.
type RequestObserver interface {
	ObserveRequest(route string, status int, elapsed time.Duration)
}

// RouteUnmatched names requests no route matched, so that metrics never carry a raw path.
const RouteUnmatched = "unmatched"

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
	e.Use(requestID)
	e.Use(requestLogger(s.routeNames(), config.Metrics))
	e.Use(bodyLimits()...)
	sameOrigin, err := s.sameOrigin()
	if err != nil {
		return nil, err
	}
	e.Use(s.loadActor)
	e.Use(sameOrigin)
	e.Use(s.csrf())
	for _, r := range s.routes {
		e.Add(r.method, r.path(), r.handler, s.require(r)).Name = r.name
	}
	return e, nil
}

// newCookieStore derives separate signing and encryption keys from the one configured secret,
// and sets every cookie option explicitly: gorilla's defaults are not safe for a console.
func newCookieStore(config Config) *sessions.CookieStore {
	hashKey, _ := hkdf.Key(sha256.New, []byte(config.SessionSecret), nil, "roster session signing", 64)
	blockKey, _ := hkdf.Key(sha256.New, []byte(config.SessionSecret), nil, "roster session encryption", 32)
	store := cookieStoreWith(newSessionCodecs(hashKey, blockKey))
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

// requestLogger writes one log line per request and counts it for metrics under its route's
// name. Errors go through the error handler first, so both see the status the client got.
func requestLogger(routeNames map[string]string, metrics RequestObserver) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRoutePath: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			route, ok := routeNames[v.Method+" "+v.RoutePath]
			if !ok {
				route = RouteUnmatched
			}
			slog.Info("request", "method", v.Method, "path", v.URIPath, "route", route, "status", v.Status,
				"latency_ms", float64(v.Latency.Microseconds())/1000, "request_id", v.RequestID)
			if metrics != nil {
				metrics.ObserveRequest(route, v.Status, v.Latency)
			}
			return nil
		},
	})
}

// routeNames maps "METHOD /matched/:path" to the route's name.
func (s *Server) routeNames() map[string]string {
	names := make(map[string]string, len(s.routes))
	for _, r := range s.routes {
		names[r.method+" "+r.path()] = r.name
	}
	return names
}

// requestID gives every request an ID, sent back as X-Request-ID and written in its log lines.
// An ID the client or a proxy sent is kept when it is short and plain, so one ID can follow a
// request across services; anything else is replaced, so it can never forge or garble a log line.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !saneRequestID(id) {
			id = newRequestID()
			c.Request().Header.Set(echo.HeaderXRequestID, id)
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// saneRequestID accepts 1 to 128 letters, digits and "-_.:".
func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
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
