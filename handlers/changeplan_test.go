package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

func addSeatPlan(t *testing.T, store *models.Store, acc *modelstest.Account, name string, seats int) int64 {
	t.Helper()
	plan := models.Plan{AccountID: acc.Account.ID, Name: name, SeatsPurchased: seats, PriceCents: 1000, Currency: "EUR", CreatedAt: time.Now()}
	if err := store.DB().Create(&plan).Error; err != nil {
		t.Fatal(err)
	}
	if err := store.DB().Create(&models.SeatLedgerEntry{AccountID: acc.Account.ID, PlanID: plan.ID, PurchasedChange: seats,
		Reason: models.SeatReasonPurchased, ChangedAt: time.Now().UTC()}).Error; err != nil {
		t.Fatal(err)
	}
	return plan.ID
}

func planOfUser(t *testing.T, store *models.Store, id int64) int64 {
	t.Helper()
	var u models.User
	if err := store.DB().First(&u, id).Error; err != nil {
		t.Fatal(err)
	}
	if u.PlanID == nil {
		return 0
	}
	return *u.PlanID
}

// ledgerInUse sums the seat ledger of a plan made by the test, which only the store changes.
func ledgerHeld(t *testing.T, store *models.Store, planID int64) (inUse, reserved, bought int64) {
	t.Helper()
	var row struct{ InUse, Reserved, Bought int64 }
	store.DB().Model(&models.SeatLedgerEntry{}).Select("COALESCE(SUM(in_use_change), 0) AS in_use, COALESCE(SUM(reserved_change), 0) AS reserved, COALESCE(SUM(purchased_change), 0) AS bought").
		Where("plan_id = ?", planID).Scan(&row)
	return row.InUse, row.Reserved, row.Bought
}

func TestChangePlanOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		other := modelstest.NewAccount(t, store)
		admin := app.newBrowser(t)
		admin.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		premium := addSeatPlan(t, store, acc, "Premium", 2)
		premiumID := strconv.FormatInt(premium, 10)
		ann, bo := addPerson(t, store, acc, "Ann Active", models.RoleMember, models.StatusActive), addPerson(t, store, acc, "Bo Active", models.RoleMember, models.StatusActive)
		cy := addPerson(t, store, acc, "Cy Active", models.RoleMember, models.StatusActive)
		dee := addPerson(t, store, acc, "Dee Inactive", models.RoleMember, models.StatusInactive)
		id := func(u *models.User) string { return strconv.FormatInt(u.ID, 10) }

		t.Run("TheActionsMenuOffersItOnEveryTab", func(t *testing.T) {
			addPerson(t, store, acc, "Ida Invited", models.RoleMember, models.StatusInvited)
			for _, tab := range []string{"active", "inactive", "invited"} {
				options := admin.get("/settings/users?tab=" + tab).doc(t).Find(`[data-testid="bulk-action"] option`)
				var values []string
				for i := range options.Nodes {
					v, _ := options.Eq(i).Attr("value")
					values = append(values, v)
				}
				if !slices.Contains(values, "change_plan") {
					t.Errorf("tab %s: no change_plan action among %v", tab, values)
				}
			}
		})
		t.Run("BulkActionShowsThePlansWithFreeSeats", func(t *testing.T) {
			page := admin.submit("/settings/users", "/settings/users/actions", url.Values{"action": {"change_plan"}, "ids": {id(ann), id(bo)}, "tab": {"active"}})
			if page.status != http.StatusOK {
				t.Fatalf("status %d: %.300s", page.status, page.body)
			}
			doc := page.doc(t)
			if sel := doc.Find(`[data-testid="change-plan-selection"]`).Text(); !strings.Contains(sel, "2 selected users") {
				t.Fatalf("selection %q", sel)
			}
			if opt := doc.Find(`[data-testid="change-plan-select"] option[value="` + premiumID + `"]`).Text(); !strings.Contains(opt, "2 of 2 seats free") {
				t.Fatalf("premium option %q", opt)
			}
			if ids, _ := doc.Find(`input[name="ids"]`).Attr("value"); ids != id(ann)+","+id(bo) {
				t.Fatalf("ids %q", ids)
			}
		})
		t.Run("MovesWithSeats", func(t *testing.T) {
			res := admin.submit("/settings/users", "/settings/users/change-plan", url.Values{"ids": {id(ann) + "," + id(bo)}, "plan": {premiumID}, "back": {"/settings/users?tab=active"}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings/users?tab=active" {
				t.Fatalf("status %d location %q: %.300s", res.status, res.header.Get("Location"), res.body)
			}
			if flash := admin.get("/settings/users?tab=active").doc(t).Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "Moved 2 people: "+ann.Name+" and "+bo.Name+" to Premium.") && !strings.Contains(flash, "Moved 2 people: "+bo.Name+" and "+ann.Name+" to Premium.") {
				t.Fatalf("flash %q", flash)
			}
			if planOfUser(t, store, ann.ID) != premium || planOfUser(t, store, bo.ID) != premium {
				t.Fatal("users not moved")
			}
			if inUse, reserved, bought := ledgerHeld(t, store, premium); inUse != 2 || reserved != 0 || bought != 2 {
				t.Fatalf("ledger of Premium: %d in use, %d reserved, %d bought", inUse, reserved, bought)
			}
		})
		t.Run("RefusesWithoutSeatsAndChangesNothing", func(t *testing.T) {
			before := planOfUser(t, store, cy.ID)
			res := admin.refusedInPlace(admin.submit("/settings/users", "/settings/users/change-plan", url.Values{"ids": {id(cy)}, "plan": {premiumID}}))
			if !strings.Contains(res.body, "Plan Premium lacks 1 seat") {
				t.Fatalf("refusal does not name the plan and the missing seat: %.600s", res.body)
			}
			if planOfUser(t, store, cy.ID) != before {
				t.Fatal("refused change moved the user")
			}
			if inUse, _, _ := ledgerHeld(t, store, premium); inUse != 2 {
				t.Fatalf("ledger of Premium: %d in use after a refusal", inUse)
			}
		})
		t.Run("InactiveUsersMoveWithoutSeats", func(t *testing.T) {
			res := admin.submit("/settings/users", "/settings/users/change-plan", url.Values{"ids": {id(dee)}, "plan": {premiumID}})
			if res.status != http.StatusSeeOther || planOfUser(t, store, dee.ID) != premium {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
		})
		t.Run("AlreadyOnThePlanIsRefusedPerPerson", func(t *testing.T) {
			res := admin.refusedInPlace(admin.submit("/settings/users", "/settings/users/change-plan", url.Values{"ids": {id(ann)}, "plan": {premiumID}}))
			if !strings.Contains(res.body, "Already on plan Premium") {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
		})
		t.Run("ProfileLinksToIt", func(t *testing.T) {
			href, _ := admin.get("/settings/users/" + id(cy)).doc(t).Find(`[data-testid="action-change-plan"]`).Attr("href")
			if href != "/settings/users/change-plan?ids="+id(cy) {
				t.Fatalf("href %q", href)
			}
			page := admin.get(href)
			if page.status != http.StatusOK {
				t.Fatalf("status %d", page.status)
			}
			if back, _ := page.doc(t).Find(`input[name="back"]`).Attr("value"); back != "/settings/users/"+id(cy) {
				t.Fatalf("back %q", back)
			}
		})
		t.Run("BadInput", func(t *testing.T) {
			res := admin.submit("/settings/users", "/settings/users/change-plan", url.Values{"ids": {id(cy)}, "plan": {"abc"}})
			if res.status != http.StatusUnprocessableEntity || res.doc(t).Find(`[data-testid="error-plan"]`).Text() == "" {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			foreignPlan := firstPlanID(t, store, other.Account.ID)
			if res := admin.submit("/settings/users", "/settings/users/change-plan", url.Values{"ids": {id(cy)}, "plan": {foreignPlan}}); res.status != http.StatusNotFound {
				t.Fatalf("foreign plan: status %d", res.status)
			}
			foreignUser := strconv.FormatInt(other.Owner.ID, 10)
			if res := admin.get("/settings/users/change-plan?ids=" + foreignUser); res.status != http.StatusNotFound {
				t.Fatalf("foreign user page: status %d", res.status)
			}
			if res := admin.submit("/settings/users", "/settings/users/change-plan", url.Values{"ids": {foreignUser}, "plan": {premiumID}}); res.status != http.StatusNotFound {
				t.Fatalf("foreign user: status %d", res.status)
			}
			if planOfUser(t, store, other.Owner.ID) == premium {
				t.Fatal("a foreign user moved")
			}
		})
		t.Run("FinanceMayNot", func(t *testing.T) {
			fin := addPerson(t, store, acc, "Fay Finance", models.RoleFinance, models.StatusActive)
			b := app.newBrowser(t)
			b.mustSignIn(fin.EmailAddress(), modelstest.Password)
			if res := b.get("/settings/users/change-plan?ids=" + id(cy)); res.status != http.StatusForbidden {
				t.Fatalf("finance: status %d", res.status)
			}
		})
	})
}
