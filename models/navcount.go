package models

import (
	"sync"
	"time"
)

// navCountTTL is how long a server shows the same orphaned-work count in the navigation. The
// count is a hint beside a link, not a permission: counting an account of 100,000 people on
// every page an admin opens would cost more than the page itself, so each server counts at most
// this often per account, and at once after a change it made to that account.
const navCountTTL = 30 * time.Second

// navCounts remembers each account's orphaned-work count as the account's unrestricted admins
// see it. Group administrators and managers, whose counts depend on whom they reach, are always
// counted afresh: their share of the account is small.
//
// One request at a time counts an account; the others meanwhile show the count it replaces, or
// wait for it when there is none. Under load every page of an account would otherwise count
// at the same moment each time the count expired: eight parallel counts of 100,000 people, every
// 30 seconds, halved the list page's throughput.
type navCounts struct {
	mu      sync.Mutex
	counted map[int64]navCount
	// counting is the count under way per account; forgotten counts changes since it began.
	counting  map[int64]*navCounting
	forgotten map[int64]uint64
}

type navCount struct {
	n  int64
	at time.Time
}

type navCounting struct {
	done      chan struct{}
	n         int64
	err       error
	forgotten uint64
}

func newNavCounts() *navCounts {
	return &navCounts{counted: map[int64]navCount{}, counting: map[int64]*navCounting{}, forgotten: map[int64]uint64{}}
}

// count returns the account's count as of at most navCountTTL ago, counting with fn when it is
// older, once however many ask.
func (c *navCounts) count(accountID int64, now time.Time, fn func() (int64, error)) (int64, error) {
	if c == nil {
		return fn()
	}
	c.mu.Lock()
	kept, ok := c.counted[accountID]
	if ok && now.Sub(kept.at) < navCountTTL && !now.Before(kept.at) {
		c.mu.Unlock()
		return kept.n, nil
	}
	if running := c.counting[accountID]; running != nil {
		c.mu.Unlock()
		if ok {
			return kept.n, nil
		}
		<-running.done
		return running.n, running.err
	}
	mine := &navCounting{done: make(chan struct{}), forgotten: c.forgotten[accountID]}
	c.counting[accountID] = mine
	c.mu.Unlock()

	mine.n, mine.err = fn()
	c.mu.Lock()
	delete(c.counting, accountID)
	// A change committed while counting may not be in the count: keep it only if there was none.
	if mine.err == nil && c.forgotten[accountID] == mine.forgotten {
		c.counted[accountID] = navCount{n: mine.n, at: now}
	}
	c.mu.Unlock()
	close(mine.done)
	return mine.n, mine.err
}

// forget drops an account's count after this server changed something in it, so that the admin
// who just handed work on sees the new number.
func (c *navCounts) forget(accountID int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.counted, accountID)
	c.forgotten[accountID]++
}
