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

func addTestGroup(t *testing.T, store *models.Store, acc *modelstest.Account, name string, owner *models.User, members ...*models.User) int64 {
	t.Helper()
	g := models.Group{AccountID: acc.Account.ID, Name: name, OwnerID: owner.ID, CreatedAt: time.Now().UTC()}
	if err := store.DB().Create(&g).Error; err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if err := store.DB().Create(&models.GroupMember{GroupID: g.ID, UserID: m.ID, AccountID: acc.Account.ID, CreatedAt: time.Now().UTC()}).Error; err != nil {
			t.Fatal(err)
		}
	}
	return g.ID
}

func groupPath(id int64, suffix string) string {
	return "/settings/groups/" + strconv.FormatInt(id, 10) + suffix
}

func isMember(t *testing.T, store *models.Store, group, user int64) bool {
	t.Helper()
	var n int64
	modelstest.Must(t, store.DB().Model(&models.GroupMember{}).Where("group_id = ? AND user_id = ?", group, user).Count(&n))
	return n == 1
}

func TestGroupsOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		other := modelstest.NewAccount(t, store)
		owner := app.newBrowser(t)
		owner.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		ann := addPerson(t, store, acc, "Ann Active", models.RoleMember, models.StatusActive)
		bo := addPerson(t, store, acc, "Bo Active", models.RoleMember, models.StatusActive)
		ian := addPerson(t, store, acc, "Ian Inactive", models.RoleMember, models.StatusInactive)
		foreignGroup := addTestGroup(t, store, other, "Theirs", other.Owner, other.Owner)
		var created int64

		t.Run("CreatesAndEscapesTheName", func(t *testing.T) {
			name := `<script>alert("x")</script> & Co`
			res := owner.submit("/settings/groups", "/settings/groups", url.Values{"name": {name}})
			if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/settings/groups/") {
				t.Fatalf("status %d location %q: %.300s", res.status, res.header.Get("Location"), res.body)
			}
			var err error
			if created, err = strconv.ParseInt(strings.TrimPrefix(res.header.Get("Location"), "/settings/groups/"), 10, 64); err != nil {
				t.Fatalf("location %q: %v", res.header.Get("Location"), err)
			}
			page := owner.get(res.header.Get("Location"))
			if page.status != http.StatusOK || strings.Contains(page.body, "<script>alert") {
				t.Fatalf("status %d, unescaped name in %.500s", page.status, page.body)
			}
			doc := page.doc(t)
			if got := doc.Find(`[data-testid="group-title"]`).Text(); got != name {
				t.Fatalf("title %q", got)
			}
			if flash := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "Created the group") {
				t.Fatalf("flash %q", flash)
			}
			list := owner.get("/settings/groups").doc(t)
			if list.Find(`[data-testid="group-row"]`).Length() != 1 || list.Find(`[data-testid="group-members"]`).Text() != "0" {
				t.Fatal("the list does not show the new group with 0 members")
			}
		})
		for name, tc := range map[string]struct{ value, want string }{
			"Duplicate":           {`<SCRIPT>alert("x")</SCRIPT> & co`, "already exists"},
			"TwentyThousandChars": {strings.Repeat("n", 20000), "at most 100"},
			"NUL":                 {"nul\x00byte", "control characters"},
			"InvalidUTF8":         {"bad\xff\xfe", "not valid"},
			"Empty":               {"  ", "Enter a name"},
		} {
			t.Run("CreateRefused/"+name, func(t *testing.T) {
				res := owner.submit("/settings/groups", "/settings/groups", url.Values{"name": {tc.value}})
				if res.status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d: %.300s", res.status, res.body)
				}
				if msg := res.doc(t).Find(`[data-testid="error-name"]`).Text(); !strings.Contains(msg, tc.want) {
					t.Fatalf("message %q, want %q", msg, tc.want)
				}
			})
		}
		t.Run("CreateWithAnotherOwner", func(t *testing.T) {
			res := owner.submit("/settings/groups", "/settings/groups", url.Values{"name": {"x'); DROP TABLE groups; --"}, "owner": {ian.EmailAddress()}})
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find(`[data-testid="error-owner"]`).Text(), "active") {
				t.Fatalf("inactive owner: status %d", res.status)
			}
			res = owner.submit("/settings/groups", "/settings/groups", url.Values{"name": {"x'); DROP TABLE groups; --"}, "owner": {ann.EmailAddress()}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
		})
		t.Run("AddsMembersAllOrNothing", func(t *testing.T) {
			res := owner.submit(groupPath(created, ""), groupPath(created, "/members"), url.Values{"emails": {ann.EmailAddress() + "\nnobody@example.com\n" + other.Owner.EmailAddress()}})
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			if n := res.doc(t).Find(`[data-testid="add-problem"]`).Length(); n != 2 || isMember(t, store, created, ann.ID) {
				t.Fatalf("%d problems shown, ann member: %v", n, isMember(t, store, created, ann.ID))
			}
			res = owner.submit(groupPath(created, ""), groupPath(created, "/members"), url.Values{"emails": {ann.EmailAddress() + ", " + ian.EmailAddress() + "; " + bo.EmailAddress()}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != groupPath(created, "") {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			doc := owner.get(groupPath(created, "")).doc(t)
			if flash := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "Added 3 members") {
				t.Fatalf("flash %q", flash)
			}
			if doc.Find(`[data-testid="member-row"]`).Length() != 3 || doc.Find(`[data-testid="make-owner"]`).Length() != 2 {
				t.Fatal("members or their make-owner buttons missing")
			}
		})
		t.Run("HostileMemberInput", func(t *testing.T) {
			for _, emails := range []string{"\x00\x00", "\xff\xfe@example.com", "'; DELETE FROM group_members; --", strings.Repeat("a", 20000)} {
				res := owner.submit(groupPath(created, ""), groupPath(created, "/members"), url.Values{"emails": {emails}})
				if res.status != http.StatusUnprocessableEntity {
					t.Errorf("emails %.20q: status %d", emails, res.status)
				}
			}
			for _, ids := range [][]string{{"abc"}, {"-1"}, {"1e3"}, {strconv.FormatInt(other.Owner.ID, 10)}, {"99999999999999999999"}} {
				res := owner.submit(groupPath(created, ""), groupPath(created, "/members/remove"), url.Values{"ids": ids})
				if res.status != http.StatusNotFound {
					t.Errorf("remove ids %v: status %d", ids, res.status)
				}
			}
			// A value that names nobody is a choice to correct, like an empty one.
			for _, id := range []string{"abc", "0", "-1", "99999999999999999999"} {
				res := owner.submit(groupPath(created, ""), groupPath(created, "/owner"), url.Values{"owner_id": {id}})
				if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Choose the active member who becomes the owner.") {
					t.Errorf("owner_id %s: status %d", id, res.status)
				}
			}
			if res := owner.submit(groupPath(created, ""), groupPath(created, "/owner"), url.Values{"owner_id": {strconv.FormatInt(other.Owner.ID, 10)}}); res.status != http.StatusNotFound {
				t.Errorf("owner_id of another account: status %d", res.status)
			}
			if res := owner.submit(groupPath(created, ""), groupPath(created, "/members/remove"), url.Values{}); res.status != http.StatusUnprocessableEntity {
				t.Errorf("nothing selected: status %d", res.status)
			}
		})
		t.Run("WrongTenantAndNonNumericIDsAreNotFound", func(t *testing.T) {
			paths := []string{groupPath(foreignGroup, ""), "/settings/groups/abc", "/settings/groups/0", "/settings/groups/-5",
				"/settings/groups/1.5", "/settings/groups/99999999999999999999", "/settings/groups/%27%20OR%201=1"}
			for _, p := range paths {
				if res := owner.get(p); res.status != http.StatusNotFound {
					t.Errorf("GET %s: status %d", p, res.status)
				}
			}
			for _, suffix := range []string{"/rename", "/members", "/members/remove", "/owner", "/delete"} {
				for _, id := range []string{strconv.FormatInt(foreignGroup, 10), "abc"} {
					res := owner.submit("/settings/groups", "/settings/groups/"+id+suffix,
						url.Values{"name": {"Mine now"}, "emails": {other.Owner.EmailAddress()}, "ids": {strconv.FormatInt(other.Owner.ID, 10)}, "owner_id": {strconv.FormatInt(acc.Owner.ID, 10)}})
					if res.status != http.StatusNotFound {
						t.Errorf("POST %s%s: status %d", id, suffix, res.status)
					}
				}
			}
			var g models.Group
			modelstest.Must(t, store.DB().First(&g, foreignGroup))
			if g.Name != "Theirs" || !isMember(t, store, foreignGroup, other.Owner.ID) {
				t.Fatal("the other account's group changed")
			}
		})
		t.Run("TransfersToAnActiveMemberOnly", func(t *testing.T) {
			res := owner.submit(groupPath(created, ""), groupPath(created, "/owner"), url.Values{"owner_id": {strconv.FormatInt(ian.ID, 10)}})
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find(`[data-testid="error-owner_id"]`).Text(), "active member") {
				t.Fatalf("inactive member: status %d", res.status)
			}
			res = owner.submit(groupPath(created, ""), groupPath(created, "/owner"), url.Values{"owner_id": {strconv.FormatInt(bo.ID, 10)}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != groupPath(created, "") {
				t.Fatalf("status %d", res.status)
			}
			if got := owner.get(groupPath(created, "")).doc(t).Find(`[data-testid="group-owner-name"]`).Text(); got != bo.Name {
				t.Fatalf("owner shown %q", got)
			}
		})
		t.Run("DeletesOnlyAnEmptyGroup", func(t *testing.T) {
			// A group of its own, so the subtest runs alone too.
			doomed := addTestGroup(t, store, acc, "Doomed "+strconv.FormatInt(time.Now().UnixNano(), 36), acc.Owner, ann, bo, ian)
			res := owner.submit(groupPath(doomed, ""), groupPath(doomed, "/delete"), url.Values{})
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find(`[data-testid="error-delete"]`).Text(), "remove its 3 members first") {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			if !isMember(t, store, doomed, ann.ID) || owner.get(groupPath(doomed, "")).status != http.StatusOK {
				t.Fatal("the refused delete changed the group")
			}
			res = owner.submit(groupPath(doomed, ""), groupPath(doomed, "/members/remove"),
				url.Values{"ids": {strconv.FormatInt(ann.ID, 10), strconv.FormatInt(bo.ID, 10) + "," + strconv.FormatInt(ian.ID, 10)}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("remove: status %d: %.300s", res.status, res.body)
			}
			res = owner.submit(groupPath(doomed, ""), groupPath(doomed, "/delete"), url.Values{})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings/groups" {
				t.Fatalf("delete: status %d", res.status)
			}
			if res := owner.get(groupPath(doomed, "")); res.status != http.StatusNotFound {
				t.Fatalf("deleted group: status %d", res.status)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.Group{}).Where("id = ?", doomed)); n != 0 {
				t.Fatal("the deleted group's row is still there")
			}
		})
		t.Run("SearchAsFragment", func(t *testing.T) {
			res := owner.get("/settings/groups?q="+url.QueryEscape("drop table"), "HX-Request", "true")
			if res.status != http.StatusOK || strings.Contains(res.body, "<html") || res.doc(t).Find(`[data-testid="group-row"]`).Length() != 1 {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			for _, q := range []string{"%", "\x00", "%ff", strings.Repeat("q", 5000)} {
				if res := owner.get("/settings/groups?q=" + url.QueryEscape(q) + "&after=" + url.QueryEscape(q)); res.status != http.StatusOK {
					t.Errorf("q %.10q: status %d", q, res.status)
				}
			}
		})
	})
}

func TestGroupAdministratorOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		gail := addPerson(t, store, acc, "Gail Groupadmin", models.RoleGroupAdmin, models.StatusActive)
		mo := addPerson(t, store, acc, "Mo Member", models.RoleMember, models.StatusActive)
		nia := addPerson(t, store, acc, "Nia Member", models.RoleMember, models.StatusActive)
		own := addTestGroup(t, store, acc, "Gail's team", gail, mo, nia, gail)
		others := addTestGroup(t, store, acc, "Olivia's team", acc.Owner, mo)
		b := app.newBrowser(t)
		b.mustSignIn(gail.EmailAddress(), modelstest.Password)

		t.Run("SeesOnlyTheirOwnAndIsToldWhyTheyCannotAdd", func(t *testing.T) {
			doc := b.get("/settings/groups").doc(t)
			if doc.Find(`[data-testid="group-row"]`).Length() != 1 || doc.Find(`[data-testid="group-create-form"]`).Length() != 0 ||
				doc.Find(`[data-testid="groups-scope-note"]`).Length() != 1 {
				t.Fatal("list shows other groups or the create form, or no note")
			}
			page := b.get(groupPath(own, ""))
			doc = page.doc(t)
			if page.status != http.StatusOK || doc.Find(`[data-testid="group-add-form"]`).Length() != 0 || doc.Find(`[data-testid="group-delete-form"]`).Length() != 0 ||
				doc.Find(`[data-testid="add-members-note"]`).Length() != 1 || doc.Find(`[data-testid="group-rename-form"]`).Length() != 1 {
				t.Fatalf("status %d: forms shown wrongly", page.status)
			}
			if res := b.get(groupPath(others, "")); res.status != http.StatusNotFound {
				t.Fatalf("another's group: status %d", res.status)
			}
		})
		t.Run("RefusedCreateAddAndDelete", func(t *testing.T) {
			if res := b.submit("/settings/groups", "/settings/groups", url.Values{"name": {"Mine"}}); res.status != http.StatusForbidden {
				t.Errorf("create: status %d", res.status)
			}
			if res := b.submit(groupPath(own, ""), groupPath(own, "/members"), url.Values{"emails": {acc.Owner.EmailAddress()}}); res.status != http.StatusForbidden {
				t.Errorf("add: status %d", res.status)
			}
			if res := b.submit(groupPath(own, ""), groupPath(own, "/delete"), url.Values{}); res.status != http.StatusForbidden {
				t.Errorf("delete: status %d", res.status)
			}
			if res := b.submit(groupPath(own, ""), groupPath(others, "/rename"), url.Values{"name": {"Taken"}}); res.status != http.StatusNotFound {
				t.Errorf("rename another's: status %d", res.status)
			}
			if res := b.submit(groupPath(own, ""), groupPath(others, "/members/remove"), url.Values{"ids": {strconv.FormatInt(mo.ID, 10)}}); res.status != http.StatusNotFound || !isMember(t, store, others, mo.ID) {
				t.Errorf("remove from another's: status %d", res.status)
			}
		})
		t.Run("RenamesAndRemovesInTheirOwn", func(t *testing.T) {
			if res := b.submit(groupPath(own, ""), groupPath(own, "/rename"), url.Values{"name": {"Gail's crew"}}); res.status != http.StatusSeeOther {
				t.Fatalf("rename: status %d", res.status)
			}
			if res := b.submit(groupPath(own, ""), groupPath(own, "/members/remove"), url.Values{"ids": {strconv.FormatInt(nia.ID, 10)}}); res.status != http.StatusSeeOther || isMember(t, store, own, nia.ID) {
				t.Fatalf("remove: status %d", res.status)
			}
		})
		t.Run("HandingTheirGroupOnTakesThemToTheList", func(t *testing.T) {
			if warning := b.get(groupPath(own, "")).doc(t).Find(`[data-testid="transfer-warning"]`).Length(); warning != 1 {
				t.Fatal("no warning that the group leaves their view")
			}
			res := b.submit(groupPath(own, ""), groupPath(own, "/owner"), url.Values{"owner_id": {strconv.FormatInt(mo.ID, 10)}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings/groups" {
				t.Fatalf("status %d location %q", res.status, res.header.Get("Location"))
			}
			doc := b.get("/settings/groups").doc(t)
			if flash := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "no longer among your groups") {
				t.Fatalf("flash %q", flash)
			}
			if doc.Find(`[data-testid="group-row"]`).Length() != 0 || !isMember(t, store, own, gail.ID) {
				t.Fatal("still listed, or no longer a member")
			}
			if res := b.get(groupPath(own, "")); res.status != http.StatusNotFound {
				t.Fatalf("after handing on: status %d", res.status)
			}
		})
		t.Run("MembersHaveNoGroupsPage", func(t *testing.T) {
			m := app.newBrowser(t)
			m.mustSignIn(nia.EmailAddress(), modelstest.Password)
			if res := m.get("/settings/groups"); res.status != http.StatusForbidden {
				t.Fatalf("status %d", res.status)
			}
		})
	})
}
