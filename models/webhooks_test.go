package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"gorm.io/gorm"

	"roster/models"
	"roster/models/modelstest"
)

// receiver is an in-process webhook endpoint that verifies every request with the Standard
// Webhooks library and records what arrived, in order.
type receiver struct {
	*httptest.Server
	t *testing.T
	// answer decides the status of a request: n is how often this webhook-id arrived before.
	answer          func(id string, n int) int
	ignoreTimestamp bool

	mu       sync.Mutex
	secrets  []string
	arrivals []arrival
	seen     map[string]int
	bad      []string
}

type arrival struct {
	ID     string
	Status int
	Body   string
}

func newReceiver(t *testing.T, answer func(id string, n int) int) *receiver {
	r := &receiver{t: t, answer: answer, seen: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get("webhook-id")
	r.mu.Lock()
	defer r.mu.Unlock()
	verified := len(r.secrets) == 0
	for _, secret := range r.secrets {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			r.bad = append(r.bad, "secret: "+err.Error())
			continue
		}
		verify := wh.Verify
		if r.ignoreTimestamp {
			verify = wh.VerifyIgnoringTimestamp
		}
		if verify(body, req.Header) == nil {
			verified = true
		}
	}
	if !verified {
		r.bad = append(r.bad, "signature of "+id+" does not verify")
	}
	status := http.StatusOK
	if r.answer != nil {
		status = r.answer(id, r.seen[id])
	}
	r.seen[id]++
	r.arrivals = append(r.arrivals, arrival{ID: id, Status: status, Body: string(body)})
	w.WriteHeader(status)
	fmt.Fprint(w, `{"ok":true}`)
}

func (r *receiver) trust(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = secrets
}

func (r *receiver) snapshot() []arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bad) > 0 {
		r.t.Errorf("receiver refused requests: %v", r.bad[:min(len(r.bad), 3)])
		r.bad = nil
	}
	return slices.Clone(r.arrivals)
}

// hooksStore is the package's store with webhooks allowed to reach test receivers on 127.0.0.1,
// and, when clock is set, a clock of the test's own.
func hooksStore(store *models.Store, clock func() time.Time) *models.Store {
	s := *store
	s.Webhooks.AllowPrivate = true
	if clock != nil {
		s.Now = clock
	}
	return &s
}

