package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

func TestSeatQuantityOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		other := modelstest.NewAccount(t, store)
		owner := app.newBrowser(t)
		owner.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		plan := addSeatPlan(t, store, acc, "Team", 5)
		path := "/settings/seats/plans/" + strconv.FormatInt(plan, 10) + "/quantity"
		for i, status := range []models.UserStatus{models.StatusActive, models.StatusActive, models.StatusInvited} {
			u := addPerson(t, store, acc, "Holder "+strconv.Itoa(i), models.RoleMember, status)
			if _, err := store.ChangePlan(t.Context(), acc.Actor, []int64{u.ID}, plan); err != nil {
				t.Fatal(err)
			}
		}
		purchased := func() int {
			var p models.Plan
			store.DB().First(&p, plan)
			return p.SeatsPurchased
		}

		t.Run("FormShowsUsage", func(t *testing.T) {
			page := owner.get(path)
			if page.status != http.StatusOK {
				t.Fatalf("status %d", page.status)
			}
			if usage := page.doc(t).Find(`[data-testid="seat-usage"]`).Text(); !strings.Contains(usage, "2 in use, 1 reserved by invitations, 2 free") {
				t.Fatalf("usage %q", usage)
			}
		})
		t.Run("RaiseAndLowerRedirectToSeatsAndBilling", func(t *testing.T) {
			for _, q := range []int{12, 3} {
				res := owner.submit(path, path, url.Values{"quantity": {strconv.Itoa(q)}, "reason": {"test"}})
				if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings/seats" {
					t.Fatalf("quantity %d: status %d location %q: %.300s", q, res.status, res.header.Get("Location"), res.body)
				}
				if purchased() != q {
					t.Fatalf("quantity %d: plan has %d", q, purchased())
				}
			}
			if _, _, bought := ledgerHeld(t, store, plan); bought != 3 {
				t.Fatalf("ledger sums to %d purchased, want 3", bought)
			}
		})
		t.Run("BelowUseIsRefusedBesideTheField", func(t *testing.T) {
			res := owner.submit(path, path, url.Values{"quantity": {"2"}})
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			msg := res.doc(t).Find(`[data-testid="error-quantity"]`).Text()
			if !strings.Contains(msg, "Plan Team needs at least 3 seats: 2 in use and 1 reserved by invitations") {
				t.Fatalf("message %q", msg)
			}
			if purchased() != 3 {
				t.Fatalf("refused change left %d seats", purchased())
			}
			for _, bad := range []string{"abc", "-1", "1000001"} {
				if res := owner.submit(path, path, url.Values{"quantity": {bad}}); res.status != http.StatusUnprocessableEntity ||
					res.doc(t).Find(`[data-testid="error-quantity"]`).Text() == "" {
					t.Errorf("quantity %q: status %d", bad, res.status)
				}
			}
		})
		t.Run("ForeignPlanIsNotFound", func(t *testing.T) {
			foreign := "/settings/seats/plans/" + firstPlanID(t, store, other.Account.ID) + "/quantity"
			if res := owner.get(foreign); res.status != http.StatusNotFound {
				t.Fatalf("status %d", res.status)
			}
			if res := owner.submit(path, foreign, url.Values{"quantity": {"50"}}); res.status != http.StatusNotFound {
				t.Fatalf("status %d", res.status)
			}
		})
		t.Run("FinanceMayAdminMayNot", func(t *testing.T) {
			fin := app.newBrowser(t)
			fin.mustSignIn(addPerson(t, store, acc, "Fay Finance", models.RoleFinance, models.StatusActive).EmailAddress(), modelstest.Password)
			if res := fin.submit(path, path, url.Values{"quantity": {"4"}}); res.status != http.StatusSeeOther || purchased() != 4 {
				t.Fatalf("finance: status %d, %d seats", res.status, purchased())
			}
			adm := app.newBrowser(t)
			adm.mustSignIn(addPerson(t, store, acc, "Al Admin", models.RoleAdmin, models.StatusActive).EmailAddress(), modelstest.Password)
			if res := adm.get(path); res.status != http.StatusForbidden {
				t.Fatalf("admin form: status %d", res.status)
			}
			if res := adm.submit("/settings/users", path, url.Values{"quantity": {"9"}}); res.status != http.StatusForbidden || purchased() != 4 {
				t.Fatalf("admin: status %d, %d seats", res.status, purchased())
			}
		})
	})
}
