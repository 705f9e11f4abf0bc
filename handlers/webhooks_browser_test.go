package handlers

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// TestBrowserWebhooks adds an endpoint in headless Chromium, sends it a test event, finds the
// attempt in the delivery log and resends it, with a delivery worker running as on a server.
func TestBrowserWebhooks(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		db := filepath.Base(t.Name())
		hooks := *store
		hooks.Webhooks.AllowPrivate = true
		app := newTestApp(t, &hooks)
		acc := modelstest.NewAccount(t, &hooks)

		var mu sync.Mutex
		var ids []string
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			mu.Lock()
			ids = append(ids, r.Header.Get("webhook-id"))
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"received":true}`)
		}))
		t.Cleanup(receiver.Close)
		runCtx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			hooks.RunWebhookDelivery(runCtx, hooks.NewWebhookSender(), 2, func(err error) { t.Errorf("delivery: %v", err) })
		}()
		t.Cleanup(func() {
			stop()
			<-done
			store.DB().Model(&models.WebhookEndpoint{}).Where("account_id = ?", acc.Account.ID).Update("enabled", false)
		})

		ctx := startBrowser(t, execPath)
		u := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifacts, db: db}
		u.signIn(acc.Owner.EmailAddress(), modelstest.Password)
		console := collectConsoleErrors(ctx)
		if status := u.clickAndLoad(`.sidenav a[href="/settings/webhooks"]`); status != http.StatusOK {
			t.Fatalf("webhooks: status %d", status)
		}
		u.screenshot("webhooks-01-empty")

		u.typeInto(`[data-testid="webhook-url"]`, receiver.URL+"/roster")
		u.typeInto(`[data-testid="webhook-description"]`, "Ticketing")
		if status := u.clickAndLoad(`[data-testid="create-webhook"]`); status != http.StatusCreated {
			t.Fatalf("add endpoint: status %d", status)
		}
		if secret := evaluate[string](u, `document.querySelector('[data-testid="webhook-secret"]')?.textContent ?? ''`); len(secret) < 40 {
			t.Errorf("the new secret is not shown: %q", secret)
		}
		u.screenshot("webhooks-02-added")

		if status := u.clickAndLoad(`[data-testid="send-test"]`); status != http.StatusOK {
			t.Fatalf("send test: status %d", status)
		}
		attempts := func(want int) {
			t.Helper()
			for range 100 {
				if n := evaluate[int](u, `document.querySelectorAll('[data-testid="webhook-attempt"]').length`); n >= want {
					return
				}
				time.Sleep(100 * time.Millisecond)
				if status := u.clickAndLoad(`[data-testid="refresh-log"]`); status != http.StatusOK {
					t.Fatalf("refresh: status %d", status)
				}
			}
			t.Fatalf("the log never showed %d attempts", want)
		}
		attempts(1)
		if status := evaluate[string](u, `document.querySelector('[data-testid="attempt-status"]').textContent`); status != "200 OK" {
			t.Errorf("first attempt: %q", status)
		}
		u.screenshot("webhooks-03-test-delivered")

		if status := u.clickAndLoad(`[data-testid="resend"]`); status != http.StatusOK {
			t.Fatalf("resend: status %d", status)
		}
		attempts(2)
		u.screenshot("webhooks-04-resent")
		mu.Lock()
		got := append([]string(nil), ids...)
		mu.Unlock()
		if len(got) != 2 || got[0] != got[1] || got[0] == "" {
			t.Errorf("the receiver got %v: want the test event twice under one webhook-id", got)
		}

		u.navigate("/settings/webhooks")
		if health := evaluate[string](u, `document.querySelector('[data-testid="webhook-health"]').textContent`); health == "" {
			t.Error("the list shows no health")
		}
		u.screenshot("webhooks-05-list")
		for _, m := range console() {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
	})
}
