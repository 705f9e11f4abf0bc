package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// Hostile input on Settings > Webhooks gets a message beside the field, never a 500, and is shown
// back as text; another account's endpoints do not exist.
func TestWebhookFormsRefuseHostileInput(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		page := b.get("/settings/webhooks")
		if page.status != http.StatusOK || page.doc(t).Find(`.sidenav a[href="/settings/webhooks"]`).Length() != 1 {
			t.Fatalf("webhooks page: status %d, or no navigation entry", page.status)
		}
		script := `<script>alert("x")</script>`
		cases := []struct {
			name  string
			form  url.Values
			field string
		}{
			{"private address", url.Values{"url": {"https://169.254.169.254/latest"}, "all_events": {"1"}}, "url"},
			{"plain http", url.Values{"url": {"http://example.com/hook"}, "all_events": {"1"}}, "url"},
			{"script as the address", url.Values{"url": {"javascript:" + script}, "all_events": {"1"}}, "url"},
			{"huge address", url.Values{"url": {"https://example.com/" + strings.Repeat("a", 1_500_000)}, "all_events": {"1"}}, "url"},
			{"huge description", url.Values{"url": {"https://example.com/h"}, "description": {strings.Repeat("d", 50_000)}, "all_events": {"1"}}, "description"},
			{"control characters", url.Values{"url": {"https://example.com/h"}, "description": {"a\x00b\nc"}, "all_events": {"1"}}, "description"},
			{"unknown event type", url.Values{"url": {"https://example.com/h"}, "events": {"user.invited", script}}, "events"},
			{"no event type", url.Values{"url": {"https://example.com/h"}}, "events"},
		}
		for _, c := range cases {
			res := b.submit("/settings/webhooks", "/settings/webhooks", c.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422", c.name, res.status)
				continue
			}
			if msg := res.doc(t).Find(`[data-testid="error-` + c.field + `"]`).Text(); msg == "" {
				t.Errorf("%s: no message beside %s", c.name, c.field)
			}
			if strings.Contains(res.body, script) {
				t.Errorf("%s: the script came back unescaped", c.name)
			}
		}
		if res := b.submit("/settings/webhooks", "/settings/webhooks", url.Values{"url": {"https://example.com/h"}, "events": make([]string, 100)}); res.status != http.StatusBadRequest {
			t.Errorf("a hundred event boxes: status %d, want 400", res.status)
		}
		if n := modelstest.Count(t, store.DB().Model(&models.WebhookEndpoint{}).Where("account_id = ?", acc.Account.ID)); n != 0 {
			t.Fatalf("refused forms made %d endpoints", n)
		}

		// A script in the description is kept as text and shown as text.
		res := b.submit("/settings/webhooks", "/settings/webhooks", url.Values{"url": {"https://hooks.example.com/roster"}, "description": {script}, "all_events": {"1"}})
		if res.status != http.StatusCreated {
			t.Fatalf("create: status %d", res.status)
		}
		doc := res.doc(t)
		secret := doc.Find(`[data-testid="webhook-secret"]`).Text()
		if !strings.HasPrefix(secret, "whsec_") || strings.Contains(res.body, script) || !strings.Contains(doc.Text(), script) {
			t.Errorf("created page: secret %q, description escaped: %v", secret, !strings.Contains(res.body, script))
		}
		var e models.WebhookEndpoint
		modelstest.Must(t, store.DB().Where("account_id = ?", acc.Account.ID).Take(&e))
		path := "/settings/webhooks/" + strconv.FormatInt(e.ID, 10)
		if page := b.get(path); page.status != http.StatusOK || strings.Contains(page.body, secret) {
			t.Errorf("endpoint page: status %d; the secret must not be shown again", page.status)
		}
		if res := b.submit(path, path, url.Values{"url": {"https://10.0.0.1/"}, "all_events": {"1"}}); res.status != http.StatusUnprocessableEntity ||
			res.doc(t).Find(`[data-testid="error-url"]`).Text() == "" {
			t.Errorf("edit to a private address: status %d", res.status)
		}
		for _, bad := range []string{"/settings/webhooks/0", "/settings/webhooks/x", "/settings/webhooks/99999999999999999999", path + "?older=-5"} {
			if res := b.get(bad); res.status >= 500 || (bad != path+"?older=-5" && res.status != http.StatusNotFound) {
				t.Errorf("GET %s: status %d", bad, res.status)
			}
		}
		if res := b.submit(path, path+"/resend", url.Values{"delivery": {"abc"}}); res.status != http.StatusNotFound {
			t.Errorf("resend of no delivery: status %d, want 404", res.status)
		}

		other := modelstest.NewAccount(t, store)
		ob := app.newBrowser(t)
		ob.mustSignIn(other.Owner.EmailAddress(), modelstest.Password)
		if res := ob.get(path); res.status != http.StatusNotFound {
			t.Errorf("another account's GET: status %d", res.status)
		}
		for _, action := range []string{"", "/delete", "/rotate", "/test", "/resend"} {
			if res := ob.submit("/settings/webhooks", path+action, url.Values{"url": {"https://example.com/x"}, "all_events": {"1"}, "delivery": {"1"}}); res.status != http.StatusNotFound {
				t.Errorf("another account's POST %s: status %d, want 404", path+action, res.status)
			}
		}
	})
}
