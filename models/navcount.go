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
type navCounts struct {
	mu      sync.Mutex
	counted map[int64]navCount
}

type navCount struct {
	n  int64
	at time.Time
}

func newNavCounts() *navCounts { return &navCounts{counted: map[int64]navCount{}} }

func (c *navCounts) get(accountID int64, now time.Time) (int64, bool) {
	if c == nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.counted[accountID]
	if !ok || now.Sub(e.at) >= navCountTTL || now.Before(e.at) {
		return 0, false
	}
	return e.n, true
}

func (c *navCounts) put(accountID, n int64, now time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counted[accountID] = navCount{n: n, at: now}
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
}
