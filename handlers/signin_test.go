package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// When no password-hashing slot comes free in time, sign-in answers 503 with Retry-After and a
// page that says so, instead of queueing without bound.
func TestSignInWhenPasswordWorkIsBusy(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		b := app.newBrowser(t)
		token := b.csrf("/login")
		restore := models.LimitPasswordWork(0, 10*time.Millisecond)
		res := b.post("/login", url.Values{"_csrf": {token}, "email": {acc.Owner.EmailAddress()}, "password": {modelstest.Password}})
		restore()
		if res.status != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503", res.status)
		}
		if after, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || after < 1 || after > 60 {
			t.Fatalf("Retry-After %q, want a few seconds", res.header.Get("Retry-After"))
		}
		if text := res.doc(t).Find("main").Text(); !strings.Contains(text, "Try again in 5 seconds") {
			t.Fatalf("page %q does not say when to try again", text)
		}
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
	})
}

// A hundred sign-ins at once for unknown addresses, from a hundred clients, each costing an
// argon2id hash of 19 MiB: the bounded pool keeps the process far from the 2 GB an unbounded one
// reached.
func TestParallelSignInsStayWithinMemory(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		e, err := New(store, Config{SessionSecret: testSecret, TrustProxyHeaders: true})
		if err != nil {
			t.Fatal(err)
		}
		app := &testApp{echo: e, store: store}
		app.Server = newServer(t, e)
		const n = 100
		browsers, tokens := make([]*browser, n), make([]string, n)
		for i := range browsers {
			browsers[i] = app.newBrowser(t)
			tokens[i] = browsers[i].csrf("/login")
		}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := sampleHeap()
		var wg sync.WaitGroup
		statuses := make([]int, n)
		for i := range browsers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				form := url.Values{"_csrf": {tokens[i]}, "email": {fmt.Sprintf("nobody-%d@memory.example", i)}, "password": {"a guess"}}
				req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, app.URL+"/login", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.18.%d.%d", i/250, i%250+1))
				statuses[i] = browsers[i].do(req).status
			}()
		}
		wg.Wait()
		heap := stop()
		for i, status := range statuses {
			if status != http.StatusUnauthorized && status != http.StatusServiceUnavailable {
				t.Errorf("sign-in %d: status %d, want 401 (or 503 when the machine is very slow)", i, status)
			}
		}
		rss := peakRSS()
		t.Logf("100 parallel sign-ins: peak heap %.1f MB (%.1f MB before), peak RSS of the test process %s",
			float64(heap)/(1<<20), float64(before.HeapInuse)/(1<<20), rss)
		if heap > 150<<20 {
			t.Fatalf("peak heap %.1f MB, want under 150 MB", float64(heap)/(1<<20))
		}
	})
}

// sampleHeap records the heap in use every few milliseconds until stop is called, which returns
// the highest value seen.
func sampleHeap() (stop func() uint64) {
	var (
		highest uint64
		done    = make(chan struct{})
		stopped = make(chan struct{})
	)
	go func() {
		defer close(stopped)
		ticker := time.NewTicker(2 * time.Millisecond)
		defer ticker.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			highest = max(highest, m.HeapInuse)
			select {
			case <-done:
				return
			case <-ticker.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		return highest
	}
}

// peakRSS is the test process's peak resident memory as Linux reports it, for the log.
func peakRSS() string {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(status), "\n") {
		if value, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}
