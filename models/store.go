// Package models is Roster's domain: the rows, the rules that govern them and the operations that
// change them. Every exported Store method that changes state owns exactly one transaction.
package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"roster/migrations"
)

// Store is the gateway to the database for every domain operation.
type Store struct {
	db      *gorm.DB
	dialect migrations.Dialect
	// Now is the clock; tests replace it to move through time.
	Now func() time.Time
	// Metrics hears about retried transactions, background job passes and failed mail; nil
	// counts nothing. Set it before the Store is shared.
	Metrics Metrics
	// Webhooks configures outgoing webhooks (webhooks.go).
	Webhooks WebhookConfig
	// navCounts keeps the navigation's orphaned-work counts briefly (navcount.go).
	navCounts *navCounts
	// planned is PostgreSQL's second, smaller pool, for the statements that are planned once
	// per connection (prepared.go); nil on SQLite.
	planned *sql.DB
}

// DefaultMaxConns is how many connections to PostgreSQL one process opens at most unless
// MaxConns says otherwise. Every replica, and every other client, shares the server's
// max_connections (100 by default).
const DefaultMaxConns = 10

// Option changes how Open connects.
type Option func(*openOptions)

type openOptions struct{ maxConns int }

// MaxConns caps the connections to PostgreSQL this process keeps open; requests beyond it wait
// for a free one. SQLite files ignore it.
func MaxConns(n int) Option { return func(o *openOptions) { o.maxConns = n } }

// Open connects to databaseURL — a postgres:// URL, or a SQLite file path — applies pending
// migrations and returns a ready Store. Returns an error wrapping ErrBusy when PostgreSQL refuses
// the connection for now (too many clients, starting up, not listening).
func Open(ctx context.Context, databaseURL string, options ...Option) (*Store, error) {
	opts := openOptions{maxConns: DefaultMaxConns}
	for _, option := range options {
		option(&opts)
	}
	if opts.maxConns < 1 {
		return nil, fmt.Errorf("at most %d connections: need at least one", opts.maxConns)
	}
	db, dialect, err := connect(databaseURL, opts)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if _, err := migrations.Up(ctx, sqlDB, dialect); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	store := &Store{db: db, dialect: dialect, Now: func() time.Time { return time.Now().UTC() }, navCounts: newNavCounts()}
	if dialect == migrations.Postgres {
		if store.planned, err = connectPlanned(databaseURL, opts); err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
	}
	return store, nil
}

// IsPostgresURL tells whether databaseURL selects PostgreSQL rather than a SQLite file.
func IsPostgresURL(databaseURL string) bool {
	return strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://")
}

func connect(databaseURL string, opts openOptions) (*gorm.DB, migrations.Dialect, error) {
	config := &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	if IsPostgresURL(databaseURL) {
		pgConfig, err := pgx.ParseConfig(withCustomPlans(databaseURL))
		if err != nil {
			return nil, "", fmt.Errorf("read the PostgreSQL URL: %w", err)
		}
		sqlDB := sql.OpenDB(busyConnector{stdlib.GetConnector(*pgConfig)})
		sqlDB.SetMaxOpenConns(opts.maxConns)
		sqlDB.SetMaxIdleConns(opts.maxConns)
		// Connections idle for minutes go back to the server, for other replicas and clients.
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		db, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), config)
		if err != nil {
			_ = sqlDB.Close()
			return nil, "", fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		return db, migrations.Postgres, nil
	}
	db, err := gorm.Open(sqlite.Open(sqliteDSN(databaseURL)), config)
	if err != nil {
		return nil, "", fmt.Errorf("open SQLite file %s: %w", databaseURL, err)
	}
	return db, migrations.SQLite, nil
}

// plannedConns is the size of the pool for statements planned once per connection: a quarter
// of the main pool's, at least two. They are short reads that never wait on a lock.
func plannedConns(maxConns int) int { return max(2, maxConns/4) }

