package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/models/modelstest"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	code := modelstest.Main(m)
	chromium.Stop()
	os.Exit(code)
}

const testSecret = "test-secret-that-is-at-least-32-characters-long"

// testApp is the real router behind an httptest server.
type testApp struct {
	*httptest.Server
	echo  *echo.Echo
	store *models.Store
}

func newTestApp(t *testing.T, store *models.Store) *testApp {
	t.Helper()
	e, err := New(store, Config{SessionSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &testApp{Server: srv, echo: e, store: store}
}

// browser is one client with its own cookie jar that does not follow redirects, so tests see them.
type browser struct {
	t      *testing.T
	app    *testApp
	client *http.Client
}

func (a *testApp) newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, app: a, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) doc(t *testing.T) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browser) get(path string, headers ...string) response {
	b.t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, b.app.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, b.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// csrf reads the token a page put in its forms.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	page := b.get(path)
	token, ok := page.doc(b.t).Find(`input[name="_csrf"]`).First().Attr("value")
	if !ok || token == "" {
		b.t.Fatalf("no CSRF token on %s (status %d)", path, page.status)
	}
	return token
}

// submit posts a form the way a browser does: with the token from the page it came from.
func (b *browser) submit(fromPage, path string, form url.Values) response {
	b.t.Helper()
	form.Set("_csrf", b.csrf(fromPage))
	return b.post(path, form)
}

func (b *browser) signIn(email, password string) response {
	b.t.Helper()
	return b.submit("/login", "/login", url.Values{"email": {email}, "password": {password}})
}

func (b *browser) mustSignIn(email, password string) {
	b.t.Helper()
	if res := b.signIn(email, password); res.status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: status %d", email, res.status)
	}
}

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
