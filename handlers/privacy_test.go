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

// addPerson adds a user to acc with a phone, a picture and the password of modelstest.
func addPerson(t *testing.T, store *models.Store, acc *modelstest.Account, name string, role models.Role, status models.UserStatus) *models.User {
	t.Helper()
	hash, err := models.HashPassword(modelstest.Password)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "-" + strconv.FormatInt(acc.Account.ID, 10) + "@example.com"
	u := &models.User{AccountID: acc.Account.ID, Email: &email, Name: name, Phone: "+49 30 7654321", PictureURL: "https://cdn.example.com/face.jpg",
		Role: role, Status: status, PlanID: acc.Owner.PlanID, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	if err := store.DB().Create(u).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPrivacyEditOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		admin := app.newBrowser(t)
		admin.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		privacyPath := func(u *models.User) string { return "/settings/users/" + strconv.FormatInt(u.ID, 10) + "/privacy" }

		t.Run("RenameShowsOnTheProfile", func(t *testing.T) {
			u := addPerson(t, store, acc, "Tom Former", models.RoleMember, models.StatusInactive)
			profilePath := "/settings/users/" + strconv.FormatInt(u.ID, 10)
			link, _ := admin.get(profilePath).doc(t).Find(`[data-testid="action-privacy"]`).Attr("href")
			if link != privacyPath(u) {
				t.Fatalf("the inactive user's profile links to %q, want the privacy edit", link)
			}
			form := admin.get(privacyPath(u))
			doc := form.doc(t)
			if form.status != http.StatusOK || doc.Find(`[data-testid="privacy-form"]`).Length() != 1 ||
				doc.Find(`[data-testid="remove-phone"]`).Length() != 1 || doc.Find(`[data-testid="remove-picture"]`).Length() != 1 {
				t.Fatalf("form: status %d, or it lacks the form and its checkboxes", form.status)
			}
			if name, _ := doc.Find(`input[name="name"]`).Attr("value"); name != u.Name {
				t.Fatalf("the name field holds %q, want the current name", name)
			}
			res := admin.submit(privacyPath(u), privacyPath(u), url.Values{"name": {"Former colleague"}, "remove_phone": {"1"}, "remove_picture": {"1"}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != profilePath {
				t.Fatalf("status %d location %q: %.300s", res.status, res.header.Get("Location"), res.body)
			}
			profile := admin.get(profilePath).doc(t)
			if flash := profile.Find(`[data-testid="flash"]`).Text(); flash != "Saved. The change is in the audit log." {
				t.Fatalf("flash %q", flash)
			}
			if name := profile.Find(`[data-testid="profile-name"]`).Text(); name != "Former colleague" {
				t.Fatalf("profile name %q", name)
			}
			if strings.Contains(profile.Text(), u.Phone) || strings.TrimSpace(profile.Find(`[data-testid="profile-picture"]`).Text()) != "None" {
				t.Fatal("the profile still shows the phone or the picture")
			}
			if !strings.Contains(profile.Find(".timeline").Text(), "Personal data edited") {
				t.Fatal("the audit trail on the profile does not show the privacy edit")
			}
		})
		t.Run("BadInputGetsAMessageBesideTheField", func(t *testing.T) {
			u := addPerson(t, store, acc, "Nora Name", models.RoleMember, models.StatusInactive)
			for name, tc := range map[string]struct {
				form  url.Values
				field string
			}{
				"empty name":     {url.Values{"name": {"  "}, "remove_phone": {"1"}}, "name"},
				"long name":      {url.Values{"name": {strings.Repeat("x", 5000)}}, "name"},
				"control":        {url.Values{"name": {"Nora\x07"}}, "name"},
				"nothing to do":  {url.Values{"name": {u.Name}}, "edit"},
				"unknown values": {url.Values{"name": {u.Name}, "remove_phone": {"yes"}}, "edit"},
			} {
				res := admin.submit(privacyPath(u), privacyPath(u), tc.form)
				if res.status != http.StatusUnprocessableEntity {
					t.Errorf("%s: status %d, want 422", name, res.status)
					continue
				}
				if msg := res.doc(t).Find(`[data-testid="error-` + tc.field + `"]`).Text(); msg == "" {
					t.Errorf("%s: no message beside %s", name, tc.field)
				}
			}
			var after models.User
			store.DB().First(&after, u.ID)
			if after.Name != u.Name || after.Phone != u.Phone {
				t.Fatalf("refused edits changed the user: %+v", after)
			}
		})
		t.Run("ActiveUsersAreRefusedWithAReason", func(t *testing.T) {
			u := addPerson(t, store, acc, "Ann Active", models.RoleMember, models.StatusActive)
			if profile := admin.get("/settings/users/" + strconv.FormatInt(u.ID, 10)).doc(t); profile.Find(`[data-testid="action-privacy"]`).Length() != 0 {
				t.Fatal("an active user's profile offers the privacy edit")
			}
			form := admin.get(privacyPath(u)).doc(t)
			if form.Find(`[data-testid="privacy-form"]`).Length() != 0 || !strings.Contains(form.Find(`[data-testid="privacy-refusal"]`).Text(), "Only deactivated users") {
				t.Fatal("the form of an active user must explain why it does not apply, and offer no form")
			}
			res := admin.submit("/settings/users", privacyPath(u), url.Values{"name": {"Renamed"}, "remove_phone": {"1"}})
			if res.status != http.StatusConflict || !strings.Contains(res.doc(t).Find(`[data-testid="privacy-refusal"]`).Text(), "active users edit their own profile") {
				t.Fatalf("status %d, want 409 with the reason", res.status)
			}
			var after models.User
			store.DB().First(&after, u.ID)
			if after.Name != u.Name || after.Phone != u.Phone {
				t.Fatalf("an active user changed: %+v", after)
			}
		})
		t.Run("ForeignAndMalformedIDsAreNotFound", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			foreign := addPerson(t, store, other, "Fred Foreign", models.RoleMember, models.StatusInactive)
			for _, path := range []string{privacyPath(foreign), "/settings/users/0/privacy", "/settings/users/abc/privacy",
				"/settings/users/1%20OR%201=1/privacy", "/settings/users/99999999999999999999/privacy"} {
				if res := admin.get(path); res.status != http.StatusNotFound {
					t.Errorf("GET %s: status %d, want 404", path, res.status)
				}
				if res := admin.submit("/settings/users", path, url.Values{"name": {"Renamed"}}); res.status != http.StatusNotFound {
					t.Errorf("POST %s: status %d, want 404", path, res.status)
				}
			}
			var after models.User
			store.DB().First(&after, foreign.ID)
			if after.Name != foreign.Name {
				t.Fatal("another account's user was renamed")
			}
		})
		t.Run("MarkupInTheNameIsEscaped", func(t *testing.T) {
			u := addPerson(t, store, acc, "Hal Html", models.RoleMember, models.StatusInactive)
			hostile := `<script>alert(1)</script><b>Hal</b>`
			if res := admin.submit(privacyPath(u), privacyPath(u), url.Values{"name": {hostile}}); res.status != http.StatusSeeOther {
				t.Fatalf("status %d", res.status)
			}
			profile := admin.get("/settings/users/" + strconv.FormatInt(u.ID, 10))
			if strings.Contains(profile.body, "<script>alert") || strings.Contains(profile.body, "<b>Hal") ||
				!strings.Contains(profile.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Fatal("the profile does not escape the new name")
			}
			if name := profile.doc(t).Find(`[data-testid="profile-name"]`).Text(); name != hostile {
				t.Fatalf("profile name %q, want it shown as typed", name)
			}
			if form := admin.get(privacyPath(u)); strings.Contains(form.body, "<script>alert") {
				t.Fatal("the form does not escape the name")
			}
		})
		t.Run("MembersAreForbidden", func(t *testing.T) {
			target := addPerson(t, store, acc, "Tim Target", models.RoleMember, models.StatusInactive)
			member := addPerson(t, store, acc, "Mia Member", models.RoleMember, models.StatusActive)
			b := app.newBrowser(t)
			b.mustSignIn(member.EmailAddress(), modelstest.Password)
			if res := b.get(privacyPath(target)); res.status != http.StatusForbidden {
				t.Fatalf("member GET: status %d, want 403", res.status)
			}
			if res := b.submit("/", privacyPath(target), url.Values{"name": {"Renamed"}}); res.status != http.StatusForbidden {
				t.Fatalf("member POST: status %d, want 403", res.status)
			}
			var after models.User
			store.DB().First(&after, target.ID)
			if after.Name != target.Name {
				t.Fatal("a member renamed someone")
			}
		})
	})
}
