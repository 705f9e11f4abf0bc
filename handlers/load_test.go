package handlers

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// TestMixedAdminLoad is the load test for many admins at once: clients signed in to one account
// mix list pages with invitations, revocations, reminders, reactivations, deactivations and plan
// changes for ROSTER_LOAD_SECONDS seconds (ROSTER_LOAD_CLIENTS clients, default 50), and no
// response may be a 5xx. It needs PostgreSQL and is not part of the default suite:
//
//	ROSTER_LOAD_SECONDS=60 ROSTER_TEST_DATABASE_URL=… go test -run TestMixedAdminLoad -v ./handlers/
func TestMixedAdminLoad(t *testing.T) {
	seconds, _ := strconv.Atoi(os.Getenv("ROSTER_LOAD_SECONDS"))
	if seconds <= 0 {
		t.Skip("set ROSTER_LOAD_SECONDS to run the mixed load test")
	}
	clients := 50
	if n, err := strconv.Atoi(os.Getenv("ROSTER_LOAD_CLIENTS")); err == nil && n > 0 {
		clients = n
	}
	store := modelstest.Postgres(t)
	app := newTestApp(t, store)
	seeded := modelstest.Seeded(t, store, 300)
	accountID := seeded.Account.ID
	var planIDs []int64
	modelstest.Must(t, store.DB().Model(&models.Plan{}).Where("account_id = ?", accountID).Order("id").Pluck("id", &planIDs))

	// someone picks a random user of the account in one of the statuses.
	someone := func(status models.UserStatus) string {
		var ids []int64
		if err := store.DB().Model(&models.User{}).Where("account_id = ? AND status = ? AND role = ?", accountID, status, models.RoleMember).
			Order("random()").Limit(1).Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
			return "0"
		}
		return strconv.FormatInt(ids[0], 10)
	}
	var invited atomic.Int64
	type operation struct {
		name string
		do   func(b *browser, token string, r *rand.Rand) response
	}
	post := func(b *browser, token, path string, form url.Values) response {
		form.Set("_csrf", token)
		return b.post(path, form)
	}
	operations := []operation{
		{"list", func(b *browser, _ string, _ *rand.Rand) response { return b.get("/settings/users?tab=active") }},
		{"invited tab", func(b *browser, _ string, _ *rand.Rand) response { return b.get("/settings/users?tab=invited") }},
		{"profile", func(b *browser, _ string, _ *rand.Rand) response {
			return b.get("/settings/users/" + someone(models.StatusActive))
		}},
		{"invite", func(b *browser, token string, r *rand.Rand) response {
			address := fmt.Sprintf("load-%d-%d@example.com", invited.Add(1), accountID)
			return post(b, token, "/settings/users/invite", url.Values{"addresses": {address}, "role": {"member"},
				"plan": {strconv.FormatInt(planIDs[r.IntN(len(planIDs))], 10)}})
		}},
		{"revoke", func(b *browser, token string, _ *rand.Rand) response {
			return post(b, token, "/settings/users/actions", url.Values{"action": {"revoke"}, "ids": {someone(models.StatusInvited)}})
		}},
		{"remind", func(b *browser, token string, _ *rand.Rand) response {
			return post(b, token, "/settings/users/actions", url.Values{"action": {"remind"}, "ids": {someone(models.StatusInvited)}})
		}},
		{"reactivate", func(b *browser, token string, _ *rand.Rand) response {
			return post(b, token, "/settings/users/actions", url.Values{"action": {"reactivate"}, "ids": {someone(models.StatusInactive)}})
		}},
		{"deactivate", func(b *browser, token string, _ *rand.Rand) response {
			return post(b, token, "/settings/users/deactivate", url.Values{"step": {"execute"}, "ids": {someone(models.StatusActive)},
				"records_mode": {"keep"}, "demote": {"1"}})
		}},
		{"change plan", func(b *browser, token string, r *rand.Rand) response {
			return post(b, token, "/settings/users/change-plan", url.Values{"ids": {someone(models.StatusActive)},
				"plan": {strconv.FormatInt(planIDs[r.IntN(len(planIDs))], 10)}})
		}},
	}

	browsers := make([]*browser, clients)
	tokens := make([]string, clients)
	for i := range browsers {
		browsers[i] = app.newBrowser(t)
		browsers[i].mustSignIn(seeded.OwnerEmail, seeded.OwnerPassword)
		tokens[i] = browsers[i].csrf("/settings/users")
	}
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	var mu sync.Mutex
	statuses := map[string]map[int]int{}
	var latencies []time.Duration
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			for time.Now().Before(deadline) {
				op := operations[r.IntN(len(operations))]
				started := time.Now()
				res := op.do(browsers[i], tokens[i], r)
				took := time.Since(started)
				mu.Lock()
				if statuses[op.name] == nil {
					statuses[op.name] = map[int]int{}
				}
				statuses[op.name][res.status]++
				latencies = append(latencies, took)
				if res.status >= 500 {
					t.Errorf("%s answered %d: %.300s", op.name, res.status, res.body)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(latencies)
	total, failed := 0, 0
	for name, byStatus := range statuses {
		for status, n := range byStatus {
			total += n
			if status >= 500 {
				failed += n
			}
		}
		t.Logf("%-12s %v", name, byStatus)
	}
	if total == 0 {
		t.Fatal("no request was made")
	}
	t.Logf("%d clients, %d s: %d requests (%.0f/s), %d answered 5xx; latency p50 %v, p99 %v", clients, seconds, total,
		float64(total)/float64(seconds), failed, latencies[len(latencies)/2], latencies[len(latencies)*99/100])
	for _, name := range []string{"invite", "revoke", "reactivate", "deactivate", "change plan"} {
		changed := 0
		for status, n := range statuses[name] {
			if status == http.StatusSeeOther || status == http.StatusOK {
				changed += n
			}
		}
		if changed == 0 {
			t.Errorf("no %s went through: the load did not exercise it (%v)", name, statuses[name])
		}
	}
}
