package models_test

import (
	"context"
	"errors"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

func scimActor(t *testing.T, store *models.Store, acc *modelstest.Account) *models.Actor {
	t.Helper()
	secret, _, err := store.CreateProvisioningTokenForAccount(context.Background(), acc.Account.ID, "Okta")
	if err != nil {
		t.Fatal(err)
	}
	actor, err := store.AuthenticateProvisioning(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return actor
}

// The provisioning actor may do the lifecycle of users and groups and nothing else.
func TestSCIMProvisioningActorPermissions(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		actor := scimActor(t, store, modelstest.NewAccount(t, store))
		for _, p := range []models.Permission{models.PermManageAccount, models.PermManageSeats, models.PermImpersonate, models.PermViewAudit,
			models.PermInviteUsers, models.PermManageProvisioning, models.PermSignedIn} {
			if actor.Allows(p) {
				t.Errorf("the provisioning actor holds %s", p)
			}
		}
		for _, p := range []models.Permission{models.PermProvisioning, models.PermManageUsers, models.PermManageGroups} {
			if !actor.Allows(p) {
				t.Errorf("the provisioning actor lacks %s", p)
			}
		}
		if (&models.Actor{User: &models.User{Role: models.RoleOwner, Status: models.StatusActive}}).Allows(models.PermProvisioning) {
			t.Error("a signed-in owner holds the bearer-token permission")
		}
	})
}

// Filters are parsed by the SCIM grammar and translated from an allow-list; anything else is
// invalidFilter, never SQL.
func TestSCIMUserFilters(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		acc := modelstest.NewAccount(t, store)
		actor := scimActor(t, store, acc)
		ctx := context.Background()
		email := acc.Owner.EmailAddress()
		for _, tc := range []struct {
			filter string
			want   int64
		}{
			{`userName eq "` + email + `"`, 1},
			{`userName eq "NOBODY@example.com"`, 0},
			{`emails[type eq "work"].value eq "` + email + `"`, 1},
			{`emails[type eq "home"].value eq "` + email + `"`, 0},
			{`displayName co "olivia"`, 1},
			{`displayName sw "Oli" and active eq true`, 1},
			{`not (active eq true)`, 0},
			{`userName eq "x@example.com" or displayName ew "owner"`, 1},
			{`meta.lastModified gt "2999-01-01T00:00:00Z"`, 0},
			{`externalId pr`, 0},
			{`userName eq "a%_\\"`, 0},
		} {
			list, err := store.ScimUsers(ctx, actor, models.ScimPage{Filter: tc.filter, StartIndex: 1, Count: 10})
			if err != nil || list.Total != tc.want {
				t.Errorf("%s: %v, total %v, want %d", tc.filter, err, list, tc.want)
			}
		}
		for _, bad := range []string{`userName eq`, `password eq "x"`, `userName gt 3`, `active co "x"`, `meta.created gt "yesterday"`,
			`urn:other:User:userName eq "x"`} {
			_, err := store.ScimUsers(ctx, actor, models.ScimPage{Filter: bad, StartIndex: 1, Count: 10})
			var scimErr models.ScimError
			if !errors.As(err, &scimErr) || scimErr.Type != models.ScimInvalidFilter {
				t.Errorf("%s: %v, want invalidFilter", bad, err)
			}
		}
	})
}

