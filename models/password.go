package models

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"
)

// passwordParams are OWASP's recommended argon2id settings (19 MiB, 2 iterations, 1 lane).
var passwordParams = &argon2id.Params{
	Memory:      19 * 1024,
	Iterations:  2,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// MinPasswordLength follows NIST SP 800-63B for memorised secrets.
const MinPasswordLength = 12

// passwordWork bounds how many argon2id computations run at once, hashing and checking alike.
// Each one holds 19 MiB and a whole core for its duration, so running more than the machine has
// cores only adds memory: a hundred at once took the process past 2 GB. Whoever finds every slot
// taken waits a few seconds, then gets PasswordWorkBusyError.
var passwordWork atomic.Pointer[workPool]

func init() { passwordWork.Store(newWorkPool(runtime.NumCPU(), 5*time.Second)) }

type workPool struct {
	slots   chan struct{}
	wait    time.Duration
	waiting atomic.Int64
}

func newWorkPool(slots int, wait time.Duration) *workPool {
	return &workPool{slots: make(chan struct{}, max(slots, 0)), wait: wait}
}

// run runs fn in a free slot, waiting at most the pool's wait for one. Returns
// PasswordWorkBusyError when none came free, or the context's error when it ended first.
func (p *workPool) run(ctx context.Context, fn func()) error {
	timer := time.NewTimer(p.wait)
	defer timer.Stop()
	p.waiting.Add(1)
	select {
	case p.slots <- struct{}{}:
		p.waiting.Add(-1)
	case <-timer.C:
		p.waiting.Add(-1)
		return PasswordWorkBusyError{Wait: passwordBusyRetryAfter}
	case <-ctx.Done():
		p.waiting.Add(-1)
		return ctx.Err()
	}
	defer func() { <-p.slots }()
	running := passwordWorkRunning.Add(1)
	defer passwordWorkRunning.Add(-1)
	for peak := passwordWorkPeak.Load(); running > peak; peak = passwordWorkPeak.Load() {
		if passwordWorkPeak.CompareAndSwap(peak, running) {
			break
		}
	}
	fn()
	if p.waiting.Load() > 0 {
		// Under a flood, collect this hash's 19 MiB before the next one starts: left to the
		// pacer, the garbage of finished hashes doubles the heap (a few milliseconds against
		// the tens a hash takes, and only while others wait).
		runtime.GC()
	}
	return nil
}

// passwordWorkRunning is how many hashes run at this moment, and passwordWorkPeak the most that
// ever ran at once, for tests that prove the bound.
var passwordWorkRunning, passwordWorkPeak atomic.Int64

// passwordBusyRetryAfter is what a person is asked to wait when every slot stayed taken.
const passwordBusyRetryAfter = 5 * time.Second

// LimitPasswordWork sets how many password hashes may be computed at once and how long one waits
// for a free slot, and returns a function that restores the previous limits. The default is one
// slot per CPU and a 5-second wait; tests use it to reach the busy path.
func LimitPasswordWork(slots int, wait time.Duration) (restore func()) {
	previous := passwordWork.Swap(newWorkPool(slots, wait))
	return func() { passwordWork.Store(previous) }
}

// HashPassword returns an encoded argon2id hash of password, computed in a slot of the bounded
// pool. Returns PasswordWorkBusyError when no slot came free in time.
func HashPassword(password string) (string, error) {
	return hashPassword(context.Background(), password)
}

func hashPassword(ctx context.Context, password string) (hash string, err error) {
	runErr := passwordWork.Load().run(ctx, func() { hash, err = argon2id.CreateHash(password, passwordParams) })
	if runErr != nil {
		return "", runErr
	}
	return hash, err
}

// dummyPasswordHash is compared against when no user matches, so that a sign-in for an unknown
// address takes as long as one for a known address. It is made once, before any request, without
// waiting for the pool.
var dummyPasswordHash, _ = argon2id.CreateHash("no user has this password", passwordParams)

// passwordChecks counts the passwords compared since the process started, for tests that prove
// the sign-in throttle bounds them.
var passwordChecks atomic.Int64

// passwordMatches tells whether password matches hash, comparing against the dummy hash when
// hash is empty, in a slot of the bounded pool. Returns PasswordWorkBusyError when no slot came
// free in time; a malformed hash simply does not match.
func passwordMatches(ctx context.Context, password, hash string) (bool, error) {
	if hash == "" {
		hash = dummyPasswordHash
	}
	var ok bool
	err := passwordWork.Load().run(ctx, func() {
		passwordChecks.Add(1)
		matched, err := argon2id.ComparePasswordAndHash(password, hash)
		ok = err == nil && matched
	})
	return ok, err
}
