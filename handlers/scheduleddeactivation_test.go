package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

func leaveDatesOf(t *testing.T, store *models.Store, userID int64) []models.ScheduledDeactivation {
	t.Helper()
	var rows []models.ScheduledDeactivation
	modelstest.Must(t, store.DB().Where("user_id = ?", userID).Find(&rows))
	return rows
}

func TestScheduledDeactivationOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		admin := app.newBrowser(t)
		admin.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		leaver := addPerson(t, store, acc, "Lena Leaving", models.RoleMember, models.StatusActive)
		receiver := addPerson(t, store, acc, "Rudi Receiver", models.RoleMember, models.StatusActive)
		id := strconv.FormatInt(leaver.ID, 10)
		wizard := "/settings/users/deactivate?ids=" + id
		profile := "/settings/users/" + id
		tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
		execute := func(b *browser, token string, extra url.Values) response {
			form := url.Values{"_csrf": {token}, "ids": {id}, "step": {"execute"}, "records_mode": {"one"}, "records_to": {strconv.FormatInt(receiver.ID, 10)},
				"scope": {"open"}, "when": {"at"}, "reason": {"Parental leave"}}
			for k, v := range extra {
				form[k] = v
			}
			return b.post("/settings/users/deactivate", form)
		}

		t.Run("ConfirmOffersNowOrADate", func(t *testing.T) {
			res := admin.submit(wizard, "/settings/users/deactivate", url.Values{"ids": {id}, "step": {"confirm"}, "records_mode": {"keep"}, "scope": {"open"}})
			doc := res.doc(t)
			if res.status != http.StatusOK || doc.Find(`[data-testid="when-now"][checked]`).Length() != 1 || doc.Find(`[data-testid="leave-date"]`).Length() != 1 {
				t.Fatalf("status %d: the confirm step must offer Now (chosen) or a date", res.status)
			}
			if !strings.Contains(doc.Find(`label[for="leave_time"]`).Text(), "UTC") {
				t.Errorf("the time's label must name the account's time zone: %q", doc.Find(`label[for="leave_time"]`).Text())
			}
		})

		t.Run("BadDateBesideTheField", func(t *testing.T) {
			for _, bad := range []url.Values{
				{"leave_date": {"31/12/2026"}, "leave_time": {"17:00"}},
				{"leave_date": {"2020-01-01"}, "leave_time": {"17:00"}},
				{"leave_date": {tomorrow}, "leave_time": {"5pm"}},
			} {
				res := execute(admin, admin.csrf(wizard), bad)
				doc := res.doc(t)
				field := "leave_date"
				if bad.Get("leave_time") == "5pm" {
					field = "leave_time"
				}
				if res.status != http.StatusUnprocessableEntity || doc.Find(`[data-testid="error-`+field+`"]`).Length() != 1 ||
					doc.Find(`#`+field+`[aria-invalid="true"]`).Length() != 1 {
					t.Errorf("%v: status %d, want 422 with the message beside %s", bad, res.status, field)
				}
				if v, _ := doc.Find(`#leave_date`).Attr("value"); v != bad.Get("leave_date") {
					t.Errorf("the typed date %q is not shown back (%q)", bad.Get("leave_date"), v)
				}
			}
			if rows := leaveDatesOf(t, store, leaver.ID); len(rows) != 0 {
				t.Errorf("a refused date was stored")
			}
		})

		t.Run("CSRF", func(t *testing.T) {
			res := execute(admin, "not-the-token", url.Values{"leave_date": {tomorrow}, "leave_time": {"17:00"}})
			if res.status != http.StatusForbidden {
				t.Errorf("without the token: status %d, want 403", res.status)
			}
			if rows := leaveDatesOf(t, store, leaver.ID); len(rows) != 0 {
				t.Errorf("stored without a CSRF token")
			}
		})

		t.Run("Scheduled", func(t *testing.T) {
			res := execute(admin, admin.csrf(wizard), url.Values{"leave_date": {tomorrow}, "leave_time": {"17:00"}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != profile {
				t.Fatalf("status %d to %q, want 303 to the profile", res.status, res.header.Get("Location"))
			}
			rows := leaveDatesOf(t, store, leaver.ID)
			if len(rows) != 1 || rows[0].DueAt.Format("2006-01-02 15:04") != tomorrow+" 17:00" {
				t.Fatalf("stored %+v", rows)
			}
			doc := admin.get(profile).doc(t)
			want := "Leaves on " + rows[0].DueAt.Format("2 Jan 2006") + ", 17:00 (UTC) — scheduled by " + acc.Owner.Name
			if got := strings.Join(strings.Fields(doc.Find(`[data-testid="leave-date"] p`).Text()), " "); got != want {
				t.Errorf("profile says %q, want %q", got, want)
			}
			list := admin.get("/settings/users?leaving=1").doc(t)
			if rows := list.Find(`[data-testid="user-row"]`); rows.Length() != 1 || !strings.Contains(rows.Text(), "Lena Leaving") ||
				rows.Find(`[data-testid="leaves-on"]`).Length() != 1 {
				t.Errorf("the Leaving filter lists %d rows: %q", rows.Length(), rows.Text())
			}
			if got := strings.TrimSpace(list.Find(`[data-testid="count-active"]`).Text()); got != "1" {
				t.Errorf("Active counts %q under the Leaving filter, want 1", got)
			}
		})

		t.Run("ChangeOpensTheWizardWithThePlan", func(t *testing.T) {
			doc := admin.get(profile).doc(t)
			href, _ := doc.Find(`[data-testid="leave-date-change"]`).Attr("href")
			page := admin.get(href)
			wiz := page.doc(t)
			if page.status != http.StatusOK {
				t.Fatalf("%s: status %d", href, page.status)
			}
			for name, want := range map[string]string{"when": "at", "leave_date": tomorrow, "leave_time": "17:00", "records_to": strconv.FormatInt(receiver.ID, 10), "reason": "Parental leave"} {
				if got, _ := wiz.Find(`input[name="` + name + `"]`).Attr("value"); got != want {
					t.Errorf("%s carries %q, want %q", name, got, want)
				}
			}
			later := time.Now().UTC().AddDate(0, 0, 2).Format("2006-01-02")
			if res := execute(admin, admin.csrf(href), url.Values{"leave_date": {later}, "leave_time": {"09:30"}}); res.status != http.StatusSeeOther {
				t.Fatalf("change: status %d", res.status)
			}
			if rows := leaveDatesOf(t, store, leaver.ID); len(rows) != 1 || rows[0].DueAt.Format("2006-01-02 15:04") != later+" 09:30" {
				t.Errorf("after the change: %+v", rows)
			}
		})

		t.Run("Permissions", func(t *testing.T) {
			member := app.newBrowser(t)
			member.mustSignIn(receiver.EmailAddress(), modelstest.Password)
			if res := member.submit("/me", profile+"/leave-date/cancel", url.Values{}); res.status != http.StatusForbidden {
				t.Errorf("a member cancels: status %d", res.status)
			}
			support := addPerson(t, store, acc, "Sam Support", models.RoleSupport, models.StatusActive)
			sb := app.newBrowser(t)
			sb.mustSignIn(support.EmailAddress(), modelstest.Password)
			if doc := sb.get(profile).doc(t); doc.Find(`[data-testid="leave-date"]`).Length() != 1 || doc.Find(`[data-testid="leave-date-cancel"]`).Length() != 0 {
				t.Errorf("support sees the leave date without Change or Cancel")
			}
			if res := sb.submit("/me", profile+"/leave-date/cancel", url.Values{}); res.status != http.StatusForbidden {
				t.Errorf("support cancels: status %d", res.status)
			}
			other := modelstest.NewAccount(t, store)
			ob := app.newBrowser(t)
			ob.mustSignIn(other.Owner.EmailAddress(), modelstest.Password)
			if res := ob.submit("/me", profile+"/leave-date/cancel", url.Values{}); res.status != http.StatusNotFound {
				t.Errorf("another account's owner cancels: status %d, want 404", res.status)
			}
			if rows := leaveDatesOf(t, store, leaver.ID); len(rows) != 1 {
				t.Errorf("the leave date was taken away by someone refused")
			}
		})

		t.Run("Cancelled", func(t *testing.T) {
			res := admin.submit(profile, profile+"/leave-date/cancel", url.Values{})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != profile {
				t.Fatalf("status %d to %q", res.status, res.header.Get("Location"))
			}
			if rows := leaveDatesOf(t, store, leaver.ID); len(rows) != 0 {
				t.Errorf("still scheduled")
			}
			if doc := admin.get(profile).doc(t); doc.Find(`[data-testid="leave-date"]`).Length() != 0 {
				t.Errorf("the profile still shows a leave date")
			}
		})

		t.Run("RunsThroughTheRunner", func(t *testing.T) {
			if res := execute(admin, admin.csrf(wizard), url.Values{"leave_date": {tomorrow}, "leave_time": {"08:00"}}); res.status != http.StatusSeeOther {
				t.Fatalf("schedule: status %d", res.status)
			}
			due := leaveDatesOf(t, store, leaver.ID)[0].DueAt
			runner := *store
			runner.Now = func() time.Time { return due }
			if n, err := runner.CarryOutDueDeactivations(context.Background(), 10); err != nil || n != 1 {
				t.Fatalf("run: %d, %v", n, err)
			}
			doc := admin.get(profile).doc(t)
			if got := strings.TrimSpace(doc.Find(`[data-testid="profile-status"]`).Text()); got != "Inactive" {
				t.Errorf("status %q after the leave date", got)
			}
			log := admin.get("/settings/audit?action=" + models.AuditUserDeactivated).body
			if !strings.Contains(log, "scheduled") {
				t.Errorf("the audit log does not say the deactivation was scheduled")
			}
		})
	})
}

func TestAccountTimeZoneOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		owner := app.newBrowser(t)
		owner.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		doc := owner.get("/settings/account").doc(t)
		if v, _ := doc.Find(`#time_zone option[selected]`).Attr("value"); v != "UTC" {
			t.Errorf("the default zone shows as %q, want UTC", v)
		}
		bad := owner.submit("/settings/account", "/settings/account/time-zone", url.Values{"time_zone": {"Atlantis/Capital"}})
		if bad.status != http.StatusUnprocessableEntity || bad.doc(t).Find(`[data-testid="error-time_zone"]`).Length() != 1 {
			t.Errorf("unknown zone: status %d, want 422 with the message beside the field", bad.status)
		}
		if res := owner.submit("/settings/account", "/settings/account/time-zone", url.Values{"time_zone": {"Europe/Berlin"}}); res.status != http.StatusSeeOther {
			t.Fatalf("save: status %d", res.status)
		}
		if v, _ := owner.get("/settings/account").doc(t).Find(`#time_zone option[selected]`).Attr("value"); v != "Europe/Berlin" {
			t.Errorf("after saving the zone shows as %q", v)
		}
		admin := addPerson(t, store, acc, "Ada Admin", models.RoleAdmin, models.StatusActive)
		ab := app.newBrowser(t)
		ab.mustSignIn(admin.EmailAddress(), modelstest.Password)
		if res := ab.submit("/me", "/settings/account/time-zone", url.Values{"time_zone": {"UTC"}}); res.status != http.StatusForbidden {
			t.Errorf("an admin changes the account's zone: status %d", res.status)
		}
		// The wizard now asks for times in Berlin.
		leaver := addPerson(t, store, acc, "Bea Berlin", models.RoleMember, models.StatusActive)
		id := strconv.FormatInt(leaver.ID, 10)
		res := ab.submit("/settings/users/deactivate?ids="+id, "/settings/users/deactivate", url.Values{"ids": {id}, "step": {"execute"},
			"records_mode": {"keep"}, "scope": {"open"}, "when": {"at"}, "leave_date": {"2026-12-24"}, "leave_time": {"17:00"}})
		if time.Now().After(time.Date(2026, 12, 24, 16, 0, 0, 0, time.UTC)) {
			t.Skip("the fixed date has passed")
		}
		if res.status != http.StatusSeeOther {
			t.Fatalf("schedule: status %d", res.status)
		}
		rows := leaveDatesOf(t, store, leaver.ID)
		if len(rows) != 1 || !rows[0].DueAt.Equal(time.Date(2026, 12, 24, 16, 0, 0, 0, time.UTC)) || rows[0].TimeZone != "Europe/Berlin" {
			t.Errorf("17:00 in Berlin stored as %+v, want 16:00 UTC", rows)
		}
		if got := ab.get("/settings/users/" + id).doc(t).Find(`[data-testid="leave-date-when"]`).Text(); got != "24 Dec 2026, 17:00 (Europe/Berlin)" {
			t.Errorf("profile shows %q", got)
		}
	})
}
