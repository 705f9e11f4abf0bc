package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// BenchmarkDeactivate1000UsersWith100kRecords measures the wizard's last step at scale on
// PostgreSQL: 1,000 users hand 100 open records each to one colleague.
func BenchmarkDeactivate1000UsersWith100kRecords(b *testing.B) {
	store := modelstest.Postgres(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		acc, ids, receiver := bulkLeavers(b, store, 1000, 100)
		b.StartTimer()
		res, err := store.Deactivate(ctx, acc.Actor, ids, models.HandoverPlan{RecordsTo: receiver, GroupsTo: receiver, ManagerTo: receiver})
		if err != nil {
			b.Fatal(err)
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
	store.DB().Create(&plan)
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
	store.DB().Exec("VACUUM ANALYZE records")
	store.DB().Exec("VACUUM ANALYZE users")
	return acc, ids, receiver
}
