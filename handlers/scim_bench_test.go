package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// BenchmarkScimUsers100k measures SCIM user look-ups on the 100,000-user bench account in
// PostgreSQL, from request to JSON: the filter every provider sends before creating a user, and
// pages of 100 as an initial import reads them.
func BenchmarkScimUsers100k(b *testing.B) {
	store, seeded, e := benchConsole(b)
	secret, _, err := store.CreateProvisioningTokenForAccount(context.Background(), seeded.Account.ID, "Bench")
	if err != nil {
		b.Fatal(err)
	}
	var email string
	store.DB().Model(&models.User{}).Select("email").Where("account_id = ? AND status = ?", seeded.Account.ID, models.StatusActive).
		Order("id DESC").Limit(1).Scan(&email)
	for _, bc := range []struct{ name, path string }{
		{"filter_userName", "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq "`+email+`"`)},
		{"filter_externalId", "/scim/v2/Users?filter=" + url.QueryEscape(`externalId eq "none"`)},
		{"page_100", "/scim/v2/Users?startIndex=1&count=100"},
		{"page_100_at_50001", "/scim/v2/Users?startIndex=50001&count=100"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, bc.path, nil)
				req.Header.Set("Authorization", "Bearer "+secret)
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: status %d %s", bc.path, rec.Code, rec.Body.String())
				}
			}
		})
	}
}

// TestSCIMInitialSync times an identity provider's initial sync: ROSTER_SCIM_SYNC_USERS
// sequential POST /Users (10000 for the README's number) into a fresh account, through the real
// router, on PostgreSQL when ROSTER_TEST_DATABASE_URL is set. Skipped without the variable.
func TestSCIMInitialSync(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv("ROSTER_SCIM_SYNC_USERS"))
	if err != nil || n <= 0 {
		t.Skip("set ROSTER_SCIM_SYNC_USERS=10000 to time an initial sync")
	}
	store := modelstest.Postgres(t)
	acc := modelstest.NewAccount(t, store)
	store.DB().Model(&models.Plan{}).Where("id = ?", *acc.Owner.PlanID).Update("seats_purchased", n+10)
	if err := store.UpdateProvisioningSettings(context.Background(), acc.Actor, models.ProvisioningSettings{PlanID: *acc.Owner.PlanID, DeleteMode: models.DeleteAnonymise}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := store.CreateProvisioningTokenForAccount(context.Background(), acc.Account.ID, "Sync")
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(store, Config{SessionSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	for i := range n {
		email := fmt.Sprintf("sync-%d-%d@example.com", acc.Account.ID, i)
		body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + email + `","externalId":"ext-` + strconv.Itoa(i) +
			`","name":{"givenName":"Sync","familyName":"User ` + strconv.Itoa(i) + `"},"emails":[{"primary":true,"type":"work","value":"` + email + `"}],"active":true}`
		req := httptest.NewRequest(http.MethodPost, "/scim/v2/Users", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("user %d: status %d %s", i, rec.Code, rec.Body.String())
		}
	}
	elapsed := time.Since(started)
	t.Logf("initial sync of %d users: %.1f s, %.2f ms per POST /Users", n, elapsed.Seconds(), float64(elapsed.Microseconds())/1000/float64(n))
}
