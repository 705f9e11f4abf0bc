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

func TestDeleteOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		admin := app.newBrowser(t)
		admin.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		deletePath := func(ids ...*models.User) string {
			parts := make([]string, len(ids))
			for i, u := range ids {
				parts[i] = strconv.FormatInt(u.ID, 10)
			}
			return "/settings/users/delete?ids=" + strings.Join(parts, ",")
		}
		profilePath := func(u *models.User) string { return "/settings/users/" + strconv.FormatInt(u.ID, 10) }

		t.Run("ScheduleShowsOnProfileAndListThenUndo", func(t *testing.T) {
			u := addPerson(t, store, acc, "Dora Delete", models.RoleMember, models.StatusInactive)
			link, _ := admin.get(profilePath(u)).doc(t).Find(`[data-testid="action-delete"]`).Attr("href")
			if link != deletePath(u) {
				t.Fatalf("the inactive user's profile links to %q, want the delete page", link)
			}
			page := admin.get(deletePath(u))
			doc := page.doc(t)
			if page.status != http.StatusOK || doc.Find(`[data-testid="delete-form"]`).Length() != 1 {
				t.Fatalf("delete page: status %d: %.300s", page.status, page.body)
			}
			due := time.Now().UTC().AddDate(0, 0, acc.Account.DeletionGraceDays).Format("2 Jan 2006")
			if grace := doc.Find(`[data-testid="delete-grace"]`).Text(); !strings.Contains(grace, due) {
				t.Fatalf("grace text %q lacks the due date %s", grace, due)
			}
			if _, disabled := doc.Find(`[data-testid="mode-remove"]`).Attr("disabled"); disabled {
				t.Fatal("remove is greyed out for a user who owns nothing and has no history")
			}
			res := admin.submit(deletePath(u), "/settings/users/delete", url.Values{"ids": {strconv.FormatInt(u.ID, 10)}, "mode": {"anonymise"}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != profilePath(u) {
				t.Fatalf("status %d location %q: %.300s", res.status, res.header.Get("Location"), res.body)
			}
			profile := admin.get(profilePath(u)).doc(t)
			if !strings.Contains(profile.Find(`[data-testid="deletion-scheduled"]`).Text(), due) ||
				profile.Find(`[data-testid="action-undo_delete"]`).Length() != 1 || profile.Find(`[data-testid="action-reactivate"]`).Length() != 0 {
				t.Fatal("the profile does not show the scheduled deletion with an undo button instead of reactivate")
			}
			list := admin.get("/settings/users?tab=inactive&q=Dora").doc(t)
			if badge := list.Find(`[data-testid="scheduled-for-deletion"]`).Text(); !strings.Contains(badge, due) {
				t.Fatalf("the Inactive tab shows %q, want the scheduled deletion with its date", badge)
			}
			res = admin.submit(profilePath(u), "/settings/users/actions", url.Values{"action": {"undo_delete"}, "ids": {strconv.FormatInt(u.ID, 10)}, "back": {profilePath(u)}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("undo: status %d: %.300s", res.status, res.body)
			}
			var after models.User
			store.DB().First(&after, u.ID)
			if after.Status != models.StatusInactive || after.DeletionDueAt != nil {
				t.Fatalf("after undo: %+v", after)
			}
		})
		t.Run("EraseNowDeletesAtOnce", func(t *testing.T) {
			u := addPerson(t, store, acc, "Erin Erase", models.RoleMember, models.StatusInactive)
			res := admin.submit(deletePath(u), "/settings/users/delete", url.Values{"ids": {strconv.FormatInt(u.ID, 10)}, "mode": {"anonymise"}, "erase_now": {"1"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			var after models.User
			store.DB().First(&after, u.ID)
			if after.Status != models.StatusDeleted || after.Name != models.DeletedUserName || after.Email != nil {
				t.Fatalf("after erase now: %+v", after)
			}
			if got := admin.get(profilePath(u)).status; got != http.StatusNotFound {
				t.Fatalf("a deleted user's profile: status %d, want 404", got)
			}
		})
		t.Run("RefusedOutcomesAreGreyedOutWithReasons", func(t *testing.T) {
			u := addPerson(t, store, acc, "Owen Owner", models.RoleMember, models.StatusInactive)
			now := time.Now().UTC()
			store.DB().Create(&models.Record{AccountID: acc.Account.ID, Kind: "deal", Title: "Deal", IsOpen: true, OwnerID: u.ID, CreatedByID: u.ID, CreatedAt: now, UpdatedAt: now})
			doc := admin.get(deletePath(u)).doc(t)
			if _, disabled := doc.Find(`[data-testid="mode-remove"]`).Attr("disabled"); !disabled {
				t.Fatal("remove is offered for a user who owns records")
			}
			reasons := doc.Find(`[data-testid="reasons-remove"]`)
			if !strings.Contains(reasons.Text(), "Owns 1 record") || reasons.Find("a").Length() == 0 {
				t.Fatalf("remove reasons %q, want the records with a link that fixes it", reasons.Text())
			}
			res := admin.refusedInPlace(admin.submit(deletePath(u), "/settings/users/delete", url.Values{"ids": {strconv.FormatInt(u.ID, 10)}, "mode": {"remove"}}))
			if !strings.Contains(res.body, "Owns 1 record") {
				t.Fatalf("forced remove: status %d: %.300s", res.status, res.body)
			}
		})
		t.Run("BadInput", func(t *testing.T) {
			u := addPerson(t, store, acc, "Bea Bad", models.RoleMember, models.StatusInactive)
			res := admin.submit(deletePath(u), "/settings/users/delete", url.Values{"ids": {strconv.FormatInt(u.ID, 10)}, "mode": {"shred"}})
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `data-testid="error-mode"`) {
				t.Fatalf("unknown mode: status %d", res.status)
			}
			active := addPerson(t, store, acc, "Alan Active", models.RoleMember, models.StatusActive)
			profile := "/settings/users/" + strconv.FormatInt(active.ID, 10)
			res = admin.submit(deletePath(u), "/settings/users/delete", url.Values{"ids": {strconv.FormatInt(active.ID, 10)}, "mode": {"anonymise"}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != profile {
				t.Fatalf("deleting an active user: status %d to %q, want their profile", res.status, res.header.Get("Location"))
			}
			admin.get(profile) // the flash is shown there
			// Opening the delete page of an active user leads to their profile, which says why once.
			page := admin.get(deletePath(active))
			if page.status != http.StatusSeeOther || page.header.Get("Location") != profile {
				t.Fatalf("delete page of an active user: status %d to %q", page.status, page.header.Get("Location"))
			}
			shown := admin.get(profile).body
			if n := strings.Count(shown, "Only inactive users can be deleted"); n != 1 {
				t.Fatalf("the profile gives the reason %d times, want once", n)
			}
			other := modelstest.NewAccount(t, store)
			for _, path := range []string{"/settings/users/delete?ids=" + strconv.FormatInt(other.Owner.ID, 10), "/settings/users/delete?ids=abc", "/settings/users/delete"} {
				if got := admin.get(path).status; got != http.StatusNotFound {
					t.Fatalf("GET %s: status %d, want 404", path, got)
				}
			}
			res = admin.submit(deletePath(u), "/settings/users/delete", url.Values{"ids": {strconv.FormatInt(other.Owner.ID, 10)}, "mode": {"anonymise"}})
			if res.status != http.StatusNotFound {
				t.Fatalf("deleting a foreign user: status %d", res.status)
			}
		})
		t.Run("BulkDeleteFromInactiveTab", func(t *testing.T) {
			a := addPerson(t, store, acc, "Bulk One", models.RoleMember, models.StatusInactive)
			b := addPerson(t, store, acc, "Bulk Two", models.RoleMember, models.StatusInactive)
			ids := strconv.FormatInt(a.ID, 10) + "," + strconv.FormatInt(b.ID, 10)
			page := admin.submit("/settings/users?tab=inactive", "/settings/users/actions", url.Values{"action": {"delete"}, "ids": {strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10)}, "tab": {"inactive"}})
			if page.status != http.StatusOK || !strings.Contains(page.body, `data-testid="delete-selection"`) {
				t.Fatalf("bulk delete page: status %d: %.300s", page.status, page.body)
			}
			res := admin.submit("/settings/users?tab=inactive", "/settings/users/delete", url.Values{"ids": {ids}, "mode": {"with_history"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			var n int64
			store.DB().Model(&models.User{}).Where("id IN ? AND deletion_due_at IS NOT NULL", []int64{a.ID, b.ID}).Count(&n)
			if n != 2 {
				t.Fatalf("%d of 2 scheduled", n)
			}
		})
	})
}
