package handlers

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// recordsFixture is an account with a deactivated member who owns records and an active member
// who can take them over.
type recordsFixture struct {
	acc      *modelstest.Account
	leaver   *models.User
	receiver *models.User
	records  []int64
}

func newRecordsFixture(t *testing.T, store *models.Store) *recordsFixture {
	t.Helper()
	f := &recordsFixture{acc: modelstest.NewAccount(t, store)}
	f.leaver = addPerson(t, store, f.acc, "Lea Leaver", models.RoleMember, models.StatusInactive)
	f.receiver = addPerson(t, store, f.acc, "Rita Receiver", models.RoleMember, models.StatusActive)
	now := time.Now().UTC()
	for i, kind := range []string{"deal", "deal", "lead", "contact"} {
		r := models.Record{AccountID: f.acc.Account.ID, Kind: kind, Title: "Record " + strconv.Itoa(i) + " <b>bold</b>", IsOpen: i != 3,
			OwnerID: f.leaver.ID, CreatedByID: f.leaver.ID, CreatedAt: now, UpdatedAt: now}
		if err := store.DB().Create(&r).Error; err != nil {
			t.Fatal(err)
		}
		f.records = append(f.records, r.ID)
	}
	return f
}

func TestRecordsPage(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		f := newRecordsFixture(t, store)
		b := app.newBrowser(t)
		b.mustSignIn(f.acc.Owner.EmailAddress(), modelstest.Password)

		t.Run("WholePageFilteredByOwner", func(t *testing.T) {
			res := b.get("/settings/records?owner=" + strconv.FormatInt(f.leaver.ID, 10) + "&kind=deal")
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			doc := res.doc(t)
			if doc.Find("html").Length() != 1 || doc.Find("#record-filters").Length() != 1 {
				t.Fatal("a direct load must return the whole page with the filters")
			}
			if rows := doc.Find(`[data-testid="record-row"]`).Length(); rows != 2 {
				t.Fatalf("%d rows, want the leaver's 2 deals", rows)
			}
			if status := doc.Find(`[data-testid="record-owner-status"]`).First().Text(); status != "Inactive" {
				t.Fatalf("owner status %q", status)
			}
			if strings.Contains(res.body, "<b>bold</b>") {
				t.Fatal("a record title must be escaped")
			}
		})
		t.Run("HtmxGetsOnlyTheListFragment", func(t *testing.T) {
			res := b.get("/settings/records?sort=kind&dir=desc", "HX-Request", "true")
			doc := res.doc(t)
			if strings.Contains(res.body, "<html") || doc.Find("#record-list").Length() != 1 || doc.Find(`#record-filter-state[hx-swap-oob]`).Length() != 1 {
				t.Fatalf("fragment: %.300s", res.body)
			}
			if full := b.get("/settings/records", "HX-Request", "true", "HX-Boosted", "true"); !strings.Contains(full.body, "<html") {
				t.Fatal("a boosted request must get the whole page")
			}
		})
		t.Run("HostileParametersGiveAPage", func(t *testing.T) {
			for _, query := range []string{"q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "q=%27%20OR%201%3D1%20--", "q=%ff%fe", "q=" + strings.Repeat("a", 20000),
				"kind=%3Cb%3E", "owner_status=gone", "open=maybe", "sort=title;DROP", "after=garbage", "owner=abc", "owner=99999999999999999999"} {
				if res := b.get("/settings/records?" + query); res.status != http.StatusOK || strings.Contains(res.body, "<script>alert") {
					t.Errorf("?%.60s: status %d", query, res.status)
				}
			}
			other := modelstest.NewAccount(t, store)
			if res := b.get("/settings/records?owner=" + strconv.FormatInt(other.Owner.ID, 10)); res.status != http.StatusNotFound {
				t.Errorf("another account's owner: status %d, want 404", res.status)
			}
		})
		t.Run("CSVExport", func(t *testing.T) {
			res := b.get("/settings/records/export.csv?owner=" + strconv.FormatInt(f.leaver.ID, 10))
			if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("status %d, type %q", res.status, res.header.Get("Content-Type"))
			}
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.body, "\ufeff"))).ReadAll()
			if err != nil || len(rows) != 5 || rows[1][5] != "Lea Leaver" {
				t.Fatalf("export: %v %q", err, rows)
			}
		})
		t.Run("HandOverNeedsCSRF", func(t *testing.T) {
			form := url.Values{"ids": {strconv.FormatInt(f.records[0], 10)}, "step": {"confirm"}, "records_to": {strconv.FormatInt(f.receiver.ID, 10)}}
			if res := b.post("/settings/records/hand-over", form); res.status != http.StatusForbidden {
				t.Fatalf("without a token: status %d, want 403", res.status)
			}
		})
		t.Run("HandOverASelection", func(t *testing.T) {
			ids := []string{strconv.FormatInt(f.records[0], 10), strconv.FormatInt(f.records[2], 10)}
			form := b.submit("/settings/records", "/settings/records/hand-over", url.Values{"ids": ids})
			if form.status != http.StatusOK || form.doc(t).Find(`[data-testid="record-handover-form"]`).Length() != 1 {
				t.Fatalf("the hand-over form: status %d", form.status)
			}
			refused := b.submit("/settings/records", "/settings/records/hand-over", url.Values{"ids": {strings.Join(ids, ",")}, "step": {"confirm"},
				"records_to": {strconv.FormatInt(f.leaver.ID, 10)}})
			if refused.status != http.StatusUnprocessableEntity || refused.doc(t).Find(`#records_to-error`).Length() == 0 && !strings.Contains(refused.body, "active user") {
				t.Fatalf("an inactive recipient: status %d", refused.status)
			}
			done := b.submit("/settings/records", "/settings/records/hand-over", url.Values{"ids": {strings.Join(ids, ",")}, "step": {"confirm"},
				"records_to": {strconv.FormatInt(f.receiver.ID, 10)}, "q": {"Record"}})
			if done.status != http.StatusSeeOther || !strings.HasPrefix(done.header.Get("Location"), "/settings/records?q=Record") {
				t.Fatalf("hand-over: status %d, location %q", done.status, done.header.Get("Location"))
			}
			var moved int64
			store.DB().Model(&models.Record{}).Where("id IN ? AND owner_id = ?", []int64{f.records[0], f.records[2]}, f.receiver.ID).Count(&moved)
			if moved != 2 {
				t.Fatalf("%d records moved, want 2", moved)
			}
		})
	})
}

