package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// BenchmarkUserListPage measures the server side of Settings > User Management, from request to
// rendered HTML, on an account of 100,000 users in PostgreSQL (ROSTER_BENCH_USERS changes the size).
func BenchmarkUserListPage(b *testing.B) {
	store, seeded, e := benchConsole(b)
	cookie := benchSession(b, store, e, seeded.OwnerEmail, seeded.OwnerPassword)
	var planID, groupID int64
	if err := store.DB().Model(&models.Plan{}).Select("id").Where("account_id = ?", seeded.Account.ID).Order("id").Limit(1).Scan(&planID).Error; err != nil || planID == 0 {
		b.Fatalf("no plan to filter by: %v", err)
	}
	if err := store.DB().Model(&models.Group{}).Select("id").Where("account_id = ?", seeded.Account.ID).Order("id").Limit(1).Scan(&groupID).Error; err != nil || groupID == 0 {
		b.Fatalf("no group to filter by: %v", err)
	}

	for _, bc := range []struct{ name, path string }{
		{"list", "/settings/users"},
		{"list_fragment", "/settings/users?tab=inactive"},
		{"search", "/settings/users?q=hansen"},
		{"search_rare", "/settings/users?q=owner%40"},
		{"filter_role", "/settings/users?role=manager"},
		{"filter_plan_sorted_by_email", "/settings/users?plan=" + strconv.FormatInt(planID, 10) + "&sort=email&dir=desc"},
		{"filter_group", "/settings/users?group=" + strconv.FormatInt(groupID, 10)},
		{"profile", "/settings/users/" + strconv.FormatInt(firstUserID(store, seeded.Account.ID), 10)},
	} {
		b.Run(bc.name, func(b *testing.B) { benchGet(b, e, cookie, bc.path, bc.name == "list_fragment") })
	}
}

// benchConsole is the router over the 100,000-user bench account in PostgreSQL
// (ROSTER_BENCH_USERS changes the size).
func benchConsole(b *testing.B) (*models.Store, *models.SeededAccount, http.Handler) {
	store := modelstest.Postgres(b)
	seeded := modelstest.BenchAccount(b, store, 100_000)
	e, err := New(store, Config{SessionSecret: testSecret})
	if err != nil {
		b.Fatal(err)
	}
	return store, seeded, e
}

// benchSession signs email in and returns the session cookie a browser would then send.
func benchSession(b *testing.B, store *models.Store, h http.Handler, email, password string) *http.Cookie {
	_, token, err := store.SignIn(context.Background(), email, password, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	return sessionCookie(b, h, token)
}

// benchGet measures GET path, from request to rendered HTML, as htmx asks for it when fragment
// is set; anything but 200 fails the benchmark.
func benchGet(b *testing.B, h http.Handler, cookie *http.Cookie, path string, fragment bool) {
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		if fragment {
			req.Header.Set("HX-Request", "true")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: status %d", path, rec.Code)
		}
	}
}

// sessionCookie signs a session token the way the server does after a sign-in.
func sessionCookie(tb testing.TB, h http.Handler, token string) *http.Cookie {
	tb.Helper()
	s := &Server{cookies: newCookieStore(Config{SessionSecret: testSecret})}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	session, _ := s.cookies.Get(req, sessionCookieName)
	session.Values[sessionTokenKey] = token
	if err := session.Save(req, rec); err != nil {
		tb.Fatal(err)
	}
	return rec.Result().Cookies()[0]
}

func firstUserID(store *models.Store, accountID int64) int64 {
	var id int64
	store.DB().Model(&models.User{}).Select("id").Where("account_id = ? AND role = ?", accountID, models.RoleGroupAdmin).Order("id").Limit(1).Scan(&id)
	return id
}

// BenchmarkDeactivationWizardImpact measures the wizard's first step, rendered, for 1,000 users
// of the 100,000-user account.
func BenchmarkDeactivationWizardImpact(b *testing.B) {
	store, seeded, e := benchConsole(b)
	cookie := benchSession(b, store, e, seeded.OwnerEmail, seeded.OwnerPassword)
	var ids []int64
	store.DB().Model(&models.User{}).Where("account_id = ? AND status = ? AND role = ?", seeded.Account.ID, models.StatusActive, models.RoleMember).
		Order("id").Limit(1000).Pluck("id", &ids)
	benchGet(b, e, cookie, "/settings/users/deactivate?ids="+joinIDs(ids), false)
}

