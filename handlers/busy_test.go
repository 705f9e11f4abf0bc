package handlers

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// TestBusyDatabaseAnswers503 runs the console as a PostgreSQL role allowed one connection, with a
// pool that would open two, and takes that one connection away: PostgreSQL then refuses every new
// connection with "too many connections" (SQLSTATE 53300), as it does to a fleet of replicas past
// max_connections. Pages must answer 503 with Retry-After and say Roster is busy, not fail with
// 500, and work again once a connection is free.
func TestBusyDatabaseAnswers503(t *testing.T) {
	dbURL := modelstest.PostgresURL(t)
	admin := modelstest.Postgres(t)
	ctx := context.Background()
	acc := modelstest.NewAccount(t, admin)

	suffix := make([]byte, 5)
	_, _ = rand.Read(suffix)
	role := "roster_busy_" + hex.EncodeToString(suffix)
	var owner string
	modelstest.Must(t, admin.DB().Raw("SELECT current_user").Scan(&owner))
	// Membership in the tables' owner gives the role their privileges; unlike a superuser, it is
	// held to its connection limit.
	// Two connections: one for each of the store's pools.
	modelstest.Must(t, admin.DB().Exec(`CREATE ROLE `+role+` LOGIN CONNECTION LIMIT 2 IN ROLE "`+owner+`"`))
	t.Cleanup(func() { admin.DB().Exec("DROP ROLE IF EXISTS " + role) })

	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	store, err := models.Open(ctx, u.String(), models.MaxConns(2))
	if err != nil {
		t.Fatalf("open as %s: %v", role, err)
	}
	t.Cleanup(func() { store.Close() })
	app := newTestApp(t, store)
	b := app.newBrowser(t)
	b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
	if res := b.get("/settings/users"); res.status != http.StatusOK {
		t.Fatalf("user list before the limit: status %d", res.status)
	}

	// Hold the role's connections, so the next request needs one more.
	pools, err := store.ConnectionPools()
	if err != nil {
		t.Fatal(err)
	}
	var held []*sql.Conn
	for _, pool := range pools {
		conn, err := pool.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
	}
	for _, path := range []string{"/settings/users", "/login"} {
		res := b.get(path)
		if res.status != http.StatusServiceUnavailable {
			t.Fatalf("GET %s with no connection to be had: status %d, want 503\n%.500s", path, res.status, res.body)
		}
		if got := res.header.Get("Retry-After"); got != busyRetrySeconds {
			t.Errorf("GET %s: Retry-After %q, want %q", path, got, busyRetrySeconds)
		}
		if title := strings.TrimSpace(res.doc(t).Find(`[data-testid="error-title"]`).Text()); title != "Roster is busy" {
			t.Errorf("GET %s: the page says %q, want \"Roster is busy\"", path, title)
		}
	}
	if res := b.get("/healthz"); res.status != http.StatusServiceUnavailable {
		t.Errorf("/healthz with no connection to be had: status %d, want 503", res.status)
	}

	for _, conn := range held {
		conn.Close()
	}
	if res := b.get("/settings/users"); res.status != http.StatusOK {
		t.Fatalf("user list once a connection is free again: status %d", res.status)
	}
}
