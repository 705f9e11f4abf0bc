// Package modelstest gives tests fresh databases: a SQLite file always, and a PostgreSQL database
// of its own when ROSTER_TEST_DATABASE_URL names a server. Each package run makes and drops its
// own databases, so packages run in parallel and nothing leaks between runs; a run that was
// killed before it could drop its database has it dropped by a later run.
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
	"strconv"
	"strings"
	"testing"
	"time"

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
	var cleanups []func()
	cleanup := func() {
		for _, c := range cleanups {
			c()
		}
	}
	dir, err := os.MkdirTemp("", "roster-test-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	sqliteStore, err := models.Open(ctx, filepath.Join(dir, "roster.db"))
	if err != nil {
		cleanup()
		return nil, err
	}
	databases = []Database{{Name: "sqlite", Store: sqliteStore}}
	cleanups = append([]func(){func() { sqliteStore.Close() }}, cleanups...)
	if serverURL := os.Getenv(PostgresEnv); serverURL != "" {
		store, dbURL, drop, err := createPostgres(ctx, serverURL)
		if err != nil {
			cleanup()
			return nil, err
		}
		databases = append(databases, Database{Name: "postgres", Store: store})
		postgresURL = dbURL
		cleanups = append(cleanups, drop)
	}
	return cleanup, nil
}

// postgresURL is the package's PostgreSQL database, for tests that connect to it themselves.
var postgresURL string

// testDatabasePrefix starts the name of every database tests create; the Unix time of its
// creation follows, so that a later run can tell a leftover from a database in use.
const testDatabasePrefix = "roster_test_"

// staleAfter is when a test database is surely left over from a run that was killed (a package
// timeout, an interrupt): no package runs for this long.
const staleAfter = 6 * time.Hour

func createPostgres(ctx context.Context, serverURL string) (*models.Store, string, func(), error) {
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return nil, "", nil, err
	}
	dropStale(ctx, admin, time.Now())
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := testDatabasePrefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + hex.EncodeToString(suffix)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() {
		_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		drop()
		return nil, "", nil, err
	}
	u.Path = "/" + name
	store, err := models.Open(ctx, u.String())
	if err != nil {
		drop()
		return nil, "", nil, err
	}
	return store, u.String(), func() { store.Close(); drop() }, nil
}

// dropStale drops test databases that earlier runs created more than staleAfter ago and never
// dropped. Databases named before names carried their creation time are dropped only when nobody
// is connected (a plain DROP DATABASE refuses otherwise), since their age is unknown.
func dropStale(ctx context.Context, admin *sql.DB, now time.Time) {
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'roster\_test\_%'`)
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) == nil {
			names = append(names, name)
		}
	}
	rows.Close()
	for _, name := range names {
		created, known := createdAt(name)
		switch {
		case known && now.Sub(created) > staleAfter:
			_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)")
		case !known:
			_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name))
		}
	}
}

// createdAt reads the creation time from a test database's name.
func createdAt(name string) (time.Time, bool) {
	stamp, _, ok := strings.Cut(strings.TrimPrefix(name, testDatabasePrefix), "_")
	if !ok {
		return time.Time{}, false
	}
	seconds, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(seconds, 0), true
}

func quoteIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

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

// PostgresURL returns the URL of the package's PostgreSQL database, for tests that connect to it
// with settings of their own; it skips or fails like Postgres without a server.
func PostgresURL(t testing.TB) string {
	t.Helper()
	Postgres(t)
	return postgresURL
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
