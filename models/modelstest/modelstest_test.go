package modelstest

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestDropStaleDatabases: a database a killed run left behind is dropped by a later run, and one
// a running package uses is not.
func TestDropStaleDatabases(t *testing.T) {
	serverURL := os.Getenv(PostgresEnv)
	if serverURL == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no PostgreSQL in CI: set " + PostgresEnv)
		}
		t.Skip("set " + PostgresEnv + " to run this test against PostgreSQL")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	now := time.Now()
	name := func(created time.Time) string {
		return testDatabasePrefix + strconv.FormatInt(created.Unix(), 10) + "_" + unique()
	}
	leftover, inUse := name(now.Add(-staleAfter-time.Hour)), name(now.Add(-time.Minute))
	for _, db := range []string{leftover, inUse} {
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+db); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") })
	}

	dropStale(ctx, admin, now)
	exists := func(db string) bool {
		var n int
		if err := admin.QueryRowContext(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", db).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	if exists(leftover) {
		t.Errorf("%s, created %s ago, was not dropped", leftover, staleAfter+time.Hour)
	}
	if !exists(inUse) {
		t.Errorf("%s, created a minute ago, was dropped", inUse)
	}
}

func TestCreatedAt(t *testing.T) {
	if at, ok := createdAt("roster_test_1764650000_0a1b2c3d4e5f"); !ok || at.Unix() != 1764650000 {
		t.Errorf("createdAt = %v, %v", at, ok)
	}
	for _, legacy := range []string{"roster_test_0a1b2c3d4e5f", "roster_test_x_y"} {
		if _, ok := createdAt(legacy); ok {
			t.Errorf("createdAt(%q) claims to know when it was created", legacy)
		}
	}
}
