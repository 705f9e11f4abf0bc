// Package migrations holds the versioned schema of each supported database, embedded in the binary
// and applied at start-up with goose.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Dialect names a database family with its own migration folder.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Up applies every migration of the dialect that the database has not seen yet and reports how
// many it applied.
func Up(ctx context.Context, db *sql.DB, dialect Dialect) (int, error) {
	provider, err := newProvider(db, dialect)
	if err != nil {
		return 0, err
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("apply %s migrations: %w", dialect, err)
	}
	return len(results), nil
}

func newProvider(db *sql.DB, dialect Dialect) (*goose.Provider, error) {
	dir, err := fs.Sub(files, string(dialect))
	if err != nil {
		return nil, err
	}
	gooseDialect := goose.DialectPostgres
	if dialect == SQLite {
		gooseDialect = goose.DialectSQLite3
	}
	return goose.NewProvider(gooseDialect, db, dir)
}
