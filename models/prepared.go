package models

import (
	"context"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// takePrepared reads the row of sql (with ? placeholders) into dest, a struct, or every row
// into a pointer to a slice, and reports whether there was any.
//
// Roster has PostgreSQL plan most statements for their actual parameters (see withCustomPlans),
// because a search's best plan depends on the account's size and the words. A statement whose
// best plan is the same for every parameter — a row by primary key, a tab walked along its
// index — costs many times its execution to plan again on each request: the session lookup
// every request makes, a profile, a page of a list. On PostgreSQL those run on the planned pool,
// prepared once per connection and executed on their generic plan.
func (s *Store) takePrepared(ctx context.Context, dest any, sql string, args ...any) (bool, error) {
	if !s.IsPostgres() {
		result := s.read(ctx).Raw(sql, args...).Scan(dest)
		return result.RowsAffected > 0, result.Error
	}
	return s.runPrepared(ctx, dest, numberPlaceholders(sql), args)
}

// scanPrepared runs query, a statement built with GORM but not yet run, as takePrepared runs
// its SQL, and reads every row into dest, a pointer to a slice.
func (s *Store) scanPrepared(ctx context.Context, dest any, query *gorm.DB) error {
	if !s.IsPostgres() {
		return query.Scan(dest).Error
	}
	// Building is not running: the statement logger hears of it once, when it runs.
	built := query.Session(&gorm.Session{DryRun: true, Logger: logger.Discard}).Find(dest)
	if built.Error != nil {
		return built.Error
	}
	_, err := s.runPrepared(ctx, dest, built.Statement.SQL.String(), built.Statement.Vars)
	return err
}

// runPrepared runs sql, numbered for PostgreSQL, on the planned pool.
func (s *Store) runPrepared(ctx context.Context, dest any, sql string, args []any) (bool, error) {
	db := s.read(ctx)
	begin := time.Now()
	var found bool
	err := func() error {
		rows, err := s.planned.QueryContext(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			found = true
			if err := scanRows(rows, dest); err != nil {
				return err
			}
		}
		return rows.Err()
	}()
	// Shown to the statement logger like any other statement, so tests count it.
	db.Logger.Trace(ctx, begin, func() (string, int64) {
		if found {
			return sql, 1
		}
		return sql, 0
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
