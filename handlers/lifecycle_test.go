package handlers

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"roster/models"
	"roster/models/modelstest"
)

func firstPlanID(t *testing.T, store *models.Store, accountID int64) string {
	t.Helper()
	var id int64
	modelstest.Must(t, store.DB().Model(&models.Plan{}).Select("id").Where("account_id = ?", accountID).Order("id").Limit(1).Scan(&id))
	return strconv.FormatInt(id, 10)
}

// postMultipart submits the invitation form as a browser does, with an optional CSV file.
func (b *browser) postMultipart(path string, fields url.Values, fileName, fileBody string) response {
	b.t.Helper()
	fields.Set("_csrf", b.csrf("/settings/users/invite"))
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	if fileName != "" {
		part, _ := w.CreateFormFile("csv", fileName)
		_, _ = part.Write([]byte(fileBody))
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.app.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// refusedInPlace follows a refused action back to the page it came from, which must show the
// refusal; it fails the test if the action did not end in that redirect.
func (b *browser) refusedInPlace(res response) response {
	b.t.Helper()
	if res.status != http.StatusSeeOther {
		b.t.Fatalf("a refused action answered %d, want a redirect back to where it came from: %.300s", res.status, res.body)
	}
	page := b.get(res.header.Get("Location"))
	if page.status != http.StatusOK || !strings.Contains(page.body, `data-testid="refusal"`) {
		b.t.Fatalf("%s does not show the refusal (status %d)", res.header.Get("Location"), page.status)
	}
	return page
}

func TestInviteForm(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		other := modelstest.NewAccount(t, store)
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		plan := firstPlanID(t, store, acc.Account.ID)

		t.Run("InvitesAndReturnsToTheInvitedTab", func(t *testing.T) {
			// An upload is previewed first: nothing is sent until the admin confirms.
			before := countAccountUsers(t, store, acc.Account.ID)
			fields := url.Values{"addresses": {"ann@example.com\nbo@example.com"}, "plan": {plan}, "role": {"member"}}
			preview := b.postMultipart("/settings/users/invite", fields, "people.csv", "email,name\ncy@example.com,Cy Young\n")
			doc := preview.doc(t)
			if preview.status != http.StatusOK || doc.Find(`[data-testid="invite-preview-row"]`).Length() != 1 {
				t.Fatalf("preview: status %d: %.300s", preview.status, preview.body)
			}
			if after := countAccountUsers(t, store, acc.Account.ID); after != before {
				t.Fatal("the preview invited people")
			}
			fields.Set("csv_rows", doc.Find(`input[name="csv_rows"]`).AttrOr("value", ""))
			fields.Set("confirm", doc.Find(`[data-testid="invite-valid-rows"]`).AttrOr("value", ""))
			res := b.postMultipart("/settings/users/invite", fields, "", "")
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings/users?tab=invited" {
				t.Fatalf("status %d location %q: %.300s", res.status, res.header.Get("Location"), res.body)
			}
			list := b.get("/settings/users?tab=invited").doc(t)
			if flash := list.Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "Invited 3 people") {
				t.Fatalf("flash %q", flash)
			}
			if rows := list.Find(`[data-testid="user-row"]`).Length(); rows != 3 {
				t.Fatalf("invited tab lists %d rows, want 3", rows)
			}
			if again := b.get("/settings/users?tab=invited").doc(t); again.Find(`[data-testid="flash"]`).Length() != 0 {
				t.Fatal("the flash is shown twice")
			}
		})
		t.Run("UploadedRowsWithProblemsAreShownByLineAndColumnAndLeftOutOnlyOnRequest", func(t *testing.T) {
			before := countAccountUsers(t, store, acc.Account.ID)
			fields := url.Values{"plan": {plan}, "role": {"member"}}
			file := "Name,E-mail\nDee Ok,dee@example.com\nNot Mail,not-an-address\nEve Ok,eve@example.com\nAnn Again,ann@example.com\n"
			preview := b.postMultipart("/settings/users/invite", fields, "people.csv", file)
			doc := preview.doc(t)
			rows := doc.Find(`[data-testid="invite-preview-row"]`)
			if preview.status != http.StatusOK || rows.Length() != 4 {
				t.Fatalf("preview: status %d, %d rows", preview.status, rows.Length())
			}
			var cells []string
			rows.Eq(1).Find("td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, strings.TrimSpace(td.Text())) })
			if got := strings.Join(cells, " | "); got != "Line 3, column “E-mail” | not-an-address | Not Mail | Problem Not an e-mail address." {
				t.Errorf("bad row reads %q", got)
			}
			if got := rows.Eq(3).Text(); !strings.Contains(got, "Line 5") || !strings.Contains(got, "Already invited") {
				t.Errorf("row of someone already invited reads %q", got)
			}
			button := doc.Find(`[data-testid="invite-valid-rows"]`)
			if got := strings.TrimSpace(button.Text()); got != "Invite the 2 valid rows" {
				t.Fatalf("button reads %q", got)
			}
			// Without the explicit choice, nothing half-done: everyone is refused.
			fields.Set("csv_rows", doc.Find(`input[name="csv_rows"]`).AttrOr("value", ""))
			if res := b.postMultipart("/settings/users/invite", fields, "", ""); res.status != http.StatusUnprocessableEntity {
				t.Fatalf("sending the list with problems: status %d, want 422", res.status)
			}
			if after := countAccountUsers(t, store, acc.Account.ID); after != before {
				t.Fatal("a refused list invited people")
			}
			fields.Set("confirm", "valid")
			if res := b.postMultipart("/settings/users/invite", fields, "", ""); res.status != http.StatusSeeOther {
				t.Fatalf("inviting the valid rows: status %d %.300s", res.status, res.body)
			}
			if after := countAccountUsers(t, store, acc.Account.ID); after != before+2 {
				t.Fatalf("inviting the valid rows added %d users, want 2", after-before)
			}
			flash := b.get("/settings/users?tab=invited").doc(t).Find(`[data-testid="flash"]`).Text()
			if !strings.Contains(flash, "Invited 2 people") || !strings.Contains(flash, "2 rows with a problem were left out.") {
				t.Errorf("flash %q", flash)
			}
			// A tampered list is checked again, not trusted.
			fields.Set("csv_rows", `[{"i":"<script>x</script>"},{"i":"ok@example.com","n":"\u202eevil"}]`)
			res := b.postMultipart("/settings/users/invite", fields, "", "")
			if res.status != http.StatusUnprocessableEntity || strings.Contains(res.body, "<script>x") {
				t.Fatalf("tampered rows: status %d", res.status)
			}
			fields.Set("csv_rows", "not json")
			if res := b.postMultipart("/settings/users/invite", fields, "", ""); res.status != http.StatusUnprocessableEntity ||
				res.doc(t).Find(`[data-testid="error-csv"]`).Text() == "" {
				t.Fatalf("unreadable rows: status %d", res.status)
			}
		})
		t.Run("BadInputGetsAMessageBesideTheField", func(t *testing.T) {
			before := countAccountUsers(t, store, acc.Account.ID)
			cases := []struct {
				name   string
				fields url.Values
				file   string
				field  string
			}{
				{"no addresses", url.Values{"plan": {plan}, "role": {"member"}}, "", "addresses"},
				{"another account's plan", url.Values{"addresses": {"x1@example.com"}, "plan": {firstPlanID(t, store, other.Account.ID)}, "role": {"member"}}, "", "plan"},
				{"no plan", url.Values{"addresses": {"x2@example.com"}, "plan": {"abc"}, "role": {"member"}}, "", "plan"},
				{"unknown role", url.Values{"addresses": {"x3@example.com"}, "plan": {plan}, "role": {"<script>"}}, "", "role"},
				{"broken CSV", url.Values{"plan": {plan}, "role": {"member"}}, "a,\"b\nc", "csv"},
				{"bad group", url.Values{"addresses": {"x4@example.com"}, "plan": {plan}, "role": {"member"}, "groups": {"1;DROP"}}, "", "groups"},
			}
			for _, tc := range cases {
				file := ""
				if tc.file != "" {
					file = "bad.csv"
				}
				res := b.postMultipart("/settings/users/invite", tc.fields, file, tc.file)
				if res.status != http.StatusUnprocessableEntity {
					t.Errorf("%s: status %d, want 422", tc.name, res.status)
					continue
				}
				if msg := res.doc(t).Find(`[data-testid="error-` + tc.field + `"]`).Text(); msg == "" {
					t.Errorf("%s: no message beside %s", tc.name, tc.field)
				}
			}
			res := b.postMultipart("/settings/users/invite", url.Values{"addresses": {"<script>alert(1)</script>, ok@example.com, ok@example.com"},
				"plan": {plan}, "role": {"member"}}, "", "")
			if res.status != http.StatusUnprocessableEntity || strings.Contains(res.body, "<script>alert") {
				t.Fatalf("hostile addresses: status %d, or the page echoes them unescaped", res.status)
			}
			if problems := res.doc(t).Find(`[data-testid="invite-problem"]`).Length(); problems != 2 {
				t.Fatalf("%d problem rows, want 2 (the script and the duplicate)", problems)
			}
			if after := countAccountUsers(t, store, acc.Account.ID); after != before {
				t.Fatalf("refused invitations created %d users", after-before)
			}
		})
	})
}

