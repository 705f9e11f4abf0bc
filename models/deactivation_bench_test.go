package models_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm/logger"

	"roster/models"
	"roster/models/modelstest"
)

// BenchmarkDeactivate1000UsersWith100kRecords measures the wizard's last step at scale on
// PostgreSQL: 1,000 users hand 100 open records each to one colleague. ROSTER_BENCH_TRACE=1 prints
// each statement's time and the server's CPU time for every deactivation.
func BenchmarkDeactivate1000UsersWith100kRecords(b *testing.B) {
	store := modelstest.Postgres(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		acc, ids, receiver := bulkLeavers(b, store, 1000, 100)
		run := store
		var trace *statementTimer
		if os.Getenv("ROSTER_BENCH_TRACE") != "" {
			trace = &statementTimer{}
			run = store.WithQueryLogger(trace)
			trace.backendCPU = backendCPU(b, store)
			trace.cpuStart = trace.backendCPU()
		}
		b.StartTimer()
		start := time.Now()
		res, err := run.Deactivate(ctx, acc.Actor, ids, models.HandoverPlan{RecordsTo: receiver, GroupsTo: receiver, ManagerTo: receiver})
		if err != nil {
			b.Fatal(err)
		}
		if trace != nil {
			trace.report(time.Since(start))
		}
		if res.RecordsMoved != 100_000 {
			b.Fatalf("moved %d records", res.RecordsMoved)
		}
	}
}

// BenchmarkDeactivationImpact1000Users measures the wizard's first step for 1,000 users.
func BenchmarkDeactivationImpact1000Users(b *testing.B) {
	store := modelstest.Postgres(b)
	acc, ids, _ := bulkLeavers(b, store, 1000, 100)
	for b.Loop() {
		if _, err := store.DeactivationImpact(context.Background(), acc.Actor, ids); err != nil {
			b.Fatal(err)
		}
	}
}

func bulkLeavers(b testing.TB, store *models.Store, users, recordsEach int) (*modelstest.Account, []int64, int64) {
	acc := modelstest.NewAccount(b, store)
	now := time.Now().UTC()
	plan := models.Plan{AccountID: acc.Account.ID, Name: "Bulk", SeatsPurchased: users + 10, PriceCents: 1000, Currency: "EUR", CreatedAt: now}
	modelstest.Must(b, store.DB().Create(&plan))
	people := make([]models.User, users+1)
	for i := range people {
		email := fmt.Sprintf("leaver%d-%d@example.com", acc.Account.ID, i)
		people[i] = models.User{AccountID: acc.Account.ID, Email: &email, Name: fmt.Sprintf("Leaver %d", i), Role: models.RoleMember,
			Status: models.StatusActive, PlanID: &plan.ID, CreatedAt: now, UpdatedAt: now}
	}
	if err := store.DB().CreateInBatches(people, 1000).Error; err != nil {
		b.Fatal(err)
	}
	receiver := people[users].ID
	ids := make([]int64, users)
	records := make([]models.Record, 0, users*recordsEach)
	for i := 0; i < users; i++ {
		ids[i] = people[i].ID
		for j := 0; j < recordsEach; j++ {
			records = append(records, models.Record{AccountID: acc.Account.ID, Kind: models.RecordKinds[j%len(models.RecordKinds)],
				Title: "Record", IsOpen: true, OwnerID: people[i].ID, CreatedByID: people[i].ID, CreatedAt: now, UpdatedAt: now})
		}
	}
	if err := store.DB().CreateInBatches(records, 2000).Error; err != nil {
		b.Fatal(err)
	}
	// Real records are old enough for autovacuum to have visited them; fresh ones are not.
	modelstest.Must(b, store.DB().Exec("VACUUM ANALYZE records"))
	modelstest.Must(b, store.DB().Exec("VACUUM ANALYZE users"))
	return acc, ids, receiver
}

// backendCPU returns a function that reads the CPU time PostgreSQL has spent serving the store's
// connection so far: the pool is cut to one connection, and the server must run on this machine.
// On a busy machine this is steadier than the wall clock.
func backendCPU(b *testing.B, store *models.Store) func() time.Duration {
	sqlDB, err := store.DB().DB()
	if err != nil {
		b.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1)
	var pid int
	if err := store.DB().Raw("SELECT pg_backend_pid()").Scan(&pid).Error; err != nil {
		b.Fatal(err)
	}
	return func() time.Duration {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
		if err != nil {
			return 0
		}
		var ns int64
		fmt.Sscan(string(stat), &ns)
		return time.Duration(ns)
	}
}

// statementTimer is a GORM logger that keeps each statement's duration, for
// ROSTER_BENCH_TRACE=1: where the time of one deactivation goes.
type statementTimer struct {
	lines      []string
	sum        time.Duration
	backendCPU func() time.Duration
	cpuStart   time.Duration
}

func (t *statementTimer) LogMode(logger.LogLevel) logger.Interface { return t }
func (t *statementTimer) Info(context.Context, string, ...any)     {}
func (t *statementTimer) Warn(context.Context, string, ...any)     {}
func (t *statementTimer) Error(context.Context, string, ...any)    {}
func (t *statementTimer) Trace(_ context.Context, begin time.Time, fc func() (string, int64), _ error) {
	elapsed := time.Since(begin)
	sql, rows := fc()
	if i := strings.Index(sql, "'{"); i >= 0 {
		if j := strings.Index(sql[i:], "}'"); j >= 0 {
			sql = sql[:i] + "'{…}'" + sql[i+j+2:]
		}
	}
	if len(sql) > 110 {
		sql = sql[:110]
	}
	t.sum += elapsed
	t.lines = append(t.lines, fmt.Sprintf("%8.1f ms %7d rows  %s", float64(elapsed.Microseconds())/1000, rows, sql))
}

func (t *statementTimer) report(total time.Duration) {
	fmt.Fprintf(os.Stderr, "deactivation %.1f ms, statements %.1f ms, rest (begin, commit, Go) %.1f ms, server CPU %.1f ms\n%s",
		float64(total.Microseconds())/1000, float64(t.sum.Microseconds())/1000, float64((total-t.sum).Microseconds())/1000,
		float64((t.backendCPU()-t.cpuStart).Microseconds())/1000,
		strings.Join(t.lines, "\n")+"\n")
}
