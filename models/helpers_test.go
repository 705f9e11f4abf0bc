package models_test

import (
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

func addPlans(t *testing.T, store *models.Store, acc *modelstest.Account, names ...string) []int64 {
	t.Helper()
	var ids []int64
	for _, name := range names {
		plan := models.Plan{AccountID: acc.Account.ID, Name: name, SeatsPurchased: 10, PriceCents: 1000, Currency: "EUR", CreatedAt: time.Now()}
		if err := store.DB().Create(&plan).Error; err != nil {
			t.Fatal(err)
		}
		ids = append(ids, plan.ID)
	}
	return ids
}

func addGroup(t *testing.T, store *models.Store, acc *modelstest.Account, name string) int64 {
	t.Helper()
	group := models.Group{AccountID: acc.Account.ID, Name: name, OwnerID: acc.Owner.ID, CreatedAt: time.Now()}
	if err := store.DB().Create(&group).Error; err != nil {
		t.Fatal(err)
	}
	return group.ID
}

func addUser(t *testing.T, store *models.Store, acc *modelstest.Account, name, email string, role models.Role, status models.UserStatus, plan *int64) *models.User {
	t.Helper()
	now := time.Now().UTC()
	u := models.User{AccountID: acc.Account.ID, Email: &email, Name: name, Role: role, Status: status, PlanID: plan, CreatedAt: now, UpdatedAt: now}
	if err := store.DB().Create(&u).Error; err != nil {
		t.Fatal(err)
	}
	return &u
}

func joinGroup(t *testing.T, store *models.Store, acc *modelstest.Account, group int64, u *models.User) {
	t.Helper()
	if err := store.DB().Create(&models.GroupMember{GroupID: group, UserID: u.ID, AccountID: acc.Account.ID, CreatedAt: time.Now()}).Error; err != nil {
		t.Fatal(err)
	}
}

func addRecord(t *testing.T, store *models.Store, acc *modelstest.Account, owner *models.User, kind string, open bool) *models.Record {
	t.Helper()
	now := time.Now().UTC()
	r := models.Record{AccountID: acc.Account.ID, Kind: kind, Title: kind + " of " + owner.Name, IsOpen: open, OwnerID: owner.ID,
		CreatedByID: owner.ID, CreatedAt: now, UpdatedAt: now}
	if err := store.DB().Create(&r).Error; err != nil {
		t.Fatal(err)
	}
	return &r
}
