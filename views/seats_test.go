package views_test

import (
	"testing"
	"time"

	"roster/models"
	"roster/views"
)

func seatsView() views.SeatsView {
	pro := models.Plan{ID: 1, Name: "Professional", SeatsPurchased: 1200, PriceCents: 3900, Currency: "EUR"}
	starter := models.Plan{ID: 2, Name: "Starter", SeatsPurchased: 10, PriceCents: 900, Currency: "USD"}
	return views.SeatsView{
		Chrome: views.Chrome{Title: "Seats & billing", AccountName: "Northwind Traders", UserName: "Zoe Weber", UserRole: "Finance",
			CSRFToken: "csrf-finance", Section: views.SectionSeats, Nav: navFor("finance")},
		Overview: &models.SeatOverview{
			Plans: []models.PlanCost{
				{PlanUsage: models.PlanUsage{Plan: pro, InUse: 1000, Reserved: 50}, MonthlyCents: 4680000, FreeCents: 585000},
				{PlanUsage: models.PlanUsage{Plan: starter, InUse: 10}, MonthlyCents: 9000},
			},
			Totals: []models.CurrencyTotal{
				{Currency: "EUR", Purchased: 1200, InUse: 1000, Reserved: 50, Free: 150, MonthlyCents: 4680000, FreeCents: 585000},
				{Currency: "USD", Purchased: 10, InUse: 10, MonthlyCents: 9000},
			},
		},
		History: []models.PlanHistory{{Plan: starter, Months: []models.SeatMonth{
			{Month: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), InUse: 8, Purchased: 10},
			{Month: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), InUse: 0, Purchased: 10},
			{Month: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), InUse: 10, Purchased: 12},
		}}},
		Idle: &models.IdleSeatPage{Days: 60, Seats: []models.IdleSeat{
			{UserID: 31, Name: "Ben Hansen", Email: ptr("ben.hansen.31@northwind.example"), PlanName: "Professional", PriceCents: 3900, Currency: "EUR"},
			{UserID: 32, Name: "Chloe Xu", Email: ptr("chloe.xu.32@northwind.example"), LastSignInAt: ptr(time.Date(2025, 11, 2, 8, 0, 0, 0, time.UTC)),
				PlanName: "Starter", PriceCents: 900, Currency: "USD"},
		}},
		CanManageSeats: true,
		LedgerFrom:     "2025-03-10",
		LedgerTo:       "2026-03-10",
	}
}

func TestSeatsShowsEachPlansSeatsAndCost(t *testing.T) {
	doc := render(t, views.SeatsPage(seatsView()))

	rows := byTestID(doc, "seats-row")
	if rows.Length() != 2 {
		t.Fatalf("want a row per plan, got %d", rows.Length())
	}
	pro := rows.First()
	wantText(t, pro.Find("th"), "Professional")
	for id, want := range map[string]string{
		"seats-purchased": "1,200", "seats-in-use": "1,000", "seats-reserved": "50", "seats-free": "150",
		"seats-monthly": "€46,800.00", "seats-free-cost": "€5,850.00",
	} {
		wantText(t, byTestID(pro, id), want)
	}
	wantText(t, byTestID(rows.Eq(1), "seats-monthly"), "$90.00")
	wantText(t, byTestID(rows.Eq(1), "seats-free"), "0")

	totals := byTestID(doc, "seats-total")
	if totals.Length() != 2 {
		t.Fatalf("want a total per currency, got %d", totals.Length())
	}
	wantText(t, totals.First().Find("th"), "Total (EUR)")
	wantText(t, byTestID(totals.First(), "seats-total-monthly"), "€46,800.00")
	wantText(t, byTestID(totals.Eq(1), "seats-total-free-cost"), "$0.00")
	wantText(t, one(t, doc, "seats-note"), views.SeatsFreeingNote)
}

func TestSeatsOffersQuantityFormsOnlyToThoseWhoBuySeats(t *testing.T) {
	t.Run("finance", func(t *testing.T) {
		doc := render(t, views.SeatsPage(seatsView()))
		forms := byTestID(doc, "quantity-form")
		if forms.Length() != 2 {
			t.Fatalf("want a quantity form per plan, got %d", forms.Length())
		}
		pro := forms.First()
		wantAttr(t, pro, "action", "/settings/seats/plans/1/quantity")
		wantAttr(t, pro.Find("input[name=quantity]"), "value", "1200")
		wantText(t, pro.Find(`label[for="plan-1-quantity"]`), "Seats to buy on Professional")
		wantText(t, pro.Find(`label[for="plan-1-reason"]`), "Reason for the change on Professional")
		wantAttr(t, pro.Find("input[name=_csrf]"), "value", "csrf-finance")
	})
	t.Run("admin", func(t *testing.T) {
		v := seatsView()
		v.CanManageSeats = false
		doc := render(t, views.SeatsPage(v))
		absent(t, doc, "quantity-form")
		if n := doc.Find(`[data-testid="seats-table"] thead th`).Length(); n != 8 {
			t.Errorf("want 8 columns without the quantity form, got %d", n)
		}
	})
}

