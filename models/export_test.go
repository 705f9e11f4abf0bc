package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// SetCountLimits lowers the filtered-count limits so that tests reach both counting paths with
// small accounts; it returns a function that restores them.
func SetCountLimits(scan int, filtered int64) (restore func()) {
	oldScan, oldFiltered := countScanLimit, FilteredCountLimit
	countScanLimit, FilteredCountLimit = scan, filtered
	return func() { countScanLimit, FilteredCountLimit = oldScan, oldFiltered }
}

// RunInTransactionForTest runs raw statements through the store's transaction, retries included.
func RunInTransactionForTest(ctx context.Context, s *Store, fn func(exec func(string, ...any) error) error) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		return fn(func(sql string, args ...any) error { return tx.Exec(sql, args...).Error })
	})
}

// SetLockTimeout shortens how long a change waits for a row lock; it returns the restore.
func SetLockTimeout(d time.Duration) (restore func()) {
	old := lockTimeout
	lockTimeout = d
	return func() { lockTimeout = old }
}

// PasswordChecks is how many passwords were compared since the process started.
func PasswordChecks() int64 { return passwordChecks.Load() }

// TrackPasswordWork starts measuring how many password hashes run at once; the function it
// returns reports the most seen since.
func TrackPasswordWork() (peak func() int64) {
	passwordWorkPeak.Store(passwordWorkRunning.Load())
	return passwordWorkPeak.Load
}

// TakePreparedForTest reads sql's rows as the statements of every page view are read.
func TakePreparedForTest(ctx context.Context, s *Store, dest any, sql string, args ...any) (bool, error) {
	return s.takePrepared(ctx, dest, sql, args...)
}
