package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// scimClient is an identity provider calling the real router with its bearer token.
type scimClient struct {
	t     *testing.T
	app   *testApp
	token string
}

type scimResponse struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r scimResponse) str(key string) string {
	v, _ := r.body[key].(string)
	return v
}

func (c *scimClient) do(method, path, body string) scimResponse {
	c.t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), method, c.app.URL+"/scim/v2"+path, strings.NewReader(body))
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := scimResponse{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			c.t.Fatalf("%s %s: answer is not JSON: %q", method, path, raw)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
			c.t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return out
}

// must fails the test unless the request answered want.
func (c *scimClient) must(want int, method, path, body string) scimResponse {
	c.t.Helper()
	res := c.do(method, path, body)
	if res.status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.status, want, res.raw)
	}
	return res
}

// scimError checks an RFC 7644 §3.12 error body.
func (c *scimClient) scimError(res scimResponse, status int, scimType string) {
	c.t.Helper()
	schemas, _ := res.body["schemas"].([]any)
	if res.status != status || len(schemas) != 1 || schemas[0] != models.ScimSchemaError || res.str("status") != strconv.Itoa(status) ||
		res.str("scimType") != scimType || res.str("detail") == "" {
		c.t.Errorf("want a SCIM error %d %q, got %d: %s", status, scimType, res.status, res.raw)
	}
}