// addEndpoint creates an endpoint for the receiver and makes the receiver trust its secret; the
// endpoint is disabled when the test ends, so later tests' workers leave it alone.
func addEndpoint(t *testing.T, store *models.Store, acc *modelstest.Account, r *receiver, types ...string) *models.WebhookEndpoint {
	t.Helper()
	e, err := store.CreateWebhookEndpoint(context.Background(), acc.Actor, models.WebhookEndpointInput{URL: r.URL + "/hooks",
		Description: "Test receiver", AllEvents: len(types) == 0, EventTypes: types, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	r.trust(e.Secret)
	t.Cleanup(func() { store.DB().Model(&models.WebhookEndpoint{}).Where("id = ?", e.ID).Update("enabled", false) })
	return e
}

// deliveriesOf lists an endpoint's deliveries in the order it must receive them.
func deliveriesOf(t *testing.T, store *models.Store, endpoint int64) (ids []string, statuses []string) {
	t.Helper()
	var rows []struct {
		MessageID string
		Status    string
	}
	modelstest.Must(t, store.DB().Table("webhook_deliveries d").Select("ev.message_id, d.status").
		Joins("JOIN webhook_events ev ON ev.id = d.event_id").Where("d.endpoint_id = ?", endpoint).Order("d.id").Scan(&rows))
	for _, r := range rows {
		ids, statuses = append(ids, r.MessageID), append(statuses, r.Status)
	}
	return ids, statuses
}

// checkOrderAndOnce checks what one receiver got against the endpoint's deliveries: every event
// arrived, in creation order, retried under its own webhook-id until it succeeded and never
// after, and nothing else arrived.
func checkOrderAndOnce(t *testing.T, want []string, got []arrival) {
	t.Helper()
	i := 0
	for n, a := range got {
		if i >= len(want) {
			t.Fatalf("arrival %d (%s) after every event had been delivered", n, a.ID)
		}
		if a.ID != want[i] {
			t.Fatalf("arrival %d is %s, but %s (event %d of %d) was not delivered yet: out of order", n, a.ID, want[i], i, len(want))
		}
		if a.Status >= 200 && a.Status < 300 {
			i++
		}
	}
	if i != len(want) {
		t.Fatalf("%d of %d events delivered", i, len(want))
	}
}

func drain(t *testing.T, store *models.Store, sender *models.WebhookSender) {
	t.Helper()
	for {
		n, _, err := store.DeliverWebhooks(context.Background(), sender, 100)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func payloadOf(t *testing.T, body string) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("payload %q: %v", body, err)
	}
	return p
}

// A change and its events commit together: an endpoint hears of exactly the changes that
// happened, in the one JSON shape, and only of the types it chose.
func TestWebhookEventsCommitWithTheirChange(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		store = hooksStore(store, nil)
		acc := modelstest.NewAccount(t, store)
		all := newReceiver(t, nil)
		groupsOnly := newReceiver(t, nil)
		addEndpoint(t, store, acc, all)
		addEndpoint(t, store, acc, groupsOnly, models.EventGroupCreated)
		off := addEndpoint(t, store, acc, newReceiver(t, nil))
		_, err := store.UpdateWebhookEndpoint(ctx, acc.Actor, off.ID, models.WebhookEndpointInput{URL: off.URL, AllEvents: true, Enabled: false})
		if err != nil {
			t.Fatal(err)
		}

		invited, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList("ines@example.com"), PlanID: planOf(t, store, acc).ID, Role: models.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.CreateGroup(ctx, acc.Actor, models.NewGroup{Name: "Hooks"}); err != nil {
			t.Fatal(err)
		}
		// A transaction that writes an audit event and then fails leaves no event behind.
		failed := errors.New("rolled back")
		err = store.DB().Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&models.AuditEvent{AccountID: acc.Account.ID, ActorID: &acc.Owner.ID, Action: models.AuditUserReactivated,
				TargetUserID: &invited[0].ID, Details: "{}", CreatedAt: time.Now().UTC()}).Error; err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatal(err)
		}
		// A refused change writes nothing either.
		if _, err := store.Reactivate(ctx, acc.Actor, []int64{invited[0].ID}); err == nil {
			t.Fatal("reactivating an invited user must be refused")
		}
		// Sign-ins are audited but are no webhook event.
		if _, _, err := store.SignIn(ctx, acc.Owner.EmailAddress(), modelstest.Password, "192.0.2.1", "test"); err != nil {
			t.Fatal(err)
		}

		drain(t, store, store.NewWebhookSender())
		got := all.snapshot()
		if len(got) != 2 {
			t.Fatalf("the all-events endpoint got %d events, want user.invited and group.created", len(got))
		}
		invitedEvent := payloadOf(t, got[0].Body)
		if invitedEvent["type"] != models.EventUserInvited {
			t.Fatalf("first event %v", invitedEvent)
		}
		if _, err := time.Parse(time.RFC3339Nano, invitedEvent["timestamp"].(string)); err != nil {
			t.Errorf("timestamp: %v", err)
		}
		data := invitedEvent["data"].(map[string]any)
		if data["user"].(map[string]any)["id"] != float64(invited[0].ID) || data["actor"].(map[string]any)["id"] != float64(acc.Owner.ID) ||
			data["account_id"] != float64(acc.Account.ID) || data["plan"] != "Standard" {
			t.Errorf("user.invited data: %v", data)
		}
		if strings.Contains(got[0].Body, "ines@example.com") {
			t.Error("an event must not carry an e-mail address")
		}
		if g := payloadOf(t, got[1].Body); g["type"] != models.EventGroupCreated || g["data"].(map[string]any)["group"].(map[string]any)["name"] != "Hooks" {
			t.Errorf("second event %v", g)
		}
		if only := groupsOnly.snapshot(); len(only) != 1 || payloadOf(t, only[0].Body)["type"] != models.EventGroupCreated {
			t.Errorf("the group.created endpoint got %d events", len(only))
		}
		if n := modelstest.Count(t, store.DB().Model(&models.WebhookDelivery{}).Where("endpoint_id = ?", off.ID)); n != 0 {
			t.Errorf("a disabled endpoint got %d deliveries", n)
		}
	})
}