// BenchmarkStatisticsPage measures Settings > Team statistics, rendered, for the 100,000-user
// account: a year of activity aggregated per month and per user.
func BenchmarkStatisticsPage(b *testing.B) {
	store, seeded, e := benchConsole(b)
	cookie := benchSession(b, store, e, seeded.OwnerEmail, seeded.OwnerPassword)
	for _, bc := range []struct{ name, path string }{
		{"year", "/settings/statistics"},
		{"two_years_deals_won", "/settings/statistics?from=2000-01&kind=deal_won"},
	} {
		b.Run(bc.name, func(b *testing.B) { benchGet(b, e, cookie, bc.path, false) })
	}
}

// BenchmarkExportUsers100k streams the Active tab of the 100,000-user account as CSV through the
// router to a client that throws it away, and reports the heap's high-water mark while it runs:
// the export must not hold the account in memory (-benchmem adds what it allocates in total).
func BenchmarkExportUsers100k(b *testing.B) {
	store, seeded, e := benchConsole(b)
	cookie := benchSession(b, store, e, seeded.OwnerEmail, seeded.OwnerPassword)
	runtime.GC()
	baseline := heapInUse()
	peak := newHeapPeak()
	var bytes int64
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/settings/users/export.csv", nil)
		req.AddCookie(cookie)
		w := &discardResponse{header: http.Header{}}
		e.ServeHTTP(w, req)
		if w.status != http.StatusOK || w.bytes == 0 {
			b.Fatalf("status %d, %d bytes", w.status, w.bytes)
		}
		bytes = w.bytes
	}
	b.ReportMetric(float64(peak.stop()-baseline)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(bytes)/(1<<20), "csv-MB")
}

// discardResponse is a client that reads the response as it comes and keeps none of it, so that
// the benchmark measures the server's memory, not a recorder's copy of the body.
type discardResponse struct {
	header http.Header
	status int
	bytes  int64
}

func (w *discardResponse) Header() http.Header { return w.header }
func (w *discardResponse) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}
func (w *discardResponse) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.bytes += int64(len(p))
	return len(p), nil
}
func (w *discardResponse) Flush() {}

// heapPeak samples the live heap every millisecond until stopped and keeps the highest value.
type heapPeak struct {
	done chan struct{}
	wg   sync.WaitGroup
	max  uint64
}

func newHeapPeak() *heapPeak {
	p := &heapPeak{done: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			p.max = max(p.max, heapInUse())
			select {
			case <-p.done:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

func (p *heapPeak) stop() uint64 {
	close(p.done)
	p.wg.Wait()
	return p.max
}

// heapInUse is the memory held by heap objects, live or not yet swept, without stopping the world.
func heapInUse() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// BenchmarkSeatsPage measures Settings > Seats & billing, from request to rendered HTML, on an
// account of 100,000 users in PostgreSQL: the overview, the 12-month ledger replay and a page of
// idle seats.
func BenchmarkSeatsPage(b *testing.B) {
	store, seeded, e := benchConsole(b)
	cookie := benchSession(b, store, e, seeded.OwnerEmail, seeded.OwnerPassword)
	for _, bc := range []struct{ name, path string }{
		{"page", "/settings/seats"},
		{"idle_90", "/settings/seats?idle=90"},
	} {
		b.Run(bc.name, func(b *testing.B) { benchGet(b, e, cookie, bc.path, false) })
	}
}

// BenchmarkScopedUserList measures the list as a group administrator and as a manager see it:
// only the people they reach, in the 100,000-user account.
func BenchmarkScopedUserList(b *testing.B) {
	store, seeded, e := benchConsole(b)
	for _, role := range []models.Role{models.RoleGroupAdmin, models.RoleManager} {
		var email string
		if err := store.DB().Model(&models.User{}).Select("email").Where("account_id = ? AND role = ? AND status = ?", seeded.Account.ID, role, models.StatusActive).
			Order("id").Limit(1).Scan(&email).Error; err != nil || email == "" {
			b.Fatalf("no active %s in the bench account: %v", role, err)
		}
		cookie := benchSession(b, store, e, email, seeded.OwnerPassword)
		for _, page := range []struct{ name, path string }{{"list", "/settings/users"}, {"search", "/settings/users?q=a"}} {
			b.Run(string(role)+"_"+page.name, func(b *testing.B) { benchGet(b, e, cookie, page.path, false) })
		}
	}
}
