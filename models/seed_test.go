package models_test

import (
	"context"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

func TestDemoAccountIsRealisticAndWithinSeats(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		spec := models.DemoSpec
		spec.Domain = "demo-test-" + t.Name()[len(t.Name())-6:] + ".example"
		demo, err := store.Seed(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		db := store.DB()
		// README.md names one demo login per role; they must stay true.
		for local, role := range map[string]models.Role{"wen.jensen.3": models.RoleAdmin, "finn.garcia.8": models.RoleGroupAdmin,
			"bjorn.rossi.12": models.RoleManager, "chloe.xu.13": models.RoleSupport, "zoe.weber.14": models.RoleFinance, "ben.hansen.48": models.RoleMember} {
			var u models.User
			if err := db.Where("email = ? AND account_id = ?", local+"@"+spec.Domain, demo.Account.ID).Take(&u).Error; err != nil || u.Role != role || u.Status != models.StatusActive {
				t.Errorf("the README's demo login %s should be an active %s: %+v %v", local, role, u.Role, err)
			}
		}
		counts := statusCounts(t, store, demo.Account.ID)
		if counts[models.StatusActive] < 30 || counts[models.StatusInactive] < 3 || counts[models.StatusInvited] < 3 {
			t.Fatalf("demo should fill every tab: %v", counts)
		}
		var plans []models.Plan
		modelstest.Must(t, db.Where("account_id = ?", demo.Account.ID).Find(&plans))
		if len(plans) != 3 {
			t.Fatalf("demo has %d plans, want 3", len(plans))
		}
		for _, p := range plans {
			var holding int64
			modelstest.Must(t, db.Model(&models.User{}).Where("plan_id = ? AND status IN ?", p.ID, []models.UserStatus{models.StatusActive, models.StatusInvited}).Count(&holding))
			if holding > int64(p.SeatsPurchased) {
				t.Errorf("plan %s: %d seats held, %d purchased", p.Name, holding, p.SeatsPurchased)
			}
		}
		var groups, managed, records, history, activity int64
		modelstest.Must(t, db.Model(&models.Group{}).Where("account_id = ?", demo.Account.ID).Count(&groups))
		modelstest.Must(t, db.Model(&models.User{}).Where("account_id = ? AND manager_id IS NOT NULL", demo.Account.ID).Count(&managed))
		modelstest.Must(t, db.Model(&models.Record{}).Where("account_id = ?", demo.Account.ID).Count(&records))
		modelstest.Must(t, db.Model(&models.RecordOwnershipChange{}).Where("account_id = ?", demo.Account.ID).Count(&history))
		modelstest.Must(t, db.Model(&models.Activity{}).Where("account_id = ?", demo.Account.ID).Count(&activity))
		if groups != 5 || managed == 0 || records < 200 || history != records || activity < records {
			t.Fatalf("groups %d, managed %d, records %d, history %d, activity %d", groups, managed, records, history, activity)
		}
		if _, _, err := store.SignIn(context.Background(), demo.OwnerEmail, demo.OwnerPassword, "127.0.0.1", ""); err != nil {
			t.Fatalf("the printed demo login does not work: %v", err)
		}
	})
}
