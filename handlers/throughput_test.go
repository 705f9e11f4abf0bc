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
// real router and PostgreSQL. Two more rows run a list page's own statements (knowing who asks,
// the rows, the counts) straight through the Store, with neither HTTP nor rendering: the floor
// that page's rate is measured against. Not part of the default suite:
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
		// direct, when set, is run instead of a request: the page's own reads without HTTP or
		// rendering, the floor a page cannot go below.
		direct func(context.Context) error
	}
	ctx := context.Background()
	listFloor := func(q models.UserListQuery) func(context.Context) error {
		return func(ctx context.Context) error {
			actor, err := store.Authenticate(ctx, token)
			if err != nil {
				return err
			}
			_, err = store.ListUsers(ctx, actor, q)
			return err
		}
	}
	pages := []page{
		{"healthz (no cookie)", "/healthz", false, false, nil},
		{"healthz (signed in)", "/healthz", true, false, nil},
		{"active tab", "/settings/users", true, false, nil},
		{"search common surname", "/settings/users?q=hansen", true, false, nil},
		{"profile", "/settings/users/" + strconv.FormatInt(member.ID, 10), true, false, nil},
		{"own page /me", "/me", true, false, nil},
		{"tab switch fragment", "/settings/users?tab=inactive", true, true, nil},
		{"floor: active tab's statements alone", "", true, false, listFloor(models.UserListQuery{Status: models.StatusActive, WithChoices: true})},
		{"floor: search's statements alone", "", true, false, listFloor(models.UserListQuery{Status: models.StatusActive, Search: "hansen", WithChoices: true})},
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
					if p.direct != nil {
						if err := p.direct(ctx); err != nil {
							t.Error(err)
							return
						}
						done.Add(1)
						continue
					}
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
		if minRatio > 0 && i >= 2 && p.direct == nil && rate/base < minRatio {
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
