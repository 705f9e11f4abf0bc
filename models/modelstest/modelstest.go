// Package modelstest gives tests fresh databases: a SQLite file always, and a PostgreSQL database
// of its own when ROSTER_TEST_DATABASE_URL names a server. Each package run makes and drops its
// own databases, so packages run in parallel and nothing leaks between runs.
package modelstest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to create and drop test databases

	"roster/models"
)

// PostgresEnv names the PostgreSQL server tests may create databases on.
const PostgresEnv = "ROSTER_TEST_DATABASE_URL"

// Database is one database the package's tests run against.
type Database struct {
	Name  string
	Store *models.Store
}

var databases []Database

// Main opens the package's databases, runs its tests and drops the databases again. Call it from
// TestMain: os.Exit(modelstest.Main(m)).
func Main(m *testing.M) int {
	cleanup, err := open()
	if err != nil {
		fmt.Fprintln(os.Stderr, "test databases:", err)
		return 1
	}
	code := m.Run()
	cleanup()
	return code
}

func open() (func(), error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "roster-test-")
	if err != nil {
		return nil, err
	}
	sqliteStore, err := models.Open(ctx, filepath.Join(dir, "roster.db"))
	if err != nil {
		return nil, err
	}
	databases = []Database{{Name: "sqlite", Store: sqliteStore}}
	cleanups := []func(){func() { sqliteStore.Close(); os.RemoveAll(dir) }}
	if serverURL := os.Getenv(PostgresEnv); serverURL != "" {
		store, drop, err := createPostgres(ctx, serverURL)
		if err != nil {
			return nil, err
		}
		databases = append(databases, Database{Name: "postgres", Store: store})
		cleanups = append(cleanups, drop)
	}
	return func() {
		for _, c := range cleanups {
			c()
		}
	}, nil
}

func createPostgres(ctx context.Context, serverURL string) (*models.Store, func(), error) {
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return nil, nil, err
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "roster_test_" + hex.EncodeToString(suffix)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		admin.Close()
		return nil, nil, err
	}
	u.Path = "/" + name
	store, err := models.Open(ctx, u.String())
	if err != nil {
		admin.Close()
		return nil, nil, err
	}
	return store, func() {
		store.Close()
		_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}, nil
}

// Each runs fn once per database as a subtest named after it.
func Each(t *testing.T, fn func(t *testing.T, store *models.Store)) {
	t.Helper()
	if len(databases) == 0 {
		t.Fatal("modelstest.Main did not run: call it from TestMain")
	}
	for _, db := range databases {
		t.Run(db.Name, func(t *testing.T) { fn(t, db.Store) })
	}
}

// Postgres returns the PostgreSQL store, for what only a real server shows, such as row locks
// under concurrency. Without one configured the test skips, except in CI (CI=true), which always
// provides a server, so a missing one there is a failure rather than silently dropped tests.
func Postgres(t testing.TB) *models.Store {
	t.Helper()
	for _, db := range databases {
		if db.Name == "postgres" {
			return db.Store
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no PostgreSQL in CI: set " + PostgresEnv + " to run this test against PostgreSQL")
	}
	t.Skip("set " + PostgresEnv + " to run this test against PostgreSQL")
	return nil
}
