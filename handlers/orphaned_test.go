package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

func TestOrphanedWorkOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		boss := addPerson(t, store, acc, "Finn Jensen", models.RoleMember, models.StatusActive)
		leaver := addPerson(t, store, acc, `<script>alert(1)</script> Nora`, models.RoleMember, models.StatusInactive)
		member := addPerson(t, store, acc, "Ben Member", models.RoleMember, models.StatusActive)
		modelstest.Must(t, store.DB().Model(leaver).Update("manager_id", boss.ID))
		now := time.Now().UTC()
		for i := 0; i < 3; i++ {
			r := models.Record{AccountID: acc.Account.ID, Kind: "deal", Title: "Deal", IsOpen: true, OwnerID: leaver.ID,
				CreatedByID: leaver.ID, CreatedAt: now, UpdatedAt: now}
			modelstest.Must(t, store.DB().Create(&r))
		}
		stranger := modelstest.NewAccount(t, store)
		admin := app.newBrowser(t)
		admin.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		handoverPath := "/settings/orphaned-work/" + strconv.FormatInt(leaver.ID, 10) + "/hand-over"

		t.Run("NavigationCounts", func(t *testing.T) {
			doc := admin.get("/settings/users").doc(t)
			if got := doc.Find(`[data-testid="nav-count-orphaned"]`).Text(); !strings.Contains(got, "1") {
				t.Fatalf("nav count %q", got)
			}
		})
		t.Run("ListsWithSuggestion", func(t *testing.T) {
			page := admin.get("/settings/orphaned-work")
			if page.status != http.StatusOK {
				t.Fatalf("status %d", page.status)
			}
			doc := page.doc(t)
			if n := doc.Find(`[data-testid="orphan"]`).Length(); n != 1 {
				t.Fatalf("%d rows", n)
			}
			if got := doc.Find(`[data-testid="orphan-suggested"]`).Text(); !strings.Contains(got, "Finn Jensen") {
				t.Fatalf("suggestion %q", got)
			}
			if strings.Contains(page.body, "<script>alert") {
				t.Fatal("a name was not escaped")
			}
		})
		t.Run("BadPageIsNotFound", func(t *testing.T) {
			for _, q := range []string{"?page=x", "?page=-1", "?page=99999999999"} {
				if res := admin.get("/settings/orphaned-work" + q); res.status != http.StatusNotFound {
					t.Errorf("%s: status %d", q, res.status)
				}
			}
		})
		t.Run("ForbiddenToMembers", func(t *testing.T) {
			b := app.newBrowser(t)
			b.mustSignIn(member.EmailAddress(), modelstest.Password)
			if res := b.get("/settings/orphaned-work"); res.status != http.StatusForbidden {
				t.Fatalf("status %d", res.status)
			}
		})
		t.Run("RefusesWithoutCSRF", func(t *testing.T) {
			if res := admin.post(handoverPath, url.Values{"to": {strconv.FormatInt(boss.ID, 10)}}); res.status != http.StatusForbidden {
				t.Fatalf("status %d", res.status)
			}
		})
		t.Run("OtherAccountIsNotFound", func(t *testing.T) {
			path := "/settings/orphaned-work/" + strconv.FormatInt(stranger.Owner.ID, 10) + "/hand-over"
			if res := admin.get(path); res.status != http.StatusNotFound {
				t.Fatalf("GET status %d", res.status)
			}
			res := admin.submit("/settings/orphaned-work", path, url.Values{"to": {strconv.FormatInt(boss.ID, 10)}})
			if res.status != http.StatusNotFound {
				t.Fatalf("POST status %d", res.status)
			}
		})
		t.Run("UnusableRecipientShownBesideField", func(t *testing.T) {
			for _, to := range []string{"", "abc", strconv.FormatInt(stranger.Owner.ID, 10), strconv.FormatInt(leaver.ID, 10)} {
				res := admin.submit(handoverPath, handoverPath, url.Values{"to": {to}})
				if res.status != http.StatusUnprocessableEntity || res.doc(t).Find(`[data-testid="orphan-to-error"]`).Length() != 1 {
					t.Fatalf("to=%q: status %d", to, res.status)
				}
			}
		})
		t.Run("HandsOverToSuggestionWithNamedMessage", func(t *testing.T) {
			res := admin.submit("/settings/orphaned-work", handoverPath, url.Values{"to": {strconv.FormatInt(boss.ID, 10)}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings/orphaned-work" {
				t.Fatalf("status %d, location %q", res.status, res.header.Get("Location"))
			}
			page := admin.get("/settings/orphaned-work")
			doc := page.doc(t)
			text := doc.Find(`[data-testid="flash-text"]`).Text()
			if !strings.Contains(text, "<script>alert(1)</script> Nora’s work handed to Finn Jensen: 3 records") {
				t.Fatalf("flash %q", text)
			}
			if href, _ := doc.Find(`[data-testid="flash-link"]`).First().Attr("href"); href != "/settings/records?owner="+strconv.FormatInt(boss.ID, 10) {
				t.Fatalf("link %q", href)
			}
			if strings.Contains(page.body, "<script>alert") {
				t.Fatal("the message did not escape the name")
			}
			if doc.Find(`[data-testid="orphan"]`).Length() != 0 || doc.Find(`[data-testid="nav-count-orphaned"]`).Length() != 0 {
				t.Fatal("nothing should be left")
			}
		})
	})
}

