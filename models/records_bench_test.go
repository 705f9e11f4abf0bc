package models_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm/logger"

	"roster/models"
	"roster/models/modelstest"
)

// BenchmarkRecordsPage measures one page of the records page, every filter and order on its own,
// on PostgreSQL in an account of 100,000 users and about 1,000,000 records (ROSTER_BENCH_USERS
// and ROSTER_BENCH_RECORDS_PER_USER change the size). A tenth of the users become anonymised and
// own their records still, so the "(deleted user)" filter has realistic work to do.
func BenchmarkRecordsPage(b *testing.B) {
	store := modelstest.Postgres(b)
	ctx := context.Background()
	users, perUser := 100_000, 10
	if v, err := strconv.Atoi(os.Getenv("ROSTER_BENCH_USERS")); err == nil && v > 0 {
		users = v
	}
	if v, err := strconv.Atoi(os.Getenv("ROSTER_BENCH_RECORDS_PER_USER")); err == nil && v > 0 {
		perUser = v
	}
	start := time.Now()
	spec := models.BulkSpec(users)
	spec.RecordsPerUser = perUser
	spec.ActivityMonths = 1
	seeded, err := store.Seed(ctx, spec)
	if err != nil {
		b.Fatal(err)
	}
	actor := modelstest.ActorFor(b, store, seeded)
	modelstest.Must(b, store.DB().Exec(`UPDATE users SET status = 'deleted', name = ?, email = NULL
		WHERE account_id = ? AND status = 'inactive' AND id % 2 = 0`, models.DeletedUserName, seeded.Account.ID))
	var someone, gone int64
	modelstest.Must(b, store.DB().Raw("SELECT owner_id FROM records WHERE account_id = ? ORDER BY id LIMIT 1 OFFSET 5000", seeded.Account.ID).Scan(&someone))
	modelstest.Must(b, store.DB().Raw("SELECT r.owner_id FROM records r JOIN users u ON u.id = r.owner_id WHERE r.account_id = ? AND u.status = 'deleted' LIMIT 1", seeded.Account.ID).Scan(&gone))
	// The history a year of hand-overs leaves: every twentieth record moved once.
	modelstest.Must(b, store.DB().Exec(`UPDATE records SET handed_over_at = created_at + interval '1 day', handed_over_from_id = created_by_id
		WHERE account_id = ? AND id % 20 = 0`, seeded.Account.ID))
	modelstest.Must(b, store.DB().Exec("VACUUM ANALYZE"))
	var records int64
	modelstest.Must(b, store.DB().Model(&models.Record{}).Where("account_id = ?", seeded.Account.ID).Count(&records))
	b.Logf("seeded %d users and %d records in %s", users, records, time.Since(start).Round(time.Second))

	deep := models.RecordListQuery{}
	for range 20 {
		page, err := store.ListRecords(ctx, actor, deep)
		if err != nil {
			b.Fatal(err)
		}
		deep.After = page.NextCursor
	}
	cases := []struct {
		name string
		q    models.RecordListQuery
	}{
		{"first page", models.RecordListQuery{}},
		{"page 21", deep},
		{"sort kind desc", models.RecordListQuery{Sort: models.RecordSortKind, Desc: true}},
		{"sort last hand-over desc", models.RecordListQuery{Sort: models.RecordSortHandover, Desc: true}},
		{"kind", models.RecordListQuery{Kind: "pin"}},
		{"closed", models.RecordListQuery{Open: models.RecordsClosed}},
		{"owner", models.RecordListQuery{OwnerID: someone}},
		{"anonymised owner", models.RecordListQuery{OwnerID: gone}},
		{"owner status inactive", models.RecordListQuery{OwnerStatus: models.OwnerInactive}},
		{"owner status deleted", models.RecordListQuery{OwnerStatus: models.OwnerDeleted}},
		{"search", models.RecordListQuery{Search: "renewal — glob"}},
		{"search rare", models.RecordListQuery{Search: "no such title"}},
		{"kind + closed + inactive, by hand-over", models.RecordListQuery{Kind: "deal", Open: models.RecordsClosed, OwnerStatus: models.OwnerInactive, Sort: models.RecordSortHandover}},
	}
	if os.Getenv("ROSTER_BENCH_EXPLAIN") != "" {
		for _, c := range cases {
			explainRecords(b, store, actor, c.name, c.q)
		}
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := store.ListRecords(ctx, actor, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// sqlCollector keeps the statements a call runs, with their arguments in place.
type sqlCollector struct{ statements []string }

func (c *sqlCollector) LogMode(logger.LogLevel) logger.Interface { return c }
func (c *sqlCollector) Info(context.Context, string, ...any)     {}
func (c *sqlCollector) Warn(context.Context, string, ...any)     {}
func (c *sqlCollector) Error(context.Context, string, ...any)    {}
func (c *sqlCollector) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	c.statements = append(c.statements, sql)
}

// explainRecords prints PostgreSQL's plan, with times, of every statement one page of q runs.
func explainRecords(b *testing.B, store *models.Store, actor *models.Actor, name string, q models.RecordListQuery) {
	collector := &sqlCollector{}
	if _, err := store.WithQueryLogger(collector).ListRecords(context.Background(), actor, q); err != nil {
		b.Fatal(err)
	}
	for _, sql := range collector.statements {
		var plan []string
		modelstest.Must(b, store.DB().Raw("EXPLAIN (ANALYZE, COSTS OFF) "+sql).Scan(&plan))
		fmt.Fprintf(os.Stderr, "=== %s\n%s\n%s\n", name, sql, strings.Join(plan, "\n"))
	}
}