// Impersonated changes name both people; a deactivation says how and what it handed over, and
// announces the hand-over of records on its own.
func TestWebhookEventData(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		store = hooksStore(store, nil)
		tm := newTeam(t, store)
		r := newReceiver(t, nil)
		addEndpoint(t, store, tm.acc, r)
		_, err := store.Deactivate(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{RecordsTo: tm.receiver.ID, GroupsTo: tm.receiver.ID, ManagerTo: tm.receiver.ID})
		if err != nil {
			t.Fatal(err)
		}
		drain(t, store, store.NewWebhookSender())
		got := r.snapshot()
		if len(got) != 2 {
			t.Fatalf("got %d events, want user.deactivated and records.handed_over", len(got))
		}
		deactivated, handed := payloadOf(t, got[0].Body), payloadOf(t, got[1].Body)
		if deactivated["type"] != models.EventUserDeactivated || handed["type"] != models.EventRecordsHandedOver {
			t.Fatalf("types %v, %v", deactivated["type"], handed["type"])
		}
		d := deactivated["data"].(map[string]any)
		over := d["handed_over"].(map[string]any)
		if d["how"] != "clicked" || over["groups"] != float64(1) || over["managed_users"] != float64(1) ||
			over["records"].(map[string]any)["deal"] != float64(2) || over["records_to"] != float64(tm.receiver.ID) {
			t.Errorf("user.deactivated data: %v", d)
		}
		if h := handed["data"].(map[string]any); h["via"] != "deactivation" || h["user"].(map[string]any)["id"] != float64(tm.leaver.ID) {
			t.Errorf("records.handed_over data: %v", h)
		}
	})
}

// Deactivating 1,000 users fans out 1,000 events to 3 endpoints in the deactivation's own
// transaction; a few workers deliver all 3,000 within a minute, in order per endpoint, although
// every tenth delivery fails its first attempt.
func TestWebhookFanOutOf1000Deactivations(t *testing.T) {
	if testing.Short() {
		t.Skip("3,000 deliveries")
	}
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		store = hooksStore(store, nil)
		acc, ids := hookLeavers(t, store, 1000)
		var receivers []*receiver
		var endpoints []*models.WebhookEndpoint
		for range 3 {
			var mu sync.Mutex
			order := map[string]int{}
			r := newReceiver(t, func(id string, n int) int {
				mu.Lock()
				defer mu.Unlock()
				if _, ok := order[id]; !ok {
					order[id] = len(order)
				}
				if n == 0 && order[id]%10 == 9 {
					return http.StatusInternalServerError
				}
				return http.StatusNoContent
			})
			receivers = append(receivers, r)
			endpoints = append(endpoints, addEndpoint(t, store, acc, r))
		}
		started := time.Now()
		if _, err := store.Deactivate(ctx, acc.Actor, ids, models.HandoverPlan{}); err != nil {
			t.Fatal(err)
		}
		fanOut := time.Since(started)
		if n := modelstest.Count(t, store.DB().Model(&models.WebhookDelivery{}).Where("account_id = ?", acc.Account.ID)); n != 3000 {
			t.Fatalf("%d deliveries queued, want 3,000", n)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			store.RunWebhookDelivery(runCtx, store.NewWebhookSender(), 4, func(err error) { t.Errorf("delivery: %v", err) })
		}()
		deadline := started.Add(time.Minute)
		for {
			pending := modelstest.Count(t, store.DB().Model(&models.WebhookDelivery{}).Where("account_id = ? AND status <> ?", acc.Account.ID, models.DeliveryDelivered))
			if pending == 0 {
				break
			}
			if time.Now().After(deadline) {
				stop()
				<-done
				t.Fatalf("%d of 3,000 deliveries still waiting after a minute", pending)
			}
			time.Sleep(100 * time.Millisecond)
		}
		elapsed := time.Since(started)
		stop()
		<-done
		retried := 0
		for i, r := range receivers {
			want, _ := deliveriesOf(t, store, endpoints[i].ID)
			got := r.snapshot()
			checkOrderAndOnce(t, want, got)
			retried += len(got) - len(want)
		}
		if retried != 300 {
			t.Errorf("%d retries, want 300 (every tenth of 3,000)", retried)
		}
		t.Logf("%s: deactivating 1,000 users with 3 endpoints took %v; all 3,000 deliveries (and 300 retries) arrived %v after the deactivation began",
			store.DB().Dialector.Name(), fanOut.Round(time.Millisecond), elapsed.Round(time.Millisecond))
	})
}

