package modelstest

import (
	"testing"

	"gorm.io/gorm"
)

// Must fails the test at once when a query or write failed, and returns it otherwise, so a
// broken setup or check cannot pass for an empty or unchanged result.
func Must(t testing.TB, tx *gorm.DB) *gorm.DB {
	t.Helper()
	if tx.Error != nil {
		t.Fatalf("query: %v", tx.Error)
	}
	return tx
}

// Count runs q.Count and fails the test when it errors, so a zero is a real zero.
func Count(t testing.TB, q *gorm.DB) int64 {
	t.Helper()
	var n int64
	Must(t, q.Count(&n))
	return n
}