// connectPlanned opens the pool whose connections keep each statement prepared and run it on
// one generic plan (see takePrepared). PostgreSQL would otherwise keep planning a list statement
// for its parameters whenever plans for small accounts look cheaper than the generic one, though
// the generic plan is the same index walk.
func connectPlanned(databaseURL string, opts openOptions) (*sql.DB, error) {
	pgConfig, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("read the PostgreSQL URL: %w", err)
	}
	pgConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
	pgConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	planned := sql.OpenDB(busyConnector{stdlib.GetConnector(*pgConfig)})
	planned.SetMaxOpenConns(plannedConns(opts.maxConns))
	planned.SetMaxIdleConns(plannedConns(opts.maxConns))
	planned.SetConnMaxIdleTime(5 * time.Minute)
	return planned, nil
}

// withCustomPlans makes PostgreSQL plan each of Roster's statements for its actual parameters:
// pgx then sends unnamed statements instead of prepared ones. Accounts range from five users to
// a hundred thousand, and a generic plan made for "any account" reads the whole table where the
// right plan reads one index page. (plan_cache_mode=force_custom_plan would do the same but also
// re-plans the database's own foreign-key checks for every row of a bulk write.)
func withCustomPlans(databaseURL string) string {
	if strings.Contains(databaseURL, "default_query_exec_mode") {
		return databaseURL
	}
	separator := "?"
	if strings.Contains(databaseURL, "?") {
		separator = "&"
	}
	return databaseURL + separator + "default_query_exec_mode=exec"
}

// sqliteDSN turns a file path into a DSN that makes SQLite safe for a web server: WAL so readers
// never wait for the writer, a busy timeout instead of "database is locked", foreign keys on, and
// BEGIN IMMEDIATE so a transaction takes the write lock up front instead of failing on upgrade.
func sqliteDSN(path string) string {
	path = strings.TrimPrefix(path, "sqlite://")
	if strings.Contains(path, "?") {
		return path
	}
	params := url.Values{}
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", "synchronous(NORMAL)")
	params.Add("_txlock", "immediate")
	return path + "?" + params.Encode()
}

// Close releases the database connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if s.planned != nil {
		_ = s.planned.Close()
	}
	return sqlDB.Close()
}

// IsPostgres tells whether the store runs on PostgreSQL.
func (s *Store) IsPostgres() bool { return s.dialect == migrations.Postgres }

// DB is for tests and tooling that need raw access (benchmarks, query counting); domain code goes
// through Store methods.
func (s *Store) DB() *gorm.DB { return s.db }

// ConnectionPools are every pool of connections the store keeps: the main one, and on PostgreSQL
// the one for statements planned once per connection. For tests and tooling that watch or hold
// connections.
func (s *Store) ConnectionPools() ([]*sql.DB, error) {
	main, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	if s.planned == nil {
		return []*sql.DB{main}, nil
	}
	return []*sql.DB{main, s.planned}, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Store) read(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// notFound turns GORM's missing-row error into the domain's ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// WithQueryLogger returns a Store that reports every SQL statement to l, for tests that count
// queries and for debugging.
func (s *Store) WithQueryLogger(l logger.Interface) *Store {
	copied := *s
	copied.db = s.db.Session(&gorm.Session{Logger: l})
	return &copied
}

// idIn matches column against a list of IDs. PostgreSQL gets the list as one array parameter:
// a selection of thousands of users would otherwise bind, and parse, thousands of parameters.
func (s *Store) idIn(column string, ids []int64) clause.Expr {
	if s.IsPostgres() {
		return clause.Expr{SQL: column + " = ANY(CAST(? AS BIGINT[]))", Vars: []any{idArray(ids)}}
	}
	return clause.Expr{SQL: column + " IN ?", Vars: []any{ids}}
}

// idNotIn is idIn's complement.
func (s *Store) idNotIn(column string, ids []int64) clause.Expr {
	if s.IsPostgres() {
		return clause.Expr{SQL: "NOT (" + column + " = ANY(CAST(? AS BIGINT[])))", Vars: []any{idArray(ids)}}
	}
	return clause.Expr{SQL: column + " NOT IN ?", Vars: []any{ids}}
}

// idArray is a list of IDs sent as one PostgreSQL array literal; as a driver.Valuer it is not
// expanded into one parameter per element.
type idArray []int64

func (a idArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte('}')
	return b.String(), nil
}

// lockIf adds FOR UPDATE to a query that runs inside a transaction about to change the rows.
func lockIf(db *gorm.DB, lock bool) *gorm.DB {
	if lock {
		return db.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	return db
}
