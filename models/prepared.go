package models

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// takePrepared reads the row of sql (with ? placeholders) into dest, a struct, or every row
// into a pointer to a slice, and reports whether there was any.
//
// Roster has PostgreSQL plan each statement for its actual parameters (see withCustomPlans),
// because a list's best plan depends on the account's size. A statement that finds its rows by
// primary key has one best plan for every parameter, and planning it again on each request
// costs many times its execution: the session lookup every request makes, a profile. On
// PostgreSQL those run as prepared statements, parsed and planned once per connection.
func (s *Store) takePrepared(ctx context.Context, dest any, sql string, args ...any) (bool, error) {
	db := s.read(ctx)
	if !s.IsPostgres() {
		result := db.Raw(sql, args...).Scan(dest)
		return result.RowsAffected > 0, result.Error
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return false, err
	}
	numbered := numberPlaceholders(sql)
	begin := time.Now()
	var found bool
	err = func() error {
		rows, err := sqlDB.QueryContext(ctx, numbered, append([]any{pgx.QueryExecModeCacheStatement}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			found = true
			if err := db.ScanRows(rows, dest); err != nil {
				return err
			}
		}
		return rows.Err()
	}()
	// Shown to the statement logger like any other statement, so tests count it.
	db.Logger.Trace(ctx, begin, func() (string, int64) {
		if found {
			return numbered, 1
		}
		return numbered, 0
	}, err)
	return found, err
}

// numberPlaceholders turns ? placeholders into PostgreSQL's $1, $2, …; the statements it is
// given hold no question marks in literals.
func numberPlaceholders(sql string) string {
	var b strings.Builder
	n := 0
	for {
		i := strings.IndexByte(sql, '?')
		if i < 0 {
			b.WriteString(sql)
			return b.String()
		}
		n++
		b.WriteString(sql[:i] + "$" + strconv.Itoa(n))
		sql = sql[i+1:]
	}
}