// scimSetup is an account of 10 seats whose provisioning defaults to its plan, with a token.
func scimSetup(t *testing.T, store *models.Store, tokenName string) (*testApp, *modelstest.Account, *scimClient) {
	t.Helper()
	app := newTestApp(t, store)
	acc := modelstest.NewAccount(t, store)
	ctx := context.Background()
	if err := store.UpdateProvisioningSettings(ctx, acc.Actor, models.ProvisioningSettings{PlanID: *acc.Owner.PlanID, DeleteMode: models.DeleteAnonymise}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := store.CreateProvisioningTokenForAccount(ctx, acc.Account.ID, tokenName)
	if err != nil {
		t.Fatal(err)
	}
	return app, acc, &scimClient{t: t, app: app, token: secret}
}

func filterQuery(f string) string { return "?filter=" + url.QueryEscape(f) }

func totalResults(res scimResponse) int {
	n, _ := res.body["totalResults"].(float64)
	return int(n)
}

func firstResource(t *testing.T, res scimResponse) map[string]any {
	t.Helper()
	list, _ := res.body["Resources"].([]any)
	if len(list) == 0 {
		t.Fatalf("no resources: %s", res.raw)
	}
	return list[0].(map[string]any)
}

func userStatus(t *testing.T, store *models.Store, id string) models.User {
	t.Helper()
	var u models.User
	if err := store.DB().Where("id = ?", id).Take(&u).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSCIMOktaSequence replays Okta's documented SCIM 2.0 provisioning flow
// (developer.okta.com "SCIM 2.0 protocol reference"): look the user up by userName, create,
// read, update with PUT, deactivate and reactivate with PATCH {"op":"replace","value":{"active":…}},
// group push (create, add and remove members, rename), then delete.
func TestSCIMOktaSequence(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		_, acc, okta := scimSetup(t, store, "Okta")
		email := "Ada.Lovelace-" + strconv.FormatInt(acc.Account.ID, 10) + "@Example.com"

		found := okta.must(http.StatusOK, http.MethodGet, "/Users"+filterQuery(`userName eq "`+email+`"`)+"&startIndex=1&count=100", "")
		if totalResults(found) != 0 {
			t.Fatalf("nobody yet: %s", found.raw)
		}
		created := okta.must(http.StatusCreated, http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
			"userName":"`+email+`","name":{"givenName":"Ada","familyName":"Lovelace"},
			"emails":[{"primary":true,"value":"`+email+`","type":"work"}],"displayName":"Ada Lovelace","locale":"en-US",
			"externalId":"00u1okta","groups":[],"password":"never-kept-1","active":true}`)
		id := created.str("id")
		if created.header.Get("Location") == "" || created.body["active"] != true || created.str("userName") != strings.ToLower(email) {
			t.Fatalf("created: %v %s", created.header, created.raw)
		}
		u := userStatus(t, store, id)
		if u.Status != models.StatusActive || u.PlanID == nil || *u.PlanID != *acc.Owner.PlanID || u.Name != "Ada Lovelace" {
			t.Fatalf("created user: %+v", u)
		}
		var mails int64
		store.DB().Model(&models.OutboxMessage{}).Where("account_id = ? AND to_address = ? AND action_url LIKE ?", acc.Account.ID, strings.ToLower(email), "%/password/reset/%").Count(&mails)
		if mails != 1 {
			t.Errorf("set-password mails: %d, want 1", mails)
		}
		okta.scimError(okta.do(http.MethodPost, "/Users", `{"userName":"`+strings.ToUpper(email)+`"}`), http.StatusConflict, models.ScimUniqueness)

		found = okta.must(http.StatusOK, http.MethodGet, "/Users"+filterQuery(`userName eq "`+strings.ToUpper(email)+`"`), "")
		if totalResults(found) != 1 || firstResource(t, found)["id"] != id {
			t.Fatalf("lookup by userName: %s", found.raw)
		}
		okta.must(http.StatusOK, http.MethodGet, "/Users/"+id, "")
		projected := okta.must(http.StatusOK, http.MethodGet, "/Users/"+id+"?attributes=userName,name.familyName", "")
		if len(projected.body) != 4 || projected.str("userName") == "" || len(projected.body["name"].(map[string]any)) != 1 {
			t.Errorf("attributes=userName,name.familyName: %s", projected.raw)
		}
		if trimmed := okta.must(http.StatusOK, http.MethodGet, "/Users/"+id+"?excludedAttributes=groups,emails", ""); trimmed.body["groups"] != nil || trimmed.body["emails"] != nil || trimmed.str("userName") == "" {
			t.Errorf("excludedAttributes=groups,emails: %s", trimmed.raw)
		}

		updated := okta.must(http.StatusOK, http.MethodPut, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
			"id":"`+id+`","userName":"`+email+`","name":{"givenName":"Augusta","familyName":"Lovelace"},
			"emails":[{"primary":true,"value":"`+email+`","type":"work"}],"active":true,"externalId":"00u1okta"}`)
		if name := updated.body["name"].(map[string]any); name["givenName"] != "Augusta" || updated.str("displayName") != "Augusta Lovelace" {
			t.Fatalf("after PUT: %s", updated.raw)
		}

		off := okta.must(http.StatusOK, http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","value":{"active":false}}]}`)
		if off.body["active"] != false || userStatus(t, store, id).Status != models.StatusInactive {
			t.Fatalf("after deactivation: %s", off.raw)
		}
		if kept := okta.must(http.StatusOK, http.MethodPut, "/Users/"+id, `{"userName":"`+email+`","displayName":"Augusta Lovelace"}`); kept.body["active"] != false {
			t.Fatalf("a PUT without active reactivated the user: %s", kept.raw)
		}
		on := okta.must(http.StatusOK, http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","value":{"active":true}}]}`)
		if on.body["active"] != true || userStatus(t, store, id).Status != models.StatusActive {
			t.Fatalf("after reactivation: %s", on.raw)
		}

		group := okta.must(http.StatusCreated, http.MethodPost, "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Okta Engineering","members":[]}`)
		gid := group.str("id")
		okta.scimError(okta.do(http.MethodPost, "/Groups", `{"displayName":"okta engineering"}`), http.StatusConflict, models.ScimUniqueness)
		added := okta.must(http.StatusOK, http.MethodPatch, "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"add","path":"members","value":[{"value":"`+id+`","display":"`+email+`"}]}]}`)
		if members := added.body["members"].([]any); len(members) != 1 {
			t.Fatalf("after adding: %s", added.raw)
		}
		inGroup := okta.must(http.StatusOK, http.MethodGet, "/Users/"+id, "")
		if groups := inGroup.body["groups"].([]any); len(groups) != 1 {
			t.Fatalf("user's groups: %s", inGroup.raw)
		}
		removed := okta.must(http.StatusOK, http.MethodPatch, "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"remove","path":"members[value eq \"`+id+`\"]"}]}`)
		if members := removed.body["members"].([]any); len(members) != 0 {
			t.Fatalf("after removing: %s", removed.raw)
		}
		renamed := okta.must(http.StatusOK, http.MethodPatch, "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","value":{"id":"`+gid+`","displayName":"Okta Engineers"}}]}`)
		if renamed.str("displayName") != "Okta Engineers" {
			t.Fatalf("after renaming: %s", renamed.raw)
		}
		okta.must(http.StatusNoContent, http.MethodDelete, "/Groups/"+gid, "")
		okta.scimError(okta.do(http.MethodGet, "/Groups/"+gid, ""), http.StatusNotFound, "")

		okta.must(http.StatusNoContent, http.MethodDelete, "/Users/"+id, "")
		okta.scimError(okta.do(http.MethodGet, "/Users/"+id, ""), http.StatusNotFound, "")
		if gone := okta.must(http.StatusOK, http.MethodGet, "/Users"+filterQuery(`userName eq "`+email+`"`), ""); totalResults(gone) != 0 {
			t.Errorf("a deleted user is still listed: %s", gone.raw)
		}
		if u := userStatus(t, store, id); u.Status != models.StatusInactive || u.DeletionDueAt == nil || u.DeletionMode == nil || *u.DeletionMode != string(models.DeleteAnonymise) {
			t.Errorf("deleted user: %+v", u)
		}

		// Every change is in the audit log under the token's name, and the actor filter finds it.
		page, err := store.AuditLog(context.Background(), acc.Actor, models.AuditLogQuery{Actor: "Provisioning: Okta"})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]bool{}
		for _, e := range page.Entries {
			if e.Actor == nil || e.Actor.Label() != "Provisioning: Okta" {
				t.Errorf("event %s by %+v", e.Action, e.Actor)
			}
			actions[e.Action] = true
		}
		for _, want := range []string{models.AuditUserProvisioned, models.AuditUserProvisioningUpdated, models.AuditUserDeactivated,
			models.AuditUserReactivated, models.AuditGroupCreated, models.AuditGroupMembersAdded, models.AuditGroupMembersRemoved,
			models.AuditGroupRenamed, models.AuditGroupDeleted, models.AuditDeletionScheduled} {
			if !actions[want] {
				t.Errorf("no %s event by the token; found %v", want, actions)
			}
		}
	})
}

