package handlers

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"roster/metrics"
	"roster/models"
	"roster/models/modelstest"
)

// TestRequestMetrics: after a few requests the metrics endpoint counts them by route name and
// status, never by raw path, and times them.
func TestRequestMetrics(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		registry, err := metrics.New(store)
		if err != nil {
			t.Fatal(err)
		}
		e, err := New(store, Config{SessionSecret: testSecret, Metrics: registry})
		if err != nil {
			t.Fatal(err)
		}
		app := &testApp{Server: newServer(t, e), echo: e, store: store}
		acc := modelstest.NewAccount(t, store)
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password) // GET and POST /login
		for range 2 {
			if res := b.get("/settings/users"); res.status != http.StatusOK {
				t.Fatalf("user list: status %d", res.status)
			}
		}
		if res := b.get("/settings/users/" + strconv.FormatInt(acc.Owner.ID, 10)); res.status != http.StatusOK {
			t.Fatalf("profile: status %d", res.status)
		}
		if res := b.get("/settings/users/999999999"); res.status != http.StatusNotFound {
			t.Fatalf("someone else's profile: status %d", res.status)
		}
		if res := b.get("/no/such/page-4f1e"); res.status != http.StatusNotFound {
			t.Fatalf("no such page: status %d", res.status)
		}

		scrape := scrapeMetrics(t, registry)
		for _, want := range []string{
			`roster_http_requests_total{route="login",status="200"} 1`,
			`roster_http_requests_total{route="login.submit",status="303"} 1`,
			`roster_http_requests_total{route="users.list",status="200"} 2`,
			`roster_http_requests_total{route="users.profile",status="200"} 1`,
			`roster_http_requests_total{route="users.profile",status="404"} 1`,
			`roster_http_requests_total{route="unmatched",status="404"} 1`,
			`roster_http_request_duration_seconds_count{route="users.list",status="200"} 2`,
			`roster_http_request_duration_seconds_bucket{route="users.list",status="200",le="+Inf"} 2`,
		} {
			if !strings.Contains(scrape, want+"\n") {
				t.Errorf("metrics lack %s", want)
			}
		}
		// The pool and the outbox, read from this database.
		for _, want := range []string{`go_sql_open_connections{db_name="roster"} `, "roster_mail_queue_messages ", "roster_mail_failed_messages "} {
			if !strings.Contains(scrape, "\n"+want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		names := map[string]bool{RouteUnmatched: true}
		for _, r := range e.Routes() {
			names[r.Name] = true
		}
		for _, m := range regexp.MustCompile(`route="([^"]*)"`).FindAllStringSubmatch(scrape, -1) {
			if !names[m[1]] {
				t.Errorf("metrics carry route=%q, which is not a route's name", m[1])
			}
		}
		if n := len(regexp.MustCompile(`(?m)^roster_http_requests_total\{`).FindAllString(scrape, -1)); n != 6 {
			t.Errorf("%d request series, want 6:\n%s", n, scrape)
		}
	})
}

// TestRequestIDs: every response carries an X-Request-ID; a plain one sent by the client or a
// proxy is kept, anything else is replaced.
func TestRequestIDs(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		b := app.newBrowser(t)
		generatedID := regexp.MustCompile(`^[0-9a-f]{32}$`)
		var logged bytes.Buffer
		previous := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
		first := b.get("/login").header.Get("X-Request-ID")
		slog.SetDefault(previous)
		if !generatedID.MatchString(first) {
			t.Fatalf("X-Request-ID %q, want 32 hex digits", first)
		}
		if !strings.Contains(logged.String(), "request_id="+first) {
			t.Errorf("the request's log line lacks its ID %s:\n%s", first, logged.String())
		}
		if second := b.get("/login").header.Get("X-Request-ID"); second == first || !generatedID.MatchString(second) {
			t.Errorf("second request's ID %q (first %q)", second, first)
		}
		if got := b.get("/no/such/page", "X-Request-ID", "edge-7f3a.2:9_x").header.Get("X-Request-ID"); got != "edge-7f3a.2:9_x" {
			t.Errorf("a plain incoming ID came back as %q", got)
		}
		for _, odd := range []string{"two words", `quote"d`, "caf\u00e9", strings.Repeat("a", 129), "a=b c=d"} {
			if got := b.get("/login", "X-Request-ID", odd).header.Get("X-Request-ID"); !generatedID.MatchString(got) {
				t.Errorf("incoming ID %q came back as %q, want a new one", odd, got)
			}
		}
	})
}

func scrapeMetrics(t *testing.T, registry *metrics.Registry) string {
	t.Helper()
	srv := newServer(t, registry.Handler())
	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: status %d\n%s", res.StatusCode, body)
	}
	return string(body)
}
