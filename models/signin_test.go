package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// parallelSignIns runs n sign-ins at once, released together, and counts the outcomes.
func parallelSignIns(t *testing.T, n int, attempt func(i int) error) (bad, throttled int) {
	t.Helper()
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := attempt(i)
			var wait models.SignInThrottledError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, models.ErrBadCredentials):
				bad++
			case errors.As(err, &wait):
				throttled++
			default:
				t.Errorf("attempt %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return bad, throttled
}

func TestSignInThrottleUnderParallelAttack(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		t.Run("AtMostFivePasswordChecksForOneAddress", func(t *testing.T) {
			acc := modelstest.NewAccount(t, store)
			email := acc.Owner.EmailAddress()
			before := models.PasswordChecks()
			bad, throttled := parallelSignIns(t, 40, func(i int) error {
				_, _, err := store.SignIn(ctx, email, fmt.Sprintf("guess %d", i), fmt.Sprintf("198.51.100.%d", i+1), "")
				return err
			})
			checks := models.PasswordChecks() - before
			t.Logf("40 parallel wrong passwords: %d checked, %d throttled, %d password checks", bad, throttled, checks)
			if bad != 5 || throttled != 35 || checks != 5 {
				t.Fatalf("%d checked, %d throttled, %d password checks; want 5, 35 and 5", bad, throttled, checks)
			}
			// The right password is refused too until the window has passed.
			_, _, err := store.SignIn(ctx, email, modelstest.Password, "198.51.100.99", "")
			if !errors.Is(err, models.ErrThrottled) {
				t.Fatalf("right password after 5 failures: got %v, want ErrThrottled", err)
			}
		})
		t.Run("AtMostTwentyPasswordChecksFromOneClient", func(t *testing.T) {
			before := models.PasswordChecks()
			bad, throttled := parallelSignIns(t, 60, func(i int) error {
				_, _, err := store.SignIn(ctx, fmt.Sprintf("nobody-%d@unknown.example", i), "guess", "203.0.113.7", "")
				return err
			})
			if checks := models.PasswordChecks() - before; bad != 20 || throttled != 40 || checks != 20 {
				t.Fatalf("%d checked, %d throttled, %d password checks; want 20, 40 and 20", bad, throttled, checks)
			}
		})
		t.Run("WaitCountsFromTheAttemptThatMustLeaveTheWindow", func(t *testing.T) {
			acc := modelstest.NewAccount(t, store)
			defer func(now func() time.Time) { store.Now = now }(store.Now)
			start := time.Now().UTC()
			for i := 0; i < 5; i++ {
				store.Now = func() time.Time { return start.Add(time.Duration(i) * time.Minute) }
				if _, _, err := store.SignIn(ctx, acc.Owner.EmailAddress(), "wrong", "192.0.2.50", ""); !errors.Is(err, models.ErrBadCredentials) {
					t.Fatalf("failure %d: %v", i+1, err)
				}
			}
			// Three minutes after the first failure, it leaves the 15-minute window in 12.
			store.Now = func() time.Time { return start.Add(3 * time.Minute) }
			_, _, err := store.SignIn(ctx, acc.Owner.EmailAddress(), modelstest.Password, "192.0.2.51", "")
			var throttled models.SignInThrottledError
			if !errors.As(err, &throttled) || throttled.Wait != 12*time.Minute {
				t.Fatalf("got %v, want a wait of 12 minutes", err)
			}
			if got := throttled.Explain(); got != "Too many failed sign-ins. Try again in 12 minutes." {
				t.Fatalf("explained as %q", got)
			}
			store.Now = func() time.Time { return start.Add(15*time.Minute + time.Second) }
			if _, _, err := store.SignIn(ctx, acc.Owner.EmailAddress(), modelstest.Password, "192.0.2.52", ""); err != nil {
				t.Fatalf("once the first failure left the window: %v", err)
			}
		})
		t.Run("SuccessfulSignInsDoNotUseUpTheAllowance", func(t *testing.T) {
			acc := modelstest.NewAccount(t, store)
			for i := 0; i < 8; i++ {
				if _, _, err := store.SignIn(ctx, acc.Owner.EmailAddress(), modelstest.Password, "192.0.2.60", ""); err != nil {
					t.Fatalf("sign-in %d: %v", i+1, err)
				}
			}
			var left int64
			if err := store.DB().Model(&models.SignInFailure{}).Where("email = ?", acc.Owner.EmailAddress()).Count(&left).Error; err != nil {
				t.Fatal(err)
			}
			if left != 0 {
				t.Fatalf("%d attempts kept after successful sign-ins, want 0", left)
			}
		})
		t.Run("PasswordWorkBusyGivesTheAttemptBack", func(t *testing.T) {
			acc := modelstest.NewAccount(t, store)
			restore := models.LimitPasswordWork(0, 10*time.Millisecond)
			for i := 0; i < 7; i++ {
				_, _, err := store.SignIn(ctx, acc.Owner.EmailAddress(), "wrong", "192.0.2.70", "")
				var busy models.PasswordWorkBusyError
				if !errors.As(err, &busy) || !errors.Is(err, models.ErrBusy) || busy.RetryAfter() <= 0 {
					restore()
					t.Fatalf("no slot for the check: got %v, want PasswordWorkBusyError", err)
				}
			}
			if _, err := models.HashPassword("a new password"); !errors.Is(err, models.ErrBusy) {
				restore()
				t.Fatalf("hashing without a slot: got %v, want ErrBusy", err)
			}
			restore()
			// None of the unchecked attempts counted.
			if _, _, err := store.SignIn(ctx, acc.Owner.EmailAddress(), modelstest.Password, "192.0.2.70", ""); err != nil {
				t.Fatalf("after the busy spell: %v", err)
			}
		})
	})
}

// At most one password hash per slot runs at any moment, however many sign-ins arrive at once.
func TestPasswordWorkIsBounded(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		restore := models.LimitPasswordWork(2, 30*time.Second)
		defer restore()
		peak := models.TrackPasswordWork()
		bad, _ := parallelSignIns(t, 30, func(i int) error {
			_, _, err := store.SignIn(context.Background(), fmt.Sprintf("nobody-%d@bounded.example", i), "guess", fmt.Sprintf("192.0.2.%d", 100+i), "")
			return err
		})
		if got := peak(); bad != 30 || got > 2 || got < 1 {
			t.Fatalf("%d checked, at most %d hashes at once; want 30 and 2", bad, got)
		}
	})
}
