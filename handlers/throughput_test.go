package handlers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// TestPageThroughput measures what issue-sized pages cost under concurrency, as a ratio to the
// cheapest request the same server answers: GET /healthz without a cookie (one database ping).
// Clients hammer one page at a time over real HTTP, pages interleaved in rounds, against the
// real router and PostgreSQL. Not part of the default suite:
//
//	ROSTER_THROUGHPUT_USERS=10000 ROSTER_TEST_DATABASE_URL=… go test -count=1 -run TestPageThroughput -v ./handlers/
//
// ROSTER_THROUGHPUT_CLIENTS (default 8) and ROSTER_THROUGHPUT_SECONDS (per page and round,
// default 2) tune it; ROSTER_THROUGHPUT_MIN_RATIO (e.g. 0.15) turns the report into a check.
func TestPageThroughput(t *testing.T) {
	users, _ := strconv.Atoi(os.Getenv("ROSTER_THROUGHPUT_USERS"))
	if users <= 0 {
		t.Skip("set ROSTER_THROUGHPUT_USERS to measure page throughput")
	}
	clients := envInt("ROSTER_THROUGHPUT_CLIENTS", 8)
	window := time.Duration(envInt("ROSTER_THROUGHPUT_SECONDS", 2)) * time.Second
	store := modelstest.Postgres(t)
	seeded := modelstest.BenchAccount(t, store, users)
	e, err := New(store, Config{SessionSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	// Collect garbage as the served process does.
	t.Cleanup(TuneGarbageCollector())
	_, token, err := store.SignIn(context.Background(), seeded.OwnerEmail, seeded.OwnerPassword, "127.0.0.1", "throughput")
	if err != nil {
		t.Fatal(err)
	}
	cookie := sessionCookie(t, e, token)
	var member models.User
	modelstest.Must(t, store.DB().Where("account_id = ? AND role = ? AND status = ?", seeded.Account.ID, models.RoleMember, models.StatusActive).
		Order("id").First(&member))

	type page struct {
		name, path string
		signedIn   bool
		fragment   bool
	}
	pages := []page{
		{"healthz (no cookie)", "/healthz", false, false},
		{"healthz (signed in)", "/healthz", true, false},
		{"active tab", "/settings/users", true, false},
		{"search common surname", "/settings/users?q=hansen", true, false},
		{"profile", "/settings/users/" + strconv.FormatInt(member.ID, 10), true, false},
		{"own page /me", "/me", true, false},
		{"tab switch fragment", "/settings/users?tab=inactive", true, true},
	}
	transport := &http.Transport{MaxIdleConnsPerHost: clients * 2}
	client := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	run := func(p page) (int64, int64) {
		var done, bytes atomic.Int64
		deadline := time.Now().Add(window)
		var wg sync.WaitGroup
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					req, _ := http.NewRequest(http.MethodGet, srv.URL+p.path, nil)
					if p.signedIn {
						req.AddCookie(cookie)
					}
					if p.fragment {
						req.Header.Set("HX-Request", "true")
					}
					res, err := client.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					n, _ := io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						t.Errorf("%s: status %d", p.path, res.StatusCode)
						return
					}
					done.Add(1)
					bytes.Store(n)
				}
			}()
		}
		wg.Wait()
		return done.Load(), bytes.Load()
	}
	const rounds = 3
	counts := make([]int64, len(pages))
	sizes := make([]int64, len(pages))
	for range rounds {
		for i, p := range pages {
			n, size := run(p)
			counts[i] += n
			sizes[i] = size
		}
	}
	seconds := window.Seconds() * rounds
	base := float64(counts[0]) / seconds
	var table strings.Builder
	fmt.Fprintf(&table, "\n%d users, %d clients, %d rounds of %v per page\n", users, clients, rounds, window)
	fmt.Fprintf(&table, "| request | requests/s | ratio to /healthz | HTML bytes |\n| --- | --- | --- | --- |\n")
	minRatio, _ := strconv.ParseFloat(os.Getenv("ROSTER_THROUGHPUT_MIN_RATIO"), 64)
	for i, p := range pages {
		rate := float64(counts[i]) / seconds
		fmt.Fprintf(&table, "| %s | %.0f | %.1f %% | %d |\n", p.name, rate, 100*rate/base, sizes[i])
		if minRatio > 0 && i >= 2 && rate/base < minRatio {
			t.Errorf("%s: %.1f %% of /healthz, want at least %.0f %%", p.name, 100*rate/base, 100*minRatio)
		}
	}
	t.Log(table.String())
}

func envInt(name string, fallback int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return fallback
}