func TestRecordsPageForScopedRoles(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		f := newRecordsFixture(t, store)
		manager := addPerson(t, store, f.acc, "Mo Manager", models.RoleManager, models.StatusActive)
		member := addPerson(t, store, f.acc, "Mia Member", models.RoleMember, models.StatusActive)
		b := app.newBrowser(t)
		b.mustSignIn(manager.EmailAddress(), modelstest.Password)
		if res := b.get("/settings/records"); res.status != http.StatusOK || strings.Contains(res.body, "Record 0") {
			t.Fatalf("a manager without reports: status %d, sees others' records: %v", res.status, strings.Contains(res.body, "Record 0"))
		}
		if res := b.get("/settings/records?owner=" + strconv.FormatInt(f.leaver.ID, 10)); res.status != http.StatusNotFound {
			t.Fatalf("owner outside reach: status %d, want 404", res.status)
		}
		m := app.newBrowser(t)
		m.mustSignIn(member.EmailAddress(), modelstest.Password)
		if res := m.get("/settings/records"); res.status != http.StatusForbidden {
			t.Fatalf("a member: status %d, want 403", res.status)
		}
	})
}

func TestHandoverUndoPages(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		f := newRecordsFixture(t, store)
		b := app.newBrowser(t)
		b.mustSignIn(f.acc.Owner.EmailAddress(), modelstest.Password)
		done := b.submit("/settings/records", "/settings/records/hand-over", url.Values{"ids": {strconv.FormatInt(f.records[0], 10) + "," + strconv.FormatInt(f.records[1], 10)},
			"step": {"confirm"}, "records_to": {strconv.FormatInt(f.receiver.ID, 10)}})
		if done.status != http.StatusSeeOther {
			t.Fatalf("hand-over: status %d", done.status)
		}
		var event models.AuditEvent
		store.DB().Where("account_id = ? AND action = ?", f.acc.Account.ID, models.AuditRecordsHandedOver).Take(&event)
		path := "/settings/records/undo/" + strconv.FormatInt(event.ID, 10)

		audit := b.get("/settings/audit").doc(t)
		if href, _ := audit.Find(`[data-testid="audit-undo"]`).First().Attr("href"); href != path {
			t.Fatalf("the audit log links the undo as %q, want %q", href, path)
		}
		page := b.get(path)
		if page.status != http.StatusOK || page.doc(t).Find(`[data-testid="undo-back-row"]`).Length() != 2 {
			t.Fatalf("confirm page: status %d", page.status)
		}
		if res := b.post(path, url.Values{}); res.status != http.StatusForbidden {
			t.Fatalf("undo without a CSRF token: status %d, want 403", res.status)
		}
		undone := b.submit(path, path, url.Values{})
		if undone.status != http.StatusSeeOther {
			t.Fatalf("undo: status %d", undone.status)
		}
		var back int64
		store.DB().Model(&models.Record{}).Where("id IN ? AND owner_id = ?", f.records[:2], f.leaver.ID).Count(&back)
		if back != 2 {
			t.Fatalf("%d records back, want 2", back)
		}
		again := b.get(path).doc(t)
		if again.Find(`[data-testid="undo-nothing"]`).Length() != 1 || again.Find(`[data-testid="undo-stays-row"]`).Length() != 2 {
			t.Fatal("after the undo, nothing goes back and both records are listed as moved on")
		}
		other := modelstest.NewAccount(t, store)
		o := app.newBrowser(t)
		o.mustSignIn(other.Owner.EmailAddress(), modelstest.Password)
		if res := o.get(path); res.status != http.StatusNotFound {
			t.Fatalf("another account's event: status %d, want 404", res.status)
		}
		if res := b.get("/settings/records/undo/abc"); res.status != http.StatusNotFound {
			t.Fatalf("a malformed ID: status %d, want 404", res.status)
		}
	})
}