func TestAcceptInvitationPages(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		admin := app.newBrowser(t)
		admin.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		address := "joiner-" + strconv.FormatInt(acc.Account.ID, 10) + "@example.com"
		admin.postMultipart("/settings/users/invite", url.Values{"addresses": {address}, "plan": {firstPlanID(t, store, acc.Account.ID)}, "role": {"member"}}, "", "")
		var msg models.OutboxMessage
		modelstest.Must(t, store.DB().Where("to_address = ?", address).Order("id DESC").First(&msg))
		link, err := url.Parse(msg.ActionURL)
		if err != nil || !strings.HasPrefix(link.Path, "/invitations/") {
			t.Fatalf("invitation link %q", msg.ActionURL)
		}
		if outbox := admin.get("/settings/outbox"); !strings.Contains(outbox.body, link.Path) {
			t.Fatal("the development outbox does not show the invitation link")
		}
		joiner := app.newBrowser(t)
		for path, status := range map[string]int{"/invitations/nonsense": 404, "/invitations/" + strings.Repeat("a", 64): 404,
			"/invitations/%3Cscript%3E": 404} {
			if res := joiner.get(path); res.status != status || strings.Contains(res.body, "<script>") {
				t.Errorf("%s: status %d, want %d", path, res.status, status)
			}
		}
		page := joiner.get(link.Path)
		if page.status != 200 || !strings.Contains(page.body, address) {
			t.Fatalf("accept page: %d", page.status)
		}
		res := joiner.submit(link.Path, link.Path, url.Values{"name": {"Jo Joiner"}, "password": {"twelve chars!!"}, "password_confirm": {"different one!"}})
		if res.status != http.StatusUnprocessableEntity || res.doc(t).Find(`[data-testid="error-password_confirm"]`).Length() != 1 {
			t.Fatalf("mismatched passwords: status %d", res.status)
		}
		res = joiner.submit(link.Path, link.Path, url.Values{"name": {"Jo Joiner"}, "password": {"short"}, "password_confirm": {"short"}})
		if res.status != http.StatusUnprocessableEntity || res.doc(t).Find(`[data-testid="error-password"]`).Length() != 1 {
			t.Fatalf("short password: status %d", res.status)
		}
		res = joiner.submit(link.Path, link.Path, url.Values{"name": {"Jo Joiner"}, "password": {"twelve chars!!"}, "password_confirm": {"twelve chars!!"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("accept: status %d %.300s", res.status, res.body)
		}
		if home := joiner.get("/"); home.status != 200 || !strings.Contains(home.body, "Jo Joiner") {
			t.Fatalf("after accepting, the joiner is not signed in: %d", home.status)
		}
		if again := app.newBrowser(t).get(link.Path); again.status != http.StatusGone {
			t.Fatalf("a used link: status %d, want 410", again.status)
		}
	})
}

func TestDeactivationWizardOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 60)
		admin := app.newBrowser(t)
		admin.mustSignIn(seeded.OwnerEmail, seeded.OwnerPassword)
		var leaver, receiver models.User
		modelstest.Must(t, store.DB().Where("account_id = ? AND status = ? AND role = ? AND EXISTS (SELECT 1 FROM records WHERE owner_id = users.id AND is_open)",
			seeded.Account.ID, models.StatusActive, models.RoleMember).Order("id").First(&leaver))
		modelstest.Must(t, store.DB().Where("account_id = ? AND status = ? AND role = ? AND id <> ?", seeded.Account.ID, models.StatusActive, models.RoleMember, leaver.ID).
			Order("id").First(&receiver))
		id := strconv.FormatInt(leaver.ID, 10)
		var handedOver []int64
		modelstest.Must(t, store.DB().Model(&models.Record{}).Where("owner_id = ? AND is_open", leaver.ID).Pluck("id", &handedOver))
		if len(handedOver) == 0 {
			t.Fatal("the leaver has no open records: the hand-over proves nothing")
		}

		// The leaver is signed in on a phone and a laptop.
		phone, laptop := app.newBrowser(t), app.newBrowser(t)
		phone.mustSignIn(leaver.EmailAddress(), seeded.OwnerPassword)
		laptop.mustSignIn(leaver.EmailAddress(), seeded.OwnerPassword)

		impact := admin.get("/settings/users/deactivate?ids=" + id)
		if impact.status != 200 || impact.doc(t).Find(`[data-testid="impact-sessions"]`).Text() != "2" {
			t.Fatalf("impact: status %d, sessions %q", impact.status, impact.doc(t).Find(`[data-testid="impact-sessions"]`).Text())
		}
		step := func(values url.Values, headers ...string) response {
			values.Set("ids", id)
			values.Set("_csrf", admin.csrf("/settings/users/deactivate?ids="+id))
			req, _ := http.NewRequest(http.MethodPost, app.URL+"/settings/users/deactivate", strings.NewReader(values.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for i := 0; i+1 < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			return admin.do(req)
		}
		handover := step(url.Values{"step": {"handover"}, "records_mode": {"one"}, "scope": {"open"}}, "HX-Request", "true")
		if handover.status != 200 || strings.Contains(handover.body, "<html") || !strings.Contains(handover.body, `data-step="handover"`) {
			t.Fatalf("htmx step 2: status %d, a fragment expected", handover.status)
		}
		missing := step(url.Values{"step": {"confirm"}, "records_mode": {"one"}, "scope": {"open"}})
		if missing.status != http.StatusUnprocessableEntity || missing.doc(t).Find("#records_to-error").Length() != 1 {
			t.Fatalf("no recipient chosen: status %d, want a message beside the field", missing.status)
		}
		foreign := modelstest.NewAccount(t, store)
		bad := step(url.Values{"step": {"confirm"}, "records_mode": {"one"}, "records_to": {strconv.FormatInt(foreign.Owner.ID, 10)}})
		if bad.status != http.StatusUnprocessableEntity || bad.doc(t).Find("#records_to-error").Length() != 1 {
			t.Fatalf("another account's recipient: status %d", bad.status)
		}
		plan := url.Values{"records_mode": {"one"}, "records_to": {strconv.FormatInt(receiver.ID, 10)}, "scope": {"open"}, "reason": {"<b>Left</b>"}}
		confirm := step(withStep(plan, "confirm"))
		if confirm.status != 200 || !strings.Contains(confirm.doc(t).Find(`[data-testid="confirm-summary"]`).Text(), receiver.Name) {
			t.Fatalf("confirm: status %d", confirm.status)
		}
		done := step(withStep(plan, "execute"))
		if done.status != http.StatusSeeOther || done.header.Get("Location") != "/settings/users?tab=inactive" {
			t.Fatalf("execute: status %d location %q", done.status, done.header.Get("Location"))
		}
		if flash := admin.get("/settings/users?tab=inactive").doc(t).Find(`[data-testid="flash"]`).Text(); !strings.HasPrefix(flash, leaver.Name+" deactivated") {
			t.Fatalf("flash %q", flash)
		}
		for name, b := range map[string]*browser{"phone": phone, "laptop": laptop} {
			if res := b.get("/"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
				t.Fatalf("the leaver's %s still works: %d", name, res.status)
			}
		}
		if open := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("owner_id = ? AND is_open", leaver.ID)); open != 0 {
			t.Fatalf("%d open records stayed with the leaver", open)
		}
		if got := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("id IN ? AND owner_id = ?", handedOver, receiver.ID)); got != int64(len(handedOver)) {
			t.Fatalf("the receiver owns %d of the leaver's %d open records", got, len(handedOver))
		}
		profile := admin.get("/settings/users/" + id)
		if !strings.Contains(profile.body, "&lt;b&gt;Left&lt;/b&gt;") || profile.doc(t).Find(`[data-testid="profile-handovers"] tbody tr`).Length() == 0 {
			t.Fatal("the profile does not show the hand-over with its (escaped) reason")
		}
	})
}

func TestBulkActionsOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 60)
		admin := app.newBrowser(t)
		admin.mustSignIn(seeded.OwnerEmail, seeded.OwnerPassword)
		action := func(values url.Values) response {
			return admin.submit("/settings/users", "/settings/users/actions", values)
		}
		t.Run("NothingSelected", func(t *testing.T) {
			res := action(url.Values{"action": {"reactivate"}, "tab": {"inactive"}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings/users?tab=inactive" {
				t.Fatalf("status %d location %q", res.status, res.header.Get("Location"))
			}
		})
		t.Run("ForeignIDsAreNotFound", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			if res := action(url.Values{"action": {"reactivate"}, "ids": {strconv.FormatInt(other.Owner.ID, 10)}}); res.status != http.StatusNotFound {
				t.Fatalf("status %d, want 404", res.status)
			}
			if res := action(url.Values{"action": {"reactivate"}, "ids": {"1 OR 1=1"}}); res.status != http.StatusNotFound {
				t.Fatalf("malformed id: status %d, want 404", res.status)
			}
		})
		t.Run("RefusalsExplainEachUser", func(t *testing.T) {
			var active models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND status = ? AND role = ?", seeded.Account.ID, models.StatusActive, models.RoleMember).First(&active))
			res := admin.refusedInPlace(action(url.Values{"action": {"revoke"}, "ids": {strconv.FormatInt(active.ID, 10)}}))
			if !strings.Contains(res.doc(t).Find(`[data-testid="refusal-reasons"]`).Text(), active.Name) {
				t.Fatalf("revoking an active user: status %d", res.status)
			}
		})
		t.Run("RemindSkipsWhoWasJustSentALinkAndSaysSo", func(t *testing.T) {
			var invited []models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND status = ?", seeded.Account.ID, models.StatusInvited).Order("id").Limit(2).Find(&invited))
			// The first was invited long ago, the second a moment ago.
			modelstest.Must(t, store.DB().Model(&models.Invitation{}).Where("user_id = ?", invited[0].ID).
				Updates(map[string]any{"sent_at": time.Now().Add(-48 * time.Hour), "reminded_at": nil}))
			modelstest.Must(t, store.DB().Model(&models.Invitation{}).Where("user_id = ?", invited[1].ID).
				Updates(map[string]any{"sent_at": time.Now().Add(-20 * time.Minute), "reminded_at": nil}))
			ids := strconv.FormatInt(invited[0].ID, 10) + "," + strconv.FormatInt(invited[1].ID, 10)
			if res := action(url.Values{"action": {"remind"}, "ids": {ids}, "tab": {"invited"}}); res.status != http.StatusSeeOther {
				t.Fatalf("status %d %.300s", res.status, res.body)
			}
			flash := admin.get("/settings/users?tab=invited").doc(t).Find(`[data-testid="flash"]`).Text()
			want := "Reminded " + invited[0].Name + " with a new link. 1 skipped — " + invited[1].Name + ": invited 20 min ago; a reminder is possible in 40 min."
			if !strings.Contains(flash, want) {
				t.Fatalf("flash %q, want %q", flash, want)
			}
			// Everyone too recent: nothing happens, and each is explained.
			res := admin.refusedInPlace(action(url.Values{"action": {"remind"}, "ids": {ids}, "tab": {"invited"}}))
			if !strings.Contains(res.doc(t).Find(`[data-testid="refusal-reasons"]`).Text(), "Reminded less than a minute ago") {
				t.Fatalf("remind again at once: status %d %.300s", res.status, res.body)
			}
		})
		t.Run("SelectAllMatchingAppliesToTheFilter", func(t *testing.T) {
			var invited []models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND status = ?", seeded.Account.ID, models.StatusInvited).Find(&invited))
			if len(invited) < 2 {
				t.Fatalf("seed has %d invitations", len(invited))
			}
			target := invited[0]
			res := action(url.Values{"action": {"revoke"}, "select_all": {"1"}, "tab": {"invited"}, "q": {target.EmailAddress()}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("status %d %.200s", res.status, res.body)
			}
			var statuses []models.UserStatus
			modelstest.Must(t, store.DB().Model(&models.User{}).Where("id IN ?", []int64{invited[0].ID, invited[1].ID}).Order("id").Pluck("status", &statuses))
			if statuses[0] != models.StatusDeleted || statuses[1] != models.StatusInvited {
				t.Fatalf("statuses %v: only the matching invitation should be revoked", statuses)
			}
		})
		t.Run("ReactivationWithoutSeatsNamesThePlan", func(t *testing.T) {
			var inactive models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND status = ?", seeded.Account.ID, models.StatusInactive).First(&inactive))
			var plan models.Plan
			modelstest.Must(t, store.DB().First(&plan, *inactive.PlanID))
			var held int64
			modelstest.Must(t, store.DB().Model(&models.User{}).Where("plan_id = ? AND status IN ?", plan.ID, models.SeatHoldingStatuses).Count(&held))
			modelstest.Must(t, store.DB().Model(&plan).Update("seats_purchased", held))
			res := admin.refusedInPlace(action(url.Values{"action": {"reactivate"}, "ids": {strconv.FormatInt(inactive.ID, 10)}, "tab": {"inactive"}}))
			if !strings.Contains(res.body, plan.Name) || !strings.Contains(res.body, "lacks 1 seat") {
				t.Fatalf("the refusal must name %s and the missing seat", plan.Name)
			}
			// The owner may buy seats: the refusal links straight to that plan's purchase.
			if fix := res.doc(t).Find(`[data-testid="refusal-fix"]`); fix.Text() != "Buy seats" || fix.AttrOr("href", "") != "/settings/seats/plans/"+strconv.FormatInt(plan.ID, 10)+"/quantity" {
				t.Errorf("fix link %q to %q", fix.Text(), fix.AttrOr("href", ""))
			}
		})
	})
}

func withStep(v url.Values, step string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	out.Set("step", step)
	return out
}

func countAccountUsers(t *testing.T, store *models.Store, accountID int64) int64 {
	t.Helper()
	return modelstest.Count(t, store.DB().Model(&models.User{}).Where("account_id = ?", accountID))
}
