package models

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The lock order. Every transaction that changes an account takes its row locks in this order,
// never the other way round, so two of them wait for each other instead of deadlocking:
//
//  1. the account row, FOR NO KEY UPDATE (lockAccount). change takes it before anything else, so
//     the changes of one account run one after another. That is what makes the rest safe even
//     where PostgreSQL picks the order itself: the triggers that keep the status, seat-holder and
//     ledger counters upsert their rows in whatever order a statement produces them, and foreign
//     keys take FOR KEY SHARE on plans and users whenever a ledger row, session or audit event
//     is written. Other accounts' changes never wait.
//  2. plans, in id order, FOR NO KEY UPDATE (claimSeats, ChangeSeatQuantity).
//  3. users, in id order, FOR NO KEY UPDATE (selectedUsers, activeOwnersRemain, …).
//  4. everything hanging off users: invitations, groups and their members, records and their
//     history, sessions, ledger and audit rows; the counters last, written by triggers.
//
// Only row locks that no key changes under are taken (NO KEY UPDATE rather than UPDATE): a
// foreign key check of another transaction (FOR KEY SHARE) then never waits for them.
//
// Outside the order, and so kept to one row and no further lock: a sign-in writes the user's
// last sign-in time and a new session, a request moves its session's last-seen time, and mail and
// webhook delivery claim outbox and delivery rows. None of them waits for a lock while holding one that a change
// of the account needs.
//
// Background work that changes people (due deletions, the dormancy policy) takes the account lock
// first too, and only then claims its rows with SKIP LOCKED.

// lockAccount is step 1 of the lock order.
func lockAccount(tx *gorm.DB, accountID int64) error {
	var account Account
	err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Select("id").Where("id = ?", accountID).Take(&account).Error
	return notFound(err)
}

// lockNoKeyUpdate adds FOR NO KEY UPDATE to a query whose rows the transaction is about to change
// without touching their keys.
func lockNoKeyUpdate(db *gorm.DB) *gorm.DB {
	return db.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
}

// change runs fn as the one transaction of a Store operation that changes the actor's account.
// It refuses "View as" here, in the domain, so no route can forget to; takes the account lock
// (step 1 of the lock order) before fn runs; and, like every transaction, is retried as a whole
// when PostgreSQL breaks a deadlock or a serialization conflict. fn must therefore start from
// scratch on every call: it may assign the caller's results but not add to them.
func (s *Store) change(ctx context.Context, actor *Actor, fn func(tx *gorm.DB) error) error {
	if err := actor.RefuseStateChange(); err != nil {
		return err
	}
	return s.changeAccount(ctx, actor.Account.ID, fn)
}

// changeAccount is change for work that no signed-in actor asks for (accepting an invitation,
// completing a reset, background jobs) or that must also run under "View as" (stopping it).
func (s *Store) changeAccount(ctx context.Context, accountID int64, fn func(tx *gorm.DB) error) error {
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		if err := lockAccount(tx, accountID); err != nil {
			return err
		}
		return fn(tx)
	})
	if err == nil {
		s.navCounts.forget(accountID)
	}
	return err
}

// Retrying a transaction that lost a deadlock or serialization conflict.
const (
	transactionAttempts = 5
	retryBaseDelay      = 5 * time.Millisecond
	retryMaxDelay       = 250 * time.Millisecond
)

// lockTimeout bounds how long one statement waits for a row lock: a change queued behind a bulk
// action that long answers "busy" rather than holding a request and a connection.
var lockTimeout = 10 * time.Second

// transaction runs fn in one database transaction that commits only when fn returns nil. A
// transaction that PostgreSQL aborted to break a deadlock or a serialization conflict is run
// again from the start, after a random pause that grows with each attempt; when it still fails
// the caller gets ErrBusy: nothing was changed and trying again later will work.
func (s *Store) transaction(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var err error
	for attempt := 0; attempt < transactionAttempts; attempt++ {
		if attempt > 0 {
			s.observe().TransactionRetried()
			if waitErr := sleepCtx(ctx, retryDelay(attempt)); waitErr != nil {
				return waitErr
			}
		}
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if s.IsPostgres() {
				if err := tx.Exec(fmt.Sprintf("SET LOCAL lock_timeout = %d", lockTimeout.Milliseconds())).Error; err != nil {
					return err
				}
			}
			return fn(tx)
		})
		if !retryable(err) {
			return busyIfOverloaded(err)
		}
	}
	return busyError{cause: err}
}

// retryDelay is a full-jitter exponential back-off: a random pause up to base·2^attempt.
func retryDelay(attempt int) time.Duration {
	ceiling := min(retryMaxDelay, retryBaseDelay<<attempt)
	return time.Duration(rand.Int64N(int64(ceiling))) + time.Millisecond
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// PostgreSQL error codes that say "try the whole transaction again".
const (
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgLockNotAvailable     = "55P03"
)

func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == pgSerializationFailure || pgErr.Code == pgDeadlockDetected
	}
	return false
}

// SQLite's "database is locked" codes, once its busy timeout has run out.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// busyIfOverloaded turns a lock wait that timed out into ErrBusy; other errors pass unchanged.
func busyIfOverloaded(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == pgLockNotAvailable {
		return busyError{cause: err}
	}
	var sqliteErr interface{ Code() int }
	if errors.As(err, &sqliteErr) && (sqliteErr.Code()&0xff == sqliteBusy || sqliteErr.Code()&0xff == sqliteLocked) {
		return busyError{cause: err}
	}
	return err
}

type busyError struct{ cause error }

func (e busyError) Error() string   { return "busy: " + e.cause.Error() }
func (e busyError) Is(t error) bool { return t == ErrBusy }
func (e busyError) Unwrap() error   { return e.cause }