// A receiver that is down for the first 10 minutes gets every event afterwards, in order, each
// under one webhook-id that every attempt repeats.
func TestWebhookReceiverDownForTenMinutes(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		var mu sync.Mutex
		now := time.Now().UTC()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(to time.Time) {
			mu.Lock()
			defer mu.Unlock()
			if to.After(now) {
				now = to
			}
		}
		store = hooksStore(store, clock)
		upAt := clock().Add(10 * time.Minute)
		r := newReceiver(t, func(string, int) int {
			if clock().Before(upAt) {
				return http.StatusServiceUnavailable
			}
			return http.StatusOK
		})
		r.ignoreTimestamp = true
		acc := modelstest.NewAccount(t, store)
		e := addEndpoint(t, store, acc, r)
		for i := range 20 {
			if _, err := store.CreateGroup(ctx, acc.Actor, models.NewGroup{Name: fmt.Sprintf("Group %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		sender := store.NewWebhookSender()
		for step := 0; step < 1000; step++ {
			_, next, err := store.DeliverWebhooks(ctx, sender, 100)
			if err != nil {
				t.Fatal(err)
			}
			if next == nil {
				break
			}
			advance(*next)
		}
		want, statuses := deliveriesOf(t, store, e.ID)
		for i, s := range statuses {
			if s != models.DeliveryDelivered {
				t.Fatalf("delivery %d is %s", i, s)
			}
		}
		got := r.snapshot()
		checkOrderAndOnce(t, want, got)
		bodies := map[string]string{}
		for _, a := range got {
			if previous, ok := bodies[a.ID]; ok && previous != a.Body {
				t.Fatalf("%s was sent with two different bodies", a.ID)
			}
			bodies[a.ID] = a.Body
		}
		if len(bodies) != 20 {
			t.Errorf("%d webhook-ids for 20 events", len(bodies))
		}
		if first := got[0]; first.ID != want[0] || len(got) < 22 {
			t.Errorf("the first event must have been retried while the receiver was down; %d arrivals", len(got))
		}
		if clock().Before(upAt) {
			t.Errorf("the clock never passed the outage")
		}
		var endpoint models.WebhookEndpoint
		modelstest.Must(t, store.DB().Take(&endpoint, e.ID))
		if endpoint.FailingSince != nil || !endpoint.Enabled {
			t.Errorf("a recovered endpoint is healthy and enabled: failing since %v, enabled %v", endpoint.FailingSince, endpoint.Enabled)
		}
	})
}

// A failing delivery is retried for 24 hours and then given up so the next one goes ahead; an
// endpoint failing for 3 days is disabled and each owner and admin gets one e-mail; 410 Gone
// disables it at once.
func TestWebhookGivesUpAndDisables(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		var mu sync.Mutex
		now := time.Now().UTC()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		store = hooksStore(store, clock)
		down := newReceiver(t, func(string, int) int { return http.StatusBadGateway })
		down.ignoreTimestamp = true
		acc := modelstest.NewAccount(t, store)
		e := addEndpoint(t, store, acc, down)
		for i := range 5 {
			if _, err := store.CreateGroup(ctx, acc.Actor, models.NewGroup{Name: fmt.Sprintf("G%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		sender := store.NewWebhookSender()
		started := clock()
		for step := 0; step < 500; step++ {
			_, next, err := store.DeliverWebhooks(ctx, sender, 100)
			if err != nil {
				t.Fatal(err)
			}
			if next == nil {
				break
			}
			mu.Lock()
			now = *next
			mu.Unlock()
		}
		var endpoint models.WebhookEndpoint
		modelstest.Must(t, store.DB().Take(&endpoint, e.ID))
		if endpoint.Enabled || endpoint.DisabledAt == nil || endpoint.DisabledAt.Sub(started) < 72*time.Hour {
			t.Fatalf("endpoint enabled %v, disabled at %v: want disabled after 3 days", endpoint.Enabled, endpoint.DisabledAt)
		}
		_, statuses := deliveriesOf(t, store, e.ID)
		if statuses[0] != models.DeliveryFailed || statuses[len(statuses)-1] != models.DeliveryPending {
			t.Errorf("statuses %v: the first given up after 24 hours, the rest waiting", statuses)
		}
		var first models.WebhookDelivery
		modelstest.Must(t, store.DB().Where("endpoint_id = ?", e.ID).Order("id").Take(&first))
		if first.FinishedAt.Sub(*first.FirstAttemptAt) < 24*time.Hour || first.Attempts < 8 {
			t.Errorf("first delivery: %d attempts over %v", first.Attempts, first.FinishedAt.Sub(*first.FirstAttemptAt))
		}
		mails := modelstest.Count(t, store.DB().Model(&models.OutboxMessage{}).Where("account_id = ? AND subject = ? AND action_url = ?",
			acc.Account.ID, "A webhook endpoint was disabled", fmt.Sprintf("/settings/webhooks/%d", e.ID)))
		if mails != 1 {
			t.Errorf("%d e-mails, want one to the owner linking to the endpoint", mails)
		}
		// Nothing more goes out while disabled.
		if n, _, _ := store.DeliverWebhooks(ctx, sender, 10); n != 0 {
			t.Errorf("%d attempts to a disabled endpoint", n)
		}

		gone := newReceiver(t, func(string, int) int { return http.StatusGone })
		gone.ignoreTimestamp = true
		g := addEndpoint(t, store, acc, gone)
		if err := store.SendWebhookTest(ctx, acc.Actor, g.ID); err != nil {
			t.Fatal(err)
		}
		drain(t, store, sender)
		endpoint = models.WebhookEndpoint{}
		modelstest.Must(t, store.DB().Take(&endpoint, g.ID))
		if endpoint.Enabled || !strings.Contains(endpoint.DisabledReason, "410") {
			t.Errorf("410 Gone: enabled %v, reason %q", endpoint.Enabled, endpoint.DisabledReason)
		}
	})
}

// hookLeavers is an account with n active members on one plan.
func hookLeavers(t *testing.T, store *models.Store, n int) (*modelstest.Account, []int64) {
	t.Helper()
	acc := modelstest.NewAccount(t, store)
	now := time.Now().UTC()
	plan := models.Plan{AccountID: acc.Account.ID, Name: "Bulk", SeatsPurchased: n + 10, PriceCents: 1000, Currency: "EUR", CreatedAt: now}
	modelstest.Must(t, store.DB().Create(&plan))
	people := make([]models.User, n)
	for i := range people {
		email := fmt.Sprintf("hook%d-%d@example.com", acc.Account.ID, i)
		people[i] = models.User{AccountID: acc.Account.ID, Email: &email, Name: fmt.Sprintf("Leaver %d", i), Role: models.RoleMember,
			Status: models.StatusActive, PlanID: &plan.ID, CreatedAt: now, UpdatedAt: now}
	}
	modelstest.Must(t, store.DB().CreateInBatches(people, 500))
	ids := make([]int64, n)
	for i := range people {
		ids[i] = people[i].ID
	}
	return acc, ids
}

// Three servers' workers on one PostgreSQL database make each attempt once.
func TestWebhookThreeServersDeliverEachAttemptOnce(t *testing.T) {
	store := modelstest.Postgres(t)
	ctx := context.Background()
	acc := modelstest.NewAccount(t, store)
	base := hooksStore(store, nil)
	var receivers []*receiver
	var endpoints []*models.WebhookEndpoint
	for range 2 {
		r := newReceiver(t, nil)
		receivers = append(receivers, r)
		endpoints = append(endpoints, addEndpoint(t, base, acc, r))
	}
	for i := range 150 {
		if _, err := base.CreateGroup(ctx, acc.Actor, models.NewGroup{Name: fmt.Sprintf("Team %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range 3 {
		server := hooksStore(store, nil)
		wg.Go(func() {
			server.RunWebhookDelivery(runCtx, server.NewWebhookSender(), 4, func(err error) { t.Errorf("delivery: %v", err) })
		})
	}
	deadline := time.Now().Add(time.Minute)
	for modelstest.Count(t, store.DB().Model(&models.WebhookDelivery{}).Where("account_id = ? AND status = ?", acc.Account.ID, models.DeliveryPending)) > 0 {
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	wg.Wait()
	for i, r := range receivers {
		want, _ := deliveriesOf(t, store, endpoints[i].ID)
		got := r.snapshot()
		if len(got) != len(want) {
			t.Errorf("endpoint %d: %d requests for %d events", i, len(got), len(want))
		}
		checkOrderAndOnce(t, want, got)
	}
	if n := modelstest.Count(t, store.DB().Model(&models.WebhookAttempt{}).Where("account_id = ?", acc.Account.ID)); n != 300 {
		t.Errorf("%d attempts logged for 300 deliveries", n)
	}
}

// Signatures verify with the Standard Webhooks library; after a rotation both the new and the
// old secret verify for a day, then only the new one.
func TestWebhookSecretRotation(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		var mu sync.Mutex
		now := time.Now().UTC()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		store = hooksStore(store, clock)
		r := newReceiver(t, nil)
		r.ignoreTimestamp = true
		acc := modelstest.NewAccount(t, store)
		e := addEndpoint(t, store, acc, r)
		if !strings.HasPrefix(e.Secret, "whsec_") {
			t.Fatalf("secret %q", e.Secret)
		}
		old := e.Secret
		fresh, err := store.RotateWebhookSecret(ctx, acc.Actor, e.ID)
		if err != nil || fresh == old {
			t.Fatalf("rotate: %v", err)
		}
		send := func() {
			t.Helper()
			if err := store.SendWebhookTest(ctx, acc.Actor, e.ID); err != nil {
				t.Fatal(err)
			}
			drain(t, store, store.NewWebhookSender())
		}
		for _, secret := range []string{old, fresh} {
			r.trust(secret)
			send()
		}
		mu.Lock()
		now = now.Add(25 * time.Hour)
		mu.Unlock()
		r.trust(old)
		send()
		r.mu.Lock()
		refused := len(r.bad)
		r.bad = nil
		r.mu.Unlock()
		if refused != 1 {
			t.Errorf("a day after rotating, the old secret must no longer sign (refused %d)", refused)
		}
		r.trust(fresh)
		send()
		if got := r.snapshot(); len(got) != 4 || payloadOf(t, got[0].Body)["type"] != models.EventWebhookTest {
			t.Errorf("got %d test events", len(got))
		}
	})
}

// Roster never calls into its own network unless told to: addresses are refused when saved, and
// names are checked again on the address they resolve to when connecting. Redirects are not
// followed and only the start of an answer is read.
func TestWebhookSafeCalls(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		for _, bad := range []string{"", "http://example.com/hook", "https://127.0.0.1/hook", "https://10.1.2.3/", "https://169.254.169.254/latest/meta-data",
			"https://[::1]/", "https://[fd00:ec2::254]/", "https://localhost:8080/", "https://user:pw@example.com/", "ftp://example.com/",
			"https://example.com/a b", "javascript:alert(1)", "https://" + strings.Repeat("a", 2100) + ".com/", "https://100.100.100.200/"} {
			_, err := store.CreateWebhookEndpoint(ctx, acc.Actor, models.WebhookEndpointInput{URL: bad, AllEvents: true, Enabled: true})
			var fields models.FieldErrors
			if !errors.As(err, &fields) || fields["url"] == "" {
				t.Errorf("%q: %v, want a message for the address", bad, err)
			}
		}
		_, err := store.CreateWebhookEndpoint(ctx, acc.Actor, models.WebhookEndpointInput{URL: "https://example.com/h", Description: strings.Repeat("x", 300), EventTypes: []string{"user.nope"}})
		var fields models.FieldErrors
		if !errors.As(err, &fields) || fields["description"] == "" || fields["events"] == "" {
			t.Errorf("long description and unknown type: %v", err)
		}

		// The address is checked where the connection is made, whatever the URL said.
		allowed := hooksStore(store, nil)
		r := newReceiver(t, nil)
		e := addEndpoint(t, allowed, acc, r)
		strict := hooksStore(store, nil)
		strict.Webhooks.AllowPrivate = false
		modelstest.Must(t, store.DB().Model(&models.WebhookEndpoint{}).Where("id = ?", e.ID).Update("url", strings.Replace(r.URL, "127.0.0.1", "localhost", 1)))
		if err := strict.SendWebhookTest(ctx, acc.Actor, e.ID); err != nil {
			t.Fatal(err)
		}
		drain(t, strict, strict.NewWebhookSender())
		var attempt models.WebhookAttempt
		modelstest.Must(t, store.DB().Where("endpoint_id = ?", e.ID).Order("id DESC").Take(&attempt))
		if attempt.StatusCode != 0 || !strings.Contains(attempt.Error, "refused") || len(r.snapshot()) != 0 {
			t.Errorf("a name resolving to loopback: status %d, error %q", attempt.StatusCode, attempt.Error)
		}
		modelstest.Must(t, store.DB().Model(&models.WebhookEndpoint{}).Where("id = ?", e.ID).Update("enabled", false))

		// Redirects are answers, not directions; a huge answer is cut.
		redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if req.URL.Path == "/big" {
				fmt.Fprint(w, strings.Repeat("<script>x</script>", 100_000))
				return
			}
			http.Redirect(w, req, r.URL+"/elsewhere", http.StatusFound)
		}))
		t.Cleanup(redirect.Close)
		for _, path := range []string{"/moved", "/big"} {
			target := addEndpoint(t, allowed, acc, newReceiver(t, nil))
			modelstest.Must(t, store.DB().Model(&models.WebhookEndpoint{}).Where("id = ?", target.ID).Update("url", redirect.URL+path))
			if err := allowed.SendWebhookTest(ctx, acc.Actor, target.ID); err != nil {
				t.Fatal(err)
			}
			drain(t, allowed, allowed.NewWebhookSender())
			attempt = models.WebhookAttempt{}
			modelstest.Must(t, store.DB().Where("endpoint_id = ?", target.ID).Order("id DESC").Take(&attempt))
			switch path {
			case "/moved":
				if attempt.StatusCode != http.StatusFound || len(r.snapshot()) != 0 {
					t.Errorf("redirect: status %d, followed %d times", attempt.StatusCode, len(r.snapshot()))
				}
			case "/big":
				if attempt.StatusCode != http.StatusOK || len(attempt.Response) > 1024 || !strings.HasPrefix(attempt.Response, "<script>") {
					t.Errorf("big answer: status %d, kept %d bytes", attempt.StatusCode, len(attempt.Response))
				}
			}
		}
	})
}

// Another account's endpoints and deliveries do not exist for an admin, and View as changes
// nothing.
func TestWebhookEndpointsStayInTheirAccount(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		store = hooksStore(store, nil)
		acc, other := modelstest.NewAccount(t, store), modelstest.NewAccount(t, store)
		e := addEndpoint(t, store, acc, newReceiver(t, nil))
		if err := store.SendWebhookTest(ctx, acc.Actor, e.ID); err != nil {
			t.Fatal(err)
		}
		var d models.WebhookDelivery
		modelstest.Must(t, store.DB().Where("endpoint_id = ?", e.ID).Take(&d))
		checks := map[string]error{
			"page": func() error { _, err := store.WebhookEndpoint(ctx, other.Actor, e.ID, 0); return err }(),
			"update": func() error {
				_, err := store.UpdateWebhookEndpoint(ctx, other.Actor, e.ID, models.WebhookEndpointInput{})
				return err
			}(),
			"rotate": func() error { _, err := store.RotateWebhookSecret(ctx, other.Actor, e.ID); return err }(),
			"test":   store.SendWebhookTest(ctx, other.Actor, e.ID),
			"resend": store.ResendWebhookDelivery(ctx, other.Actor, e.ID, d.ID),
			"delete": func() error { _, err := store.DeleteWebhookEndpoint(ctx, other.Actor, e.ID); return err }(),
		}
		for name, err := range checks {
			if !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%s from another account: %v, want ErrNotFound", name, err)
			}
		}
		list, err := store.ListWebhookEndpoints(ctx, other.Actor)
		if err != nil || len(list) != 0 {
			t.Errorf("another account lists %d endpoints (%v)", len(list), err)
		}
		// A delivery of another endpoint of the same account is not this endpoint's.
		second := addEndpoint(t, store, acc, newReceiver(t, nil))
		if err := store.ResendWebhookDelivery(ctx, acc.Actor, second.ID, d.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("resend through the wrong endpoint: %v", err)
		}
		if err := store.ResendWebhookDelivery(ctx, acc.Actor, e.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.DeleteWebhookEndpoint(ctx, acc.Actor, e.ID); err != nil {
			t.Fatal(err)
		}
		if n := modelstest.Count(t, store.DB().Model(&models.WebhookDelivery{}).Where("endpoint_id = ?", e.ID)); n != 0 {
			t.Errorf("%d deliveries left of a deleted endpoint", n)
		}
	})
}