// TestSCIMEntraSequence replays Microsoft Entra ID's documented provisioning requests
// (learn.microsoft.com "Tutorial: Develop a sample SCIM endpoint", "Known issues"): create with
// the enterprise extension, link by externalId, PATCH with capitalised ops and paths
// (emails[type eq "work"].value, name.familyName, the enterprise manager, title), "False" and
// "True" as strings for active, group push with members added and removed by value lists, then
// delete.
func TestSCIMEntraSequence(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		_, acc, entra := scimSetup(t, store, "Entra ID")
		suffix := strconv.FormatInt(acc.Account.ID, 10)
		upn := "test_user_" + suffix + "@contoso.example"

		if res := entra.must(http.StatusOK, http.MethodGet, "/Users"+filterQuery(`userName eq "`+upn+`"`), ""); totalResults(res) != 0 {
			t.Fatalf("nobody yet: %s", res.raw)
		}
		created := entra.must(http.StatusCreated, http.MethodPost, "/Users", `{
			"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"`+upn+`","active":true,
			"emails":[{"primary":true,"type":"work","value":"`+upn+`"}],"meta":{"resourceType":"User"},
			"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"}}`)
		id := created.str("id")
		linked := entra.must(http.StatusOK, http.MethodGet, "/Users"+filterQuery(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), "")
		if totalResults(linked) != 1 || firstResource(t, linked)["id"] != id {
			t.Fatalf("link by externalId: %s", linked.raw)
		}
		for _, f := range []string{`emails[type eq "work"].value eq "` + upn + `"`, `emails.value eq "` + upn + `"`,
			`displayName co "familyname" and active eq true`, `userName eq "nobody@x.example" or externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
			`meta.lastModified gt "2000-01-01T00:00:00Z" and externalId pr`} {
			if res := entra.must(http.StatusOK, http.MethodGet, "/Users"+filterQuery(f), ""); totalResults(res) != 1 {
				t.Errorf("filter %s: %s", f, res.raw)
			}
		}

		manager := entra.must(http.StatusCreated, http.MethodPost, "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
			"userName":"manager_`+suffix+`@contoso.example","active":true,"displayName":"Mona Manager","externalId":"m-1"}`)
		patched := entra.must(http.StatusOK, http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[
				{"op":"Replace","path":"emails[type eq \"work\"].value","value":"`+upn+`"},
				{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
				{"op":"Replace","path":"displayName","value":"Given UpdatedFamilyName"},
				{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"`+manager.str("id")+`"},
				{"op":"Add","path":"title","value":"Engineer"},
				{"op":"Add","path":"phoneNumbers[type eq \"work\"].value","value":"+49 30 1234567"}]}`)
		if patched.body["name"].(map[string]any)["familyName"] != "updatedFamilyName" || patched.str("displayName") != "Given UpdatedFamilyName" {
			t.Fatalf("after PATCH: %s", patched.raw)
		}
		if ext := patched.body[models.ScimSchemaEnterprise].(map[string]any); ext["manager"].(map[string]any)["value"] != manager.str("id") {
			t.Fatalf("manager: %s", patched.raw)
		}
		if phones := patched.body["phoneNumbers"].([]any); phones[0].(map[string]any)["value"] != "+49 30 1234567" {
			t.Fatalf("phone: %s", patched.raw)
		}

		// Without a path, an extension is an object of its own attributes; removing the manager clears it.
		noPath := entra.must(http.StatusOK, http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"},"name.givenName":"Gina"}},
				{"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]}`)
		if noPath.body["name"].(map[string]any)["givenName"] != "Gina" || noPath.body[models.ScimSchemaEnterprise].(map[string]any)["manager"] != nil {
			t.Fatalf("after a PATCH without path: %s", noPath.raw)
		}
		off := entra.must(http.StatusOK, http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
		if off.body["active"] != false || userStatus(t, store, id).Status != models.StatusInactive {
			t.Fatalf("after \"False\": %s", off.raw)
		}
		on := entra.must(http.StatusOK, http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Replace","path":"active","value":"True"}]}`)
		if on.body["active"] != true {
			t.Fatalf("after \"True\": %s", on.raw)
		}

		group := entra.must(http.StatusCreated, http.MethodPost, "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
			"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"Group1DisplayName","meta":{"resourceType":"Group"}}`)
		gid := group.str("id")
		byName := entra.must(http.StatusOK, http.MethodGet, "/Groups?excludedAttributes=members&filter="+url.QueryEscape(`displayName eq "Group1DisplayName"`), "")
		if totalResults(byName) != 1 || firstResource(t, byName)["members"] != nil {
			t.Fatalf("group by displayName without members: %s", byName.raw)
		}
		entra.must(http.StatusOK, http.MethodPatch, "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Add","path":"members","value":[{"value":"`+id+`"},{"value":"`+manager.str("id")+`"}]}]}`)
		after := entra.must(http.StatusOK, http.MethodPatch, "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Remove","path":"members","value":[{"value":"`+manager.str("id")+`"}]}]}`)
		if members := after.body["members"].([]any); len(members) != 1 || members[0].(map[string]any)["value"] != id {
			t.Fatalf("after Entra's remove: %s", after.raw)
		}
		renamed := entra.must(http.StatusOK, http.MethodPatch, "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Replace","path":"displayName","value":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]}`)
		if renamed.str("displayName") != "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" {
			t.Fatalf("renamed: %s", renamed.raw)
		}
		entra.must(http.StatusNoContent, http.MethodDelete, "/Groups/"+gid, "")

		entra.must(http.StatusNoContent, http.MethodDelete, "/Users/"+id, "")
		entra.scimError(entra.do(http.MethodGet, "/Users/"+id, ""), http.StatusNotFound, "")
		entra.scimError(entra.do(http.MethodPatch, "/Users/"+id, `{"Operations":[{"op":"Replace","path":"active","value":"True"}]}`), http.StatusNotFound, "")
	})
}

// A deactivation from the identity provider is the wizard's: an admin is demoted first and the
// event says so, work goes by the default hand-over, the seat is freed; the last owner is refused.
func TestSCIMDeactivationFollowsTheRules(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		_, acc, idp := scimSetup(t, store, "Okta")
		ctx := context.Background()
		boss := idp.must(http.StatusCreated, http.MethodPost, "/Users", `{"userName":"boss-`+strconv.FormatInt(acc.Account.ID, 10)+`@example.com","displayName":"Bea Boss"}`)
		admin := idp.must(http.StatusCreated, http.MethodPost, "/Users", `{"userName":"admin-`+strconv.FormatInt(acc.Account.ID, 10)+`@example.com",
			"displayName":"Adam Admin","urn:roster:scim:schemas:extension:roster:2.0:User":{"role":"admin"},
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"`+boss.str("id")+`"}}}`)
		if ext := admin.body[models.ScimSchemaRoster].(map[string]any); ext["role"] != "admin" {
			t.Fatalf("role: %s", admin.raw)
		}
		adminID, _ := strconv.ParseInt(admin.str("id"), 10, 64)
		bossID, _ := strconv.ParseInt(boss.str("id"), 10, 64)
		store.DB().Create(&models.Record{AccountID: acc.Account.ID, Kind: "deal", Title: "Open deal", IsOpen: true, OwnerID: adminID, CreatedByID: adminID,
			CreatedAt: store.Now(), UpdatedAt: store.Now()})
		if err := store.UpdateDefaultHandover(ctx, acc.Actor, models.DefaultHandoverInput{Mode: models.HandoverToManager}); err != nil {
			t.Fatal(err)
		}
		idp.must(http.StatusOK, http.MethodPatch, "/Users/"+admin.str("id"), `{"Operations":[{"op":"replace","value":{"active":false}}]}`)
		u := userStatus(t, store, admin.str("id"))
		if u.Status != models.StatusInactive || u.Role != models.RoleMember {
			t.Errorf("after deactivation: status %s role %s", u.Status, u.Role)
		}
		var owner int64
		store.DB().Model(&models.Record{}).Select("owner_id").Where("title = ? AND account_id = ?", "Open deal", acc.Account.ID).Scan(&owner)
		if owner != bossID {
			t.Errorf("the open deal went to %d, want the manager %d", owner, bossID)
		}
		var event models.AuditEvent
		store.DB().Where("account_id = ? AND action = ? AND target_user_id = ?", acc.Account.ID, models.AuditUserDeactivated, adminID).Take(&event)
		if !strings.Contains(event.Details, `"demoted_from":"admin"`) || event.ProvisioningTokenID == nil || event.ActorID != nil {
			t.Errorf("deactivation event: %+v", event)
		}

		// The last owner cannot be deactivated, from anywhere.
		res := idp.do(http.MethodPatch, "/Users/"+strconv.FormatInt(acc.Owner.ID, 10), `{"Operations":[{"op":"replace","path":"active","value":false}]}`)
		idp.scimError(res, http.StatusConflict, "")
		if !strings.Contains(res.str("detail"), "last owner") {
			t.Errorf("last owner: %s", res.raw)
		}
		if userStatus(t, store, strconv.FormatInt(acc.Owner.ID, 10)).Status != models.StatusActive {
			t.Error("the last owner was deactivated")
		}
	})
}

// Seats: a create without a free seat names the plan and what is missing, and changes nothing.
func TestSCIMCreateWithoutASeat(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		_, acc, idp := scimSetup(t, store, "Okta")
		store.DB().Model(&models.Plan{}).Where("id = ?", *acc.Owner.PlanID).Update("seats_purchased", 1)
		var before int64
		store.DB().Model(&models.User{}).Where("account_id = ?", acc.Account.ID).Count(&before)
		res := idp.do(http.MethodPost, "/Users", `{"userName":"nobody-`+strconv.FormatInt(acc.Account.ID, 10)+`@example.com"}`)
		idp.scimError(res, http.StatusConflict, "")
		if !strings.Contains(res.str("detail"), "Plan Standard lacks 1 seat") {
			t.Errorf("detail: %s", res.raw)
		}
		var after int64
		store.DB().Model(&models.User{}).Where("account_id = ?", acc.Account.ID).Count(&after)
		if after != before {
			t.Errorf("users %d → %d", before, after)
		}
	})
}

// An open invitation of the same address becomes the provisioned user, with its seat.
func TestSCIMCreateTakesOverAnInvitation(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		_, acc, idp := scimSetup(t, store, "Okta")
		email := "invited-" + strconv.FormatInt(acc.Account.ID, 10) + "@example.com"
		invited, err := store.Invite(context.Background(), acc.Actor, models.InviteRequest{Lines: []models.InviteLine{{Input: email, Email: email}},
			PlanID: *acc.Owner.PlanID, Role: models.RoleMember, BaseURL: "http://x"})
		if err != nil {
			t.Fatal(err)
		}
		res := idp.must(http.StatusCreated, http.MethodPost, "/Users", `{"userName":"`+email+`","displayName":"Ivy Invited"}`)
		if res.str("id") != strconv.FormatInt(invited[0].ID, 10) {
			t.Fatalf("the invitation was not taken over: %s", res.raw)
		}
		usage, _ := store.SeatUsage(context.Background(), acc.Actor)
		if usage[0].Reserved != 0 || usage[0].InUse != 2 {
			t.Errorf("seats after take-over: %+v", usage[0])
		}
	})
}

// Every failure answers a SCIM error, never a 500; tokens are checked on every request.
func TestSCIMErrorsAndTokens(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app, acc, idp := scimSetup(t, store, "Okta")
		_, other, otherIdP := scimSetup(t, store, "Other")
		stranger := otherIdP.must(http.StatusCreated, http.MethodPost, "/Users", `{"userName":"stranger-`+strconv.FormatInt(other.Account.ID, 10)+`@example.com"}`)

		idp.scimError(idp.do(http.MethodGet, "/Users/"+stranger.str("id"), ""), http.StatusNotFound, "")
		idp.scimError(idp.do(http.MethodPatch, "/Users/"+stranger.str("id"), `{"Operations":[{"op":"replace","path":"active","value":false}]}`), http.StatusNotFound, "")
		idp.scimError(idp.do(http.MethodDelete, "/Users/"+strconv.FormatInt(other.Owner.ID, 10), ""), http.StatusNotFound, "")
		idp.scimError(idp.do(http.MethodGet, "/Users/abc", ""), http.StatusNotFound, "")
		idp.scimError(idp.do(http.MethodPost, "/Users", `{"userName":`), http.StatusBadRequest, models.ScimInvalidSyntax)
		idp.scimError(idp.do(http.MethodPost, "/Users", `{"userName":"not an address"}`), http.StatusBadRequest, models.ScimInvalidValue)
		idp.scimError(idp.do(http.MethodGet, "/Users"+filterQuery(`userName eq`), ""), http.StatusBadRequest, models.ScimInvalidFilter)
		idp.scimError(idp.do(http.MethodGet, "/Users"+filterQuery(`password eq "x"`), ""), http.StatusBadRequest, models.ScimInvalidFilter)
		idp.scimError(idp.do(http.MethodGet, "/Users"+filterQuery(`userName eq "x'; DROP TABLE users; --"`)+"&count=x", ""), http.StatusBadRequest, models.ScimInvalidValue)
		owner := strconv.FormatInt(acc.Owner.ID, 10)
		idp.scimError(idp.do(http.MethodPatch, "/Users/"+owner, `{"Operations":[{"op":"replace","path":"shoeSize","value":"42"}]}`), http.StatusBadRequest, models.ScimInvalidPath)
		idp.scimError(idp.do(http.MethodPatch, "/Users/"+owner, `{"Operations":[{"op":"jump","path":"active","value":false}]}`), http.StatusBadRequest, models.ScimInvalidSyntax)
		idp.scimError(idp.do(http.MethodPatch, "/Users/"+owner, `{"Operations":[{"op":"replace","path":"active","value":"maybe"}]}`), http.StatusBadRequest, models.ScimInvalidValue)
		idp.scimError(idp.do(http.MethodPost, "/Users", `{"userName":"big@example.com","displayName":"`+strings.Repeat("x", 1<<20)+`"}`), http.StatusRequestEntityTooLarge, "")
		idp.scimError(idp.do(http.MethodGet, "/Nothing", ""), http.StatusNotFound, "")

		if res := idp.must(http.StatusOK, http.MethodGet, "/Users?startIndex=0&count=5000", ""); res.body["itemsPerPage"].(float64) > float64(models.ScimMaxCount) || totalResults(res) < 1 {
			t.Errorf("paging: %s", res.raw)
		}
		for _, path := range []string{"/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/ResourceTypes/User", "/Schemas/" + models.ScimSchemaUser} {
			idp.must(http.StatusOK, http.MethodGet, path, "")
		}
		config := idp.must(http.StatusOK, http.MethodGet, "/ServiceProviderConfig", "")
		supported := func(feature string) any { return config.body[feature].(map[string]any)["supported"] }
		if supported("patch") != true || supported("filter") != true || supported("bulk") != false || supported("sort") != false ||
			supported("etag") != false || config.body["filter"].(map[string]any)["maxResults"] != float64(models.ScimMaxCount) {
			t.Errorf("ServiceProviderConfig: %s", config.raw)
		}

		for name, token := range map[string]string{"missing": "", "wrong": "roster_scim_" + strings.Repeat("0", 64), "garbage": "x"} {
			res := (&scimClient{t: t, app: app, token: token}).do(http.MethodGet, "/Users", "")
			idp.scimError(res, http.StatusUnauthorized, "")
			if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s token: WWW-Authenticate %q", name, res.header.Get("WWW-Authenticate"))
			}
		}
		tokens, err := store.ProvisioningTokens(context.Background(), acc.Actor)
		if err != nil || len(tokens) != 1 || tokens[0].LastUsedAt == nil {
			t.Fatalf("tokens: %+v %v", tokens, err)
		}
		if _, err := store.RevokeProvisioningToken(context.Background(), acc.Actor, tokens[0].ID); err != nil {
			t.Fatal(err)
		}
		idp.scimError(idp.do(http.MethodGet, "/Users", ""), http.StatusUnauthorized, "")
		// A browser session opens nothing under /scim/v2.
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		if res := b.get("/scim/v2/Users"); res.status != http.StatusUnauthorized {
			t.Errorf("signed-in browser on SCIM: %d", res.status)
		}
	})
}

// Settings > Account > Provisioning: owners and admins make a token, see it once, revoke it.
func TestSCIMProvisioningPage(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		page := b.submit("/settings/account/provisioning", "/settings/account/provisioning/tokens", url.Values{"name": {"Okta"}})
		token := strings.TrimSpace(page.doc(t).Find(`[data-testid="new-token-value"]`).Text())
		if page.status != http.StatusOK || !strings.HasPrefix(token, "roster_scim_") {
			t.Fatalf("create token: %d %q", page.status, token)
		}
		if again := b.get("/settings/account/provisioning"); strings.Contains(again.body, token) {
			t.Error("the token is shown again")
		}
		idp := &scimClient{t: t, app: app, token: token}
		idp.must(http.StatusOK, http.MethodGet, "/Users", "")
		if res := b.submit("/settings/account/provisioning", "/settings/account/provisioning/tokens", url.Values{"name": {""}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("empty name: %d", res.status)
		}
		tokens, _ := store.ProvisioningTokens(context.Background(), acc.Actor)
		res := b.submit("/settings/account/provisioning", fmt.Sprintf("/settings/account/provisioning/tokens/%d/revoke", tokens[0].ID), url.Values{})
		if res.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", res.status)
		}
		idp.scimError(idp.do(http.MethodGet, "/Users", ""), http.StatusUnauthorized, "")
		audit := b.get("/settings/audit?actor=" + url.QueryEscape("Provisioning: Okta"))
		if audit.status != http.StatusOK {
			t.Errorf("audit by token: %d", audit.status)
		}
		if res := b.submit("/settings/account", "/settings/account/handover", url.Values{"handover_mode": {"manager"}, "handover_fallback": {acc.Owner.EmailAddress()}}); res.status != http.StatusSeeOther {
			t.Errorf("default hand-over: %d %s", res.status, res.body)
		}
	})
}
