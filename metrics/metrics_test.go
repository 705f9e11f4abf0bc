package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"roster/models"
)

// refusingSender is a mail server that takes nothing.
type refusingSender struct{}

func (refusingSender) Send(context.Context, models.OutboxMessage) error {
	return errors.New("550 mailbox unavailable")
}

// TestMetricsEndpoint serves a registry for a store of its own (the outbox and the deletion job
// read every account) and checks the series operators graph: the pool, the mail queue and its
// failures, background job runs, retries, and the profiler beside them.
func TestMetricsEndpoint(t *testing.T) {
	ctx := context.Background()
	store, err := models.Open(ctx, filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	registry, err := New(store)
	if err != nil {
		t.Fatal(err)
	}
	store.Metrics = registry
	srv := httptest.NewServer(registry.Handler())
	t.Cleanup(srv.Close)

	account, _, err := store.CreateAccount(ctx, models.NewAccount{AccountName: "Metrics", OwnerName: "Olivia Owner",
		OwnerEmail: "owner@metrics.example", OwnerPassword: "correct horse battery staple", PlanName: "Standard", Seats: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, attempts := range []int{0, 0, 5} {
		msg := models.OutboxMessage{AccountID: account.ID, ToAddress: "ann@metrics.example", Subject: "Hello", Attempts: attempts, CreatedAt: time.Now()}
		if err := store.DB().Create(&msg).Error; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.DeliverMail(ctx, refusingSender{}, 10); err != nil {
		t.Fatal(err)
	}
	jobCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		store.RunDeletions(jobCtx, time.Hour, func(err error) { t.Errorf("deletions: %v", err) })
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		store.RunScheduledDeactivations(jobCtx, time.Hour, func(err error) { t.Errorf("leave dates: %v", err) })
	}()
	deadline := time.Now().Add(30 * time.Second)
	for _, job := range []string{"deletions", "scheduled_deactivations"} {
		for !strings.Contains(get(t, srv.URL+"/metrics"), `roster_job_runs_total{job="`+job+`",result="ok"} 1`) {
			if time.Now().After(deadline) {
				t.Fatalf("the %s job's first pass was not counted", job)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	stop()
	<-done
	<-done

	scrape := get(t, srv.URL+"/metrics")
	for _, want := range []string{
		`roster_mail_queue_messages 2`,
		`roster_mail_failed_messages 1`,
		`roster_mail_send_failures_total 1`,
		`roster_job_runs_total{job="deletions",result="ok"} 1`,
		`roster_job_runs_total{job="scheduled_deactivations",result="ok"} 1`,
		`roster_job_runs_total{job="scheduled_deactivations",result="error"} 0`,
		`roster_job_runs_total{job="mail_delivery",result="error"} 0`,
		`roster_db_transaction_retries_total 0`,
		`go_sql_max_open_connections{db_name="roster"}`,
		`go_sql_in_use_connections{db_name="roster"}`,
		`go_sql_wait_count_total{db_name="roster"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(scrape, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if profiles := get(t, srv.URL+"/debug/pprof/"); !strings.Contains(profiles, "goroutine") {
		t.Errorf("/debug/pprof/ lists no profiles: %.300s", profiles)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%s", url, res.StatusCode, body)
	}
	return string(body)
}
