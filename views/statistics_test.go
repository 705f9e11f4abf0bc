package views_test

import (
	"testing"
	"time"

	"roster/models"
	"roster/views"
)

func teamStatistics(kind string) *models.TeamStatistics {
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	feb := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	return &models.TeamStatistics{
		Query: models.StatisticsQuery{From: jan, To: feb, Kind: kind},
		Months: []models.MonthStatistics{
			{Month: jan, ActivityCounts: models.ActivityCounts{RecordsCreated: 10, DealsWon: 2, Comments: 1000}},
			{Month: feb},
		},
		Users: []models.UserStatistics{
			{UserID: 3, Name: "Ada Lovelace", Status: models.StatusActive, ActivityCounts: models.ActivityCounts{RecordsCreated: 8, DealsWon: 2, Comments: 900}},
			{UserID: 4, Name: "Former Name", Status: models.StatusDeleted, ActivityCounts: models.ActivityCounts{RecordsCreated: 1, Comments: 50}},
		},
		Others:      models.ActivityCounts{RecordsCreated: 1, Comments: 50},
		OtherUsers:  3,
		ActiveUsers: 5,
		Totals:      models.ActivityCounts{RecordsCreated: 10, DealsWon: 2, Comments: 1000},
	}
}

func TestStatisticsListsTheMostActiveUsersAndTheRest(t *testing.T) {
	doc := render(t, views.StatisticsPage(views.StatisticsView{Chrome: adminChrome("Team statistics", views.SectionStatistics),
		Stats: teamStatistics("")}))

	wantText(t, one(t, doc, "statistics-summary"), "5 users with activity · 1,012 in total · the 2 most active listed")
	rows := byTestID(doc, "statistics-row")
	if rows.Length() != 2 {
		t.Fatalf("want 2 user rows, got %d", rows.Length())
	}
	wantText(t, byTestID(rows.First(), "statistics-name"), "Ada Lovelace")
	wantAttr(t, rows.First().Find("a.person"), "href", "/settings/users/3")
	wantText(t, byTestID(rows.First(), "statistics-total"), "910")
	// Someone deleted with their name erased still counts, without a link or their old name.
	wantText(t, byTestID(rows.Eq(1), "statistics-name"), models.DeletedUserName)
	if rows.Eq(1).Find("a").Length() != 0 {
		t.Error("a deleted user links to a profile")
	}
	wantText(t, one(t, doc, "statistics-others").Find("th"), "3 other users")
	wantText(t, one(t, doc, "statistics-grand-total"), "1,012")
	wantText(t, one(t, doc, "statistics-chart").Find("title").First(),
		"All activity per month, Jan 2026 – Feb 2026: Jan 2026 1,012; Feb 2026 0.")
	wantTexts(t, one(t, doc, "chart-legend").Find("li"), "Records created 10", "Deals won 2", "Comments 1,000")
}

func TestStatisticsShowsOnlyTheChosenKind(t *testing.T) {
	doc := render(t, views.StatisticsPage(views.StatisticsView{Chrome: adminChrome("Team statistics", views.SectionStatistics),
		Stats: teamStatistics(models.ActivityDealWon), Notices: []string{"Statistics go back 24 months at most; showing the last 24."}}))

	wantTexts(t, one(t, doc, "chart-legend").Find("li"), "Deals won 2")
	wantText(t, doc.Find("select#kind option[selected]"), "Deals won")
	wantText(t, one(t, doc, "notice"), "Statistics go back 24 months at most; showing the last 24.")
	if n := doc.Find(`[data-testid="statistics-table"] thead th`).Length(); n != 4 {
		t.Errorf("want user, status, the kind and total columns, got %d", n)
	}
}

func TestStatisticsSaysWhenNothingHappened(t *testing.T) {
	s := teamStatistics("")
	s.Users, s.OtherUsers, s.ActiveUsers, s.Totals, s.Others = nil, 0, 0, models.ActivityCounts{}, models.ActivityCounts{}
	doc := render(t, views.StatisticsPage(views.StatisticsView{Chrome: adminChrome("Team statistics", views.SectionStatistics), Stats: s}))
	wantText(t, one(t, doc, "statistics-empty"), "No activity in this period.")
	wantText(t, one(t, doc, "statistics-summary"), "0 users with activity · 0 in total")
	absent(t, doc, "statistics-table")
}

func TestStatisticsTableSortsByEachColumnAndSaysHow(t *testing.T) {
	stats := teamStatistics("")
	stats.Query.Sort, stats.Query.Desc = "total", true
	doc := render(t, views.StatisticsPage(views.StatisticsView{Chrome: adminChrome("Team statistics", views.SectionStatistics), Stats: stats}))

	links := byTestID(doc, "statistics-sort")
	wantTexts(t, links, "User", "Records created", "Deals won", "Comments", "Total ▼")
	wantAttr(t, links.First(), "href", "/settings/statistics?dir=asc&from=2026-01&sort=name&to=2026-02")
	// The sorted column says so to screen readers, and a second click reverses it.
	total := links.Last()
	wantAttr(t, total.Closest("th"), "aria-sort", "descending")
	wantAttr(t, total, "href", "/settings/statistics?dir=asc&from=2026-01&sort=total&to=2026-02")
	if n := doc.Find("th[aria-sort]").Length(); n != 1 {
		t.Errorf("%d columns claim to sort the table, want 1", n)
	}
}

func TestStatisticsTellsSameNamesApartAndGivesTheChartAsATable(t *testing.T) {
	stats := teamStatistics("")
	stats.Users[0].SameNameEmail = "ada.lovelace.3@northwind.example"
	doc := render(t, views.StatisticsPage(views.StatisticsView{Chrome: adminChrome("Team statistics", views.SectionStatistics), Stats: stats}))

	rows := byTestID(doc, "statistics-row")
	wantText(t, byTestID(rows.First(), "statistics-email"), "ada.lovelace.3@northwind.example")
	if byTestID(rows.Eq(1), "statistics-email").Length() != 0 {
		t.Error("a name nobody else has gets an e-mail beside it")
	}
	table := one(t, doc, "chart-table")
	wantText(t, table.Find("summary"), "The chart's numbers as a table")
	months := byTestID(table, "chart-table-row")
	wantTexts(t, months.First().Find("th, td"), "January 2026", "10", "2", "1,000", "1,012")
	wantTexts(t, months.Eq(1).Find("th, td"), "February 2026", "0", "0", "0", "0")
}