func TestSeatsListsIdleSeatsWithTheirCost(t *testing.T) {
	tests := []struct {
		name        string
		manageUsers bool
	}{{"finance cannot deactivate", false}, {"admin can deactivate", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := seatsView()
			v.CanManageUsers = tt.manageUsers
			v.NextIdleHref = "/settings/seats?idle=60&after=abc#idle"
			doc := render(t, views.SeatsPage(v))

			wantText(t, doc.Find("#idle-title"), "Seats held by people who have not signed in for 60 days")
			wantTexts(t, byTestID(doc, "idle-tab"), "30 days", "60 days", "90 days")
			wantAttr(t, doc.Find(`[data-testid="idle-tab"][aria-current="page"]`), "href", "/settings/seats?idle=60#idle")
			wantText(t, one(t, doc, "idle-summary"), "2 listed on this page, costing €39.00 + $9.00 a month")
			rows := byTestID(doc, "idle-row")
			wantText(t, byTestID(rows.First(), "idle-last-sign-in"), "Never")
			wantText(t, byTestID(rows.Eq(1), "idle-last-sign-in"), "2 Nov 2025")
			wantText(t, rows.Eq(1).Find("th"), "Chloe Xu")
			wantAttr(t, one(t, doc, "idle-next"), "href", "/settings/seats?idle=60&after=abc#idle")

			boxes := doc.Find(`[data-testid="idle-row"] input[type=checkbox]`)
			if tt.manageUsers {
				if boxes.Length() != 2 {
					t.Fatalf("want a checkbox per idle seat, got %d", boxes.Length())
				}
				wantAttr(t, boxes.First(), "aria-label", "Select Ben Hansen")
				wantAttr(t, boxes.First(), "value", "31")
				wantText(t, one(t, doc, "idle-deactivate"), "Deactivate selected…")
			} else {
				if boxes.Length() != 0 {
					t.Errorf("a viewer who cannot deactivate gets %d checkboxes", boxes.Length())
				}
				absent(t, doc, "idle-deactivate")
			}
		})
	}
}

func TestSeatsSaysWhenNoSeatIsIdle(t *testing.T) {
	v := seatsView()
	v.Idle = &models.IdleSeatPage{Days: 30}
	doc := render(t, views.SeatsPage(v))
	wantText(t, one(t, doc, "idle-empty"), "Everyone holding a seat has signed in within 30 days.")
	absent(t, doc, "idle-table")
	absent(t, doc, "idle-next")
}

func TestSeatsChartDescribesEveryMonthInText(t *testing.T) {
	doc := render(t, views.SeatsPage(seatsView()))

	chart := one(t, doc, "seats-chart")
	wantAttr(t, chart, "data-plan-id", "2")
	wantText(t, chart.Find("title").First(),
		"Plan Starter, seats in use of purchased at each month end: Jan 2026 8 of 10; Feb 2026 0 of 10; Mar 2026 10 of 12.")
	months := byTestID(doc, "seats-chart-month")
	if months.Length() != 3 {
		t.Fatalf("want 3 months, got %d", months.Length())
	}
	wantText(t, months.Eq(1).Find("title"), "February 2026: 0 in use of 10 purchased")
	if months.Eq(1).Find("rect").Length() != 0 {
		t.Error("a month with no seat in use draws a bar")
	}
	if months.Eq(2).Find("rect").Length() != 1 {
		t.Error("a month with seats in use draws no bar")
	}
}

func TestSeatsPrefillsTheLedgerExportAndShowsNotices(t *testing.T) {
	v := seatsView()
	v.Notices = []string{"Idle periods are 30, 60 or 90 days; showing 60."}
	doc := render(t, views.SeatsPage(v))
	wantText(t, one(t, doc, "notice"), "Idle periods are 30, 60 or 90 days; showing 60.")
	form := one(t, doc, "ledger-form")
	wantAttr(t, form, "action", "/settings/seats/ledger.csv")
	wantAttr(t, form.Find("#ledger-from"), "value", "2025-03-10")
	wantAttr(t, form.Find("#ledger-to"), "value", "2026-03-10")
}
