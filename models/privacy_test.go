package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// leaver adds a user with a phone and a picture in the given status, as the seeds' customers have
// them: gone from the company, still shown with their name and face.
func leaver(t *testing.T, store *models.Store, acc *modelstest.Account, name string, status models.UserStatus) *models.User {
	t.Helper()
	plan := planOf(t, store, acc)
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"
	u := addUser(t, store, acc, name, email, models.RoleMember, status, &plan.ID)
	u.Phone, u.PictureURL = "+49 30 1234567", "https://cdn.example.com/faces/"+strings.ReplaceAll(name, " ", "-")+".jpg"
	if err := store.DB().Model(u).Updates(map[string]any{"phone": u.Phone, "picture_url": u.PictureURL}).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

func reload(t *testing.T, store *models.Store, id int64) models.User {
	t.Helper()
	var u models.User
	if err := store.DB().First(&u, id).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

func privacyEvents(t *testing.T, store *models.Store, target int64) []models.AuditEvent {
	t.Helper()
	var events []models.AuditEvent
	modelstest.Must(t, store.DB().Where("target_user_id = ? AND action = ?", target, models.AuditPrivacyEdited).Find(&events))
	return events
}

func TestEditInactiveUserPrivacy(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)

		t.Run("RenamesAndRemovesPhoneAndPicture", func(t *testing.T) {
			u := leaver(t, store, acc, "Tom Former", models.StatusInactive)
			err := store.EditInactiveUserPrivacy(ctx, acc.Actor, u.ID, models.PrivacyEdit{Name: "  Former colleague  ", RemovePhone: true, RemovePicture: true})
			if err != nil {
				t.Fatal(err)
			}
			after := reload(t, store, u.ID)
			if after.Name != "Former colleague" || after.Phone != "" || after.PictureURL != "" {
				t.Fatalf("after: name %q phone %q picture %q", after.Name, after.Phone, after.PictureURL)
			}
			if after.Status != models.StatusInactive || after.EmailAddress() != u.EmailAddress() || *after.PlanID != *u.PlanID {
				t.Fatalf("the edit changed more than asked: %+v", after)
			}

			events := privacyEvents(t, store, u.ID)
			if len(events) != 1 {
				t.Fatalf("%d audit events, want 1", len(events))
			}
			e := events[0]
			if e.ActorID == nil || *e.ActorID != acc.Owner.ID || e.AccountID != acc.Account.ID {
				t.Fatalf("audit event actor %v account %d", e.ActorID, e.AccountID)
			}
			for _, want := range []string{`"renamed":true`, `"phone_removed":true`, `"picture_removed":true`} {
				if !strings.Contains(e.Details, want) {
					t.Errorf("details %s lack %s", e.Details, want)
				}
			}
			for _, personal := range []string{"Tom", "Former", "former", "1234567", "cdn.example.com", u.EmailAddress()} {
				if strings.Contains(e.Details, personal) {
					t.Errorf("audit details %s copy personal data %q", e.Details, personal)
				}
			}
		})
		t.Run("OnlyWhatChangedIsAudited", func(t *testing.T) {
			u := leaver(t, store, acc, "Pia Phone", models.StatusInactive)
			if err := store.EditInactiveUserPrivacy(ctx, acc.Actor, u.ID, models.PrivacyEdit{Name: u.Name, RemovePhone: true}); err != nil {
				t.Fatal(err)
			}
			after := reload(t, store, u.ID)
			if after.Name != u.Name || after.Phone != "" || after.PictureURL != u.PictureURL {
				t.Fatalf("after: name %q phone %q picture %q", after.Name, after.Phone, after.PictureURL)
			}
			events := privacyEvents(t, store, u.ID)
			if len(events) != 1 || events[0].Details != `{"phone_removed":true}` {
				t.Fatalf("audit events %+v, want one saying only the phone was removed", events)
			}
		})
		t.Run("NothingChangedIsAFieldError", func(t *testing.T) {
			u := leaver(t, store, acc, "Nina Nochange", models.StatusInactive)
			modelstest.Must(t, store.DB().Model(u).Update("phone", ""))
			err := store.EditInactiveUserPrivacy(ctx, acc.Actor, u.ID, models.PrivacyEdit{Name: " " + u.Name, RemovePhone: true})
			var fields models.FieldErrors
			if !errors.As(err, &fields) || fields["edit"] == "" {
				t.Fatalf("got %v, want FieldErrors on edit", err)
			}
			if n := len(privacyEvents(t, store, u.ID)); n != 0 {
				t.Fatalf("a refused edit wrote %d audit events", n)
			}
		})
		t.Run("ActiveAndInvitedUsersAreRefused", func(t *testing.T) {
			for _, status := range []models.UserStatus{models.StatusActive, models.StatusInvited} {
				u := leaver(t, store, acc, "Stay "+string(status), status)
				err := store.EditInactiveUserPrivacy(ctx, acc.Actor, u.ID, models.PrivacyEdit{Name: "Renamed", RemovePhone: true, RemovePicture: true})
				var refused models.PrivacyEditRefusedError
				if !errors.As(err, &refused) || !errors.Is(err, models.ErrConflict) || !strings.Contains(err.Error(), "Only deactivated users") {
					t.Fatalf("%s user: got %v, want PrivacyEditRefusedError", status, err)
				}
				after := reload(t, store, u.ID)
				if after.Name != u.Name || after.Phone != u.Phone || after.PictureURL != u.PictureURL {
					t.Fatalf("%s user changed: %+v", status, after)
				}
				if n := len(privacyEvents(t, store, u.ID)); n != 0 {
					t.Fatalf("%s user: %d audit events", status, n)
				}
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			foreign := leaver(t, store, other, "Fred Foreign", models.StatusInactive)
			deleted := leaver(t, store, acc, "Dora Deleted", models.StatusDeleted)
			for name, id := range map[string]int64{"another account's user": foreign.ID, "a deleted user": deleted.ID, "no such user": 1 << 60} {
				err := store.EditInactiveUserPrivacy(ctx, acc.Actor, id, models.PrivacyEdit{Name: "Renamed", RemovePhone: true})
				if !errors.Is(err, models.ErrNotFound) {
					t.Errorf("%s: got %v, want ErrNotFound", name, err)
				}
				if _, err := store.PrivacyEditTarget(ctx, acc.Actor, id); !errors.Is(err, models.ErrNotFound) {
					t.Errorf("%s: the form's target: got %v, want ErrNotFound", name, err)
				}
			}
			if after := reload(t, store, foreign.ID); after.Name != foreign.Name || after.Phone == "" {
				t.Fatalf("another account's user changed: %+v", after)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			u := leaver(t, store, acc, "Fay Forbidden", models.StatusInactive)
			member := leaver(t, store, acc, "Mo Member", models.StatusActive)
			actor := &models.Actor{User: member, Account: acc.Account}
			if err := store.EditInactiveUserPrivacy(ctx, actor, u.ID, models.PrivacyEdit{Name: "Renamed"}); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("a member: got %v, want ErrForbidden", err)
			}
		})
		t.Run("HostileNamesGetFieldErrors", func(t *testing.T) {
			u := leaver(t, store, acc, "Hugo Hostile", models.StatusInactive)
			for name, value := range map[string]string{
				"empty":                  "",
				"blank":                  " \t ",
				"500 characters":         strings.Repeat("a", 500),
				"121 characters":         strings.Repeat("é", 121),
				"NUL":                    "Hugo\x00",
				"newline":                "Hugo\nAdmin",
				"bell":                   "Hugo\x07",
				"escape":                 "Hugo\x1b[31m",
				"right-to-left override": "Hugo\u202eolleh",
			} {
				err := store.EditInactiveUserPrivacy(ctx, acc.Actor, u.ID, models.PrivacyEdit{Name: value, RemovePhone: true})
				var fields models.FieldErrors
				if !errors.As(err, &fields) || fields["name"] == "" {
					t.Errorf("%s: got %v, want a message on name", name, err)
				}
			}
			if after := reload(t, store, u.ID); after.Name != u.Name || after.Phone != u.Phone {
				t.Fatalf("a refused name changed the user: %+v", after)
			}
			if n := len(privacyEvents(t, store, u.ID)); n != 0 {
				t.Fatalf("refused edits wrote %d audit events", n)
			}
			// Markup is text like any other: it is kept as typed and escaped wherever it is shown.
			html := `<img src=x onerror=alert(1)> Hugo`
			if err := store.EditInactiveUserPrivacy(ctx, acc.Actor, u.ID, models.PrivacyEdit{Name: html}); err != nil {
				t.Fatal(err)
			}
			if after := reload(t, store, u.ID); after.Name != html {
				t.Fatalf("name %q, want it stored as typed", after.Name)
			}
			if events := privacyEvents(t, store, u.ID); len(events) != 1 || strings.Contains(events[0].Details, "img") {
				t.Fatalf("audit events %+v", events)
			}
		})
	})
}