// A page of 50 rows, each with its row menu and the navigation's count, stays within 40 KB.
func TestUserListPageWithRowMenusStaysSmall(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 150)
		admin := app.newBrowser(t)
		admin.mustSignIn(seeded.OwnerEmail, seeded.OwnerPassword)
		page := admin.get("/settings/users")
		doc := page.doc(t)
		if doc.Find(`[data-testid="user-row"]`).Length() != 50 || doc.Find(`[data-testid="row-menu"] [role="menuitem"]`).Length() == 0 {
			t.Fatal("want 50 rows and the row menu")
		}
		if len(page.body) > 40*1024 {
			t.Fatalf("the page is %d bytes, over 40 KB", len(page.body))
		}
		t.Logf("50-row page with row menus: %d bytes", len(page.body))
	})
}

// The row menu posts the Actions menu's route for one person, with the list to return to.
func TestRowMenuActionsOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		ina := addPerson(t, store, acc, `Ina <img src=x onerror=alert(1)>`, models.RoleMember, models.StatusInactive)
		admin := app.newBrowser(t)
		admin.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		list := "/settings/users?tab=inactive"
		doc := admin.get(list).doc(t)
		back := doc.Find(`#row-action input[name="back"]`).AttrOr("value", "")
		if back != list || doc.Find(`#row-menu [value="reactivate"]`).Length() != 1 {
			t.Fatalf("row menu form returns to %q", back)
		}
		if res := admin.post("/settings/users/actions", url.Values{"action": {"reactivate"}, "ids": {strconv.FormatInt(ina.ID, 10)}, "back": {back}}); res.status != http.StatusForbidden {
			t.Fatalf("without CSRF: status %d", res.status)
		}
		res := admin.submit(list, "/settings/users/actions", url.Values{"action": {"reactivate"}, "ids": {strconv.FormatInt(ina.ID, 10)}, "back": {back}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != list {
			t.Fatalf("status %d, location %q", res.status, res.header.Get("Location"))
		}
		page := admin.get(list)
		if strings.Contains(page.body, "<img src=x") {
			t.Fatal("the message did not escape the name")
		}
		flash := page.doc(t).Find(`[data-testid="flash-text"]`).Text()
		if flash != "Reactivated "+ina.Name+", with a seat of their plan." {
			t.Fatalf("flash %q", flash)
		}
		if href := page.doc(t).Find(`[data-testid="flash-link"]`).First().AttrOr("href", ""); href != "/settings/users/"+strconv.FormatInt(ina.ID, 10) {
			t.Fatalf("profile link %q", href)
		}
	})
}
