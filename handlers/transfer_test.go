package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// transferFixture is a user who owns records of two kinds (open and closed), a group and a report.
type transferFixture struct {
	leaver, receiver, report *models.User
	group                    int64
}

func newTransferFixture(t *testing.T, store *models.Store, acc *modelstest.Account, prefix string) transferFixture {
	t.Helper()
	f := transferFixture{
		leaver:   addPerson(t, store, acc, prefix+" Leaver", models.RoleAdmin, models.StatusActive),
		receiver: addPerson(t, store, acc, prefix+" Receiver", models.RoleMember, models.StatusActive),
		report:   addPerson(t, store, acc, prefix+" Report", models.RoleMember, models.StatusActive),
	}
	db := store.DB()
	modelstest.Must(t, db.Model(f.report).Update("manager_id", f.leaver.ID))
	now := time.Now().UTC()
	group := models.Group{AccountID: acc.Account.ID, Name: prefix + " group", OwnerID: f.leaver.ID, CreatedAt: now}
	if err := db.Create(&group).Error; err != nil {
		t.Fatal(err)
	}
	f.group = group.ID
	for i, kind := range []string{"deal", "deal", "request", "request"} {
		r := models.Record{AccountID: acc.Account.ID, Kind: kind, Title: fmt.Sprintf("%s %d", kind, i), IsOpen: i%2 == 0,
			OwnerID: f.leaver.ID, CreatedByID: f.leaver.ID, CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&r).Error; err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func transferPath(id int64) string {
	return "/settings/users/" + strconv.FormatInt(id, 10) + "/transfer"
}

func TestTransferAccountOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		admin := app.newBrowser(t)
		admin.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)

		t.Run("TransfersEverythingAndDeactivates", func(t *testing.T) {
			f := newTransferFixture(t, store, acc, "Lea")
			profilePath := "/settings/users/" + strconv.FormatInt(f.leaver.ID, 10)
			if link, _ := admin.get(profilePath).doc(t).Find(`[data-testid="action-transfer"]`).Attr("href"); link != transferPath(f.leaver.ID) {
				t.Fatalf("the profile links to %q, want the transfer page", link)
			}
			page := admin.get(transferPath(f.leaver.ID))
			doc := page.doc(t)
			if page.status != http.StatusOK {
				t.Fatalf("status %d", page.status)
			}
			for testid, want := range map[string]string{"transfer-records": "4", "transfer-groups": "1", "transfer-managed": "1", "transfer-role": "Admin"} {
				if got := strings.TrimSpace(doc.Find(`[data-testid="` + testid + `"]`).Text()); got != want {
					t.Errorf("%s shows %q, want %q", testid, got, want)
				}
			}
			options := doc.Find(`select[name="to"] option`)
			if options.Filter(`[value="`+strconv.FormatInt(f.receiver.ID, 10)+`"]`).Length() != 1 ||
				options.Filter(`[value="`+strconv.FormatInt(f.leaver.ID, 10)+`"]`).Length() != 0 {
				t.Fatal("the recipients must include the receiver and not the user being transferred")
			}
			if doc.Find(`[data-testid="then-deactivate"][checked]`).Length() != 1 {
				t.Fatal("deactivating should be the preselected next step")
			}

			hostile := `<script>alert(1)</script>`
			res := admin.submit(transferPath(f.leaver.ID), transferPath(f.leaver.ID),
				url.Values{"to": {strconv.FormatInt(f.receiver.ID, 10)}, "then": {"deactivate"}, "reason": {hostile}})
			receiverPath := "/settings/users/" + strconv.FormatInt(f.receiver.ID, 10)
			if res.status != http.StatusSeeOther || res.header.Get("Location") != receiverPath {
				t.Fatalf("status %d location %q: %.300s", res.status, res.header.Get("Location"), res.body)
			}
			profile := admin.get(receiverPath)
			want := "Transferred everything from Lea Leaver to Lea Receiver: 4 records, 1 group, 1 person, role Admin. Lea Leaver was deactivated."
			if flash := profile.doc(t).Find(`[data-testid="flash"]`).Text(); flash != want {
				t.Fatalf("flash %q, want %q", flash, want)
			}
			if strings.Contains(profile.body, "<script>alert") {
				t.Fatal("the profile shows the reason unescaped")
			}
			var leaver, receiver, report models.User
			modelstest.Must(t, store.DB().First(&leaver, f.leaver.ID))
			modelstest.Must(t, store.DB().First(&receiver, f.receiver.ID))
			modelstest.Must(t, store.DB().First(&report, f.report.ID))
			if leaver.Status != models.StatusInactive || leaver.Role != models.RoleMember || receiver.Role != models.RoleAdmin ||
				report.ManagerID == nil || *report.ManagerID != f.receiver.ID {
				t.Fatalf("leaver %s/%s, receiver %s, report's manager %v", leaver.Status, leaver.Role, receiver.Role, report.ManagerID)
			}
			var left, owner int64
			modelstest.Must(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", f.leaver.ID).Count(&left))
			modelstest.Must(t, store.DB().Model(&models.Group{}).Select("owner_id").Where("id = ?", f.group).Scan(&owner))
			if left != 0 || owner != f.receiver.ID {
				t.Fatalf("%d records left with the leaver, group owner %d", left, owner)
			}
			var event models.AuditEvent
			modelstest.Must(t, store.DB().Where("target_user_id = ? AND action = ?", f.leaver.ID, models.AuditAccountTransferred).First(&event))
			if event.ID == 0 || strings.Contains(event.Details, "<script>") || !strings.Contains(event.Details, `"records_moved":4`) {
				t.Fatalf("audit event %+v", event)
			}
			if !strings.Contains(admin.get(profilePath).doc(t).Find(".timeline").Text(), "Account transferred") {
				t.Fatal("the leaver's audit trail does not show the transfer")
			}
		})
		t.Run("TransfersEverythingAndDeletes", func(t *testing.T) {
			f := newTransferFixture(t, store, acc, "Dee")
			doc := admin.get(transferPath(f.leaver.ID)).doc(t)
			due := time.Now().AddDate(0, 0, 14).UTC().Format("2 Jan 2006")
			if label := doc.Find(`[data-testid="outcome-then-delete"] label`).First().Text(); !strings.Contains(label, "Delete them after the grace period (14 days, on "+due+")") {
				t.Fatalf("the delete choice reads %q", label)
			}
			if doc.Find(`[data-testid="transfer-mode-anonymise"][checked]`).Length() != 1 || doc.Find(`[data-testid="transfer-mode-with_history"]`).Length() != 1 ||
				doc.Find(`input[name="mode"][value="remove"]`).Length() != 0 || doc.Find(`[data-testid="transfer-erase-now"]:not([checked])`).Length() != 1 {
				t.Fatal("the page should offer anonymise (chosen) and delete with history, not remove, and erase now unticked")
			}
			res := admin.submit(transferPath(f.leaver.ID), transferPath(f.leaver.ID),
				url.Values{"to": {strconv.FormatInt(f.receiver.ID, 10)}, "then": {"delete"}, "mode": {"with_history"}})
			receiverPath := "/settings/users/" + strconv.FormatInt(f.receiver.ID, 10)
			if res.status != http.StatusSeeOther || res.header.Get("Location") != receiverPath {
				t.Fatalf("status %d location %q: %.300s", res.status, res.header.Get("Location"), res.body)
			}
			want := "Transferred everything from Dee Leaver to Dee Receiver: 4 records, 1 group, 1 person, role Admin. Dee Leaver was deactivated and will be deleted with their history on " +
				due + ". Undo delete brings them back until then."
			if flash := admin.get(receiverPath).doc(t).Find(`[data-testid="flash"]`).Text(); flash != want {
				t.Fatalf("flash %q, want %q", flash, want)
			}
			var leaver models.User
			modelstest.Must(t, store.DB().First(&leaver, f.leaver.ID))
			if leaver.Status != models.StatusInactive || leaver.DeletionDueAt == nil || leaver.DeletionMode == nil || *leaver.DeletionMode != "with_history" {
				t.Fatalf("leaver %+v, want inactive and scheduled for deletion with history", leaver)
			}
			var left int64
			modelstest.Must(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", f.leaver.ID).Count(&left))
			if left != 0 {
				t.Fatalf("%d records left with the leaver", left)
			}
			var event models.AuditEvent
			modelstest.Must(t, store.DB().Where("target_user_id = ? AND action = ?", f.leaver.ID, models.AuditAccountTransferred).First(&event))
			if !strings.Contains(event.Details, `"then":"delete"`) || !strings.Contains(event.Details, `"mode":"with_history"`) {
				t.Fatalf("audit event %+v", event)
			}
		})
		t.Run("TransfersEverythingAndErasesNow", func(t *testing.T) {
			f := newTransferFixture(t, store, acc, "Eve")
			res := admin.submit(transferPath(f.leaver.ID), transferPath(f.leaver.ID),
				url.Values{"to": {strconv.FormatInt(f.receiver.ID, 10)}, "then": {"delete"}, "mode": {"anonymise"}, "erase_now": {"1"}})
			receiverPath := "/settings/users/" + strconv.FormatInt(f.receiver.ID, 10)
			if res.status != http.StatusSeeOther || res.header.Get("Location") != receiverPath {
				t.Fatalf("status %d location %q: %.300s", res.status, res.header.Get("Location"), res.body)
			}
			want := "Transferred everything to Eve Receiver: 4 records, 1 group, 1 person, role Admin. Their account was then erased for good."
			if flash := admin.get(receiverPath).doc(t).Find(`[data-testid="flash"]`).Text(); flash != want {
				t.Fatalf("flash %q, want %q", flash, want)
			}
			var leaver models.User
			modelstest.Must(t, store.DB().First(&leaver, f.leaver.ID))
			if leaver.Status != models.StatusDeleted || leaver.Name != models.DeletedUserName || leaver.Email != nil {
				t.Fatalf("leaver %+v, want anonymised", leaver)
			}
		})
		t.Run("BadRecipientsGetAMessageBesideTheField", func(t *testing.T) {
			f := newTransferFixture(t, store, acc, "Bea")
			other := modelstest.NewAccount(t, store)
			inactive := addPerson(t, store, acc, "Ina Inactive", models.RoleMember, models.StatusInactive)
			for name, tc := range map[string]struct {
				form  url.Values
				field string
			}{
				"foreign":   {url.Values{"to": {strconv.FormatInt(other.Owner.ID, 10)}, "then": {"leave"}}, "to"},
				"inactive":  {url.Values{"to": {strconv.FormatInt(inactive.ID, 10)}, "then": {"leave"}}, "to"},
				"self":      {url.Values{"to": {strconv.FormatInt(f.leaver.ID, 10)}, "then": {"leave"}}, "to"},
				"malformed": {url.Values{"to": {"1;DROP"}, "then": {"leave"}}, "to"},
				"missing":   {url.Values{"then": {"leave"}}, "to"},
				"unknown":   {url.Values{"to": {strconv.FormatInt(f.receiver.ID, 10)}, "then": {"archive"}}, "then"},
				"remove":    {url.Values{"to": {strconv.FormatInt(f.receiver.ID, 10)}, "then": {"delete"}, "mode": {"remove"}}, "mode"},
				"bad mode":  {url.Values{"to": {strconv.FormatInt(f.receiver.ID, 10)}, "then": {"delete"}, "mode": {"shred"}, "erase_now": {"1"}}, "mode"},
			} {
				res := admin.submit(transferPath(f.leaver.ID), transferPath(f.leaver.ID), tc.form)
				if res.status != http.StatusUnprocessableEntity {
					t.Errorf("%s: status %d, want 422", name, res.status)
					continue
				}
				if msg := res.doc(t).Find(`[data-testid="error-` + tc.field + `"]`).Text(); msg == "" {
					t.Errorf("%s: no message beside %s", name, tc.field)
				}
			}
			var leaver models.User
			modelstest.Must(t, store.DB().First(&leaver, f.leaver.ID))
			var left int64
			modelstest.Must(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", f.leaver.ID).Count(&left))
			if leaver.Status != models.StatusActive || leaver.Role != models.RoleAdmin || left != 4 {
				t.Fatalf("refused transfers changed something: %s/%s, %d records", leaver.Status, leaver.Role, left)
			}
		})
		t.Run("InvitedUsersAreRefusedWithAReason", func(t *testing.T) {
			invited := addPerson(t, store, acc, "Ivo Invited", models.RoleMember, models.StatusInvited)
			receiver := addPerson(t, store, acc, "Rob Receiver", models.RoleMember, models.StatusActive)
			if doc := admin.get(transferPath(invited.ID)).doc(t); doc.Find(`[data-testid="transfer-form"]`).Length() != 0 ||
				doc.Find(`[data-testid="transfer-refusal"]`).Length() != 1 {
				t.Fatal("an invited user's transfer page must explain the refusal and offer no form")
			}
			res := admin.submit("/settings/users", transferPath(invited.ID), url.Values{"to": {strconv.FormatInt(receiver.ID, 10)}, "then": {"leave"}})
			if res.status != http.StatusConflict {
				t.Fatalf("status %d, want 409", res.status)
			}
		})
		t.Run("ForeignAndMalformedIDsAreNotFound", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			foreign := addPerson(t, store, other, "Fred Foreign", models.RoleMember, models.StatusActive)
			receiver := addPerson(t, store, acc, "Rae Receiver", models.RoleMember, models.StatusActive)
			for _, path := range []string{transferPath(foreign.ID), "/settings/users/0/transfer", "/settings/users/abc/transfer",
				"/settings/users/1%20OR%201=1/transfer", "/settings/users/99999999999999999999/transfer"} {
				if res := admin.get(path); res.status != http.StatusNotFound {
					t.Errorf("GET %s: status %d, want 404", path, res.status)
				}
				if res := admin.submit("/settings/users", path, url.Values{"to": {strconv.FormatInt(receiver.ID, 10)}, "then": {"leave"}}); res.status != http.StatusNotFound {
					t.Errorf("POST %s: status %d, want 404", path, res.status)
				}
			}
			var after models.User
			modelstest.Must(t, store.DB().First(&after, foreign.ID))
			if after.Status != models.StatusActive {
				t.Fatal("another account's user changed")
			}
		})
	})
}
