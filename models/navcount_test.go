package models

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// However many pages ask at once, an account is counted once; while it is, they show the count
// it replaces, and with none yet they wait for it.
func TestNavigationCountIsCountedOnceAtATime(t *testing.T) {
	c := newNavCounts()
	start := time.Now()
	var counted atomic.Int32
	release := make(chan struct{})
	slowCount := func(n int64) func() (int64, error) {
		return func() (int64, error) {
			counted.Add(1)
			<-release
			return n, nil
		}
	}

	var wg sync.WaitGroup
	results := make([]int64, 8)
	for i := range results {
		wg.Go(func() {
			n, err := c.count(1, start, slowCount(7))
			if err != nil {
				t.Error(err)
			}
			results[i] = n
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if counted.Load() != 1 {
		t.Fatalf("counted %d times at once, want once", counted.Load())
	}
	for _, n := range results {
		if n != 7 {
			t.Fatalf("a waiting page got %d, want 7", n)
		}
	}

	// Expired: one page recounts, the others show 7 meanwhile.
	later := start.Add(navCountTTL)
	counted.Store(0)
	release = make(chan struct{})
	recounted := make(chan int64)
	go func() {
		n, _ := c.count(1, later, slowCount(9))
		recounted <- n
	}()
	for counted.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if n, _ := c.count(1, later, slowCount(99)); n != 7 {
		t.Errorf("during the recount a page shows %d, want the earlier 7", n)
	}
	close(release)
	if n := <-recounted; n != 9 {
		t.Errorf("the recount gave %d", n)
	}
	if n, _ := c.count(1, later, slowCount(99)); n != 9 || counted.Load() != 1 {
		t.Errorf("after the recount: %d (counted %d times)", n, counted.Load())
	}
}

// A change while counting may be missing from the count, so that count is not kept.
func TestNavigationCountStartedBeforeAChangeIsNotKept(t *testing.T) {
	c := newNavCounts()
	now := time.Now()
	n, _ := c.count(1, now, func() (int64, error) {
		c.forget(1)
		return 3, nil
	})
	if n != 3 {
		t.Fatalf("got %d", n)
	}
	if n, _ := c.count(1, now, func() (int64, error) { return 4, nil }); n != 4 {
		t.Errorf("the count from before the change was kept: %d", n)
	}
	if n, _ := c.count(1, now, func() (int64, error) { return 5, nil }); n != 4 {
		t.Errorf("a fresh count was not kept: %d", n)
	}
}