// The default hand-over turns a leaver into a plan: nothing under "keep"; their manager, else the
// named fallback, under "manager" — never someone leaving too or inactive.
func TestSCIMDefaultHandoverPlan(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		seeded := modelstest.Seeded(t, store, 40)
		owner := modelstest.ActorFor(t, store, seeded)
		var leaver models.User
		if err := store.DB().Where("account_id = ? AND status = ? AND manager_id IS NOT NULL", seeded.Account.ID, models.StatusActive).
			Order("id").First(&leaver).Error; err != nil {
			t.Fatal(err)
		}
		plan, err := store.DefaultHandoverPlan(ctx, owner, leaver.ID, nil)
		if err != nil || plan.RecordsTo != 0 || plan.GroupsTo != 0 || plan.ManagerTo != 0 {
			t.Fatalf("keep: %+v %v", plan, err)
		}
		if err := store.UpdateDefaultHandover(ctx, owner, models.DefaultHandoverInput{Mode: models.HandoverToManager, FallbackEmail: owner.User.EmailAddress()}); err != nil {
			t.Fatal(err)
		}
		var manager models.User
		store.DB().Take(&manager, *leaver.ManagerID)
		plan, _ = store.DefaultHandoverPlan(ctx, owner, leaver.ID, nil)
		want := *leaver.ManagerID
		if manager.Status != models.StatusActive {
			want = owner.User.ID
		}
		if plan.RecordsTo != want || plan.GroupsTo != want || plan.ManagerTo != want {
			t.Errorf("manager: %+v, want everything to %d", plan, want)
		}
		plan, _ = store.DefaultHandoverPlan(ctx, owner, leaver.ID, []int64{leaver.ID, *leaver.ManagerID})
		if plan.RecordsTo != owner.User.ID {
			t.Errorf("manager leaving too: %+v, want the fallback %d", plan, owner.User.ID)
		}
		if err := store.UpdateDefaultHandover(ctx, owner, models.DefaultHandoverInput{Mode: "everyone"}); err == nil {
			t.Error("an unknown mode was saved")
		}
		if err := store.UpdateDefaultHandover(ctx, owner, models.DefaultHandoverInput{Mode: models.HandoverToManager, FallbackEmail: "nobody@nowhere.example"}); err == nil {
			t.Error("a fallback who is nobody was saved")
		}
		h, err := store.DefaultHandoverOf(ctx, owner)
		if err != nil || h.Mode != models.HandoverToManager || h.FallbackID != owner.User.ID || !h.FallbackActive {
			t.Errorf("stored: %+v %v", h, err)
		}
	})
}

// Deleting a user erases what the identity provider told about them.
func TestSCIMAttributesErasedWithTheUser(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		acc := modelstest.NewAccount(t, store)
		ctx := context.Background()
		if err := store.UpdateProvisioningSettings(ctx, acc.Actor, models.ProvisioningSettings{PlanID: *acc.Owner.PlanID, DeleteMode: models.DeleteAnonymise}); err != nil {
			t.Fatal(err)
		}
		actor := scimActor(t, store, acc)
		u, err := store.ScimCreateUser(ctx, actor, []byte(`{"userName":"erase-me-`+acc.Account.Name[5:]+`@example.com","externalId":"x-1","name":{"givenName":"Eve","familyName":"Erased"}}`), "http://x")
		if err != nil {
			t.Fatal(err)
		}
		if err := store.ScimDeleteUser(ctx, actor, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.ScimUser(ctx, actor, u.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("a user waiting for deletion: %v, want ErrNotFound", err)
		}
		var kept int64
		store.DB().Table("scim_users").Where("user_id = ?", u.ID).Count(&kept)
		if kept != 1 {
			t.Fatalf("attributes before the deletion is carried out: %d", kept)
		}
		// Carrying the deletion out sets the status; the database erases the attributes with it.
		if err := store.DB().Model(&models.User{}).Where("id = ?", u.ID).Updates(map[string]any{"status": models.StatusDeleted, "email": nil}).Error; err != nil {
			t.Fatal(err)
		}
		store.DB().Table("scim_users").Where("user_id = ?", u.ID).Count(&kept)
		if kept != 0 {
			t.Error("the provider's attributes outlived the user")
		}
	})
}

// Without a default plan, a new user gets a seat of the plan with the most free seats.
func TestSCIMCreateWithoutADefaultPlan(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		acc := modelstest.NewAccount(t, store)
		ctx := context.Background()
		roomy := models.Plan{AccountID: acc.Account.ID, Name: "Roomy", SeatsPurchased: 50, Currency: "EUR", CreatedAt: store.Now()}
		modelstest.Must(t, store.DB().Create(&roomy))
		actor := scimActor(t, store, acc)
		u, err := store.ScimCreateUser(ctx, actor, []byte(`{"userName":"roomy-`+acc.Account.Name[5:]+`@example.com"}`), "http://x")
		if err != nil {
			t.Fatal(err)
		}
		if u.Plan != "Roomy" {
			t.Errorf("plan %q, want the one with the most free seats", u.Plan)
		}
	})
}

// A user provisioned active is mailed a link to choose a password, under the console's base URL.
func TestSCIMCreateMailsAPasswordLink(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		acc := modelstest.NewAccount(t, store)
		email := "linked-" + acc.Account.Name[5:] + "@example.com"
		if _, err := store.ScimCreateUser(context.Background(), scimActor(t, store, acc), []byte(`{"userName":"`+email+`"}`), "https://roster.example/"); err != nil {
			t.Fatal(err)
		}
		var msg models.OutboxMessage
		modelstest.Must(t, store.DB().Where("to_address = ?", email).Take(&msg))
		wantTokenLink(t, msg.ActionURL, "https://roster.example/password/reset/")
	})
}
