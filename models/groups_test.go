package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// groupFixture is an account with a group administrator who owns one group, and people in every
// status to add.
type groupFixture struct {
	acc                          *modelstest.Account
	groupAdmin                   *models.User
	gaActor                      *models.Actor
	admin                        *models.Actor
	active, inactive, invited    *models.User
	deleted                      *models.User
	ownGroup, ownersGroup        int64
	activeMember, inactiveMember *models.User
}

func newGroupFixture(t *testing.T, store *models.Store) *groupFixture {
	t.Helper()
	acc := modelstest.NewAccount(t, store)
	mk := func(name string, role models.Role, status models.UserStatus) *models.User {
		return addUser(t, store, acc, name, fmt.Sprintf("%s-%d@example.com", strings.ToLower(strings.ReplaceAll(name, " ", ".")), acc.Account.ID), role, status, nil)
	}
	f := &groupFixture{acc: acc}
	f.groupAdmin = mk("Gail Groupadmin", models.RoleGroupAdmin, models.StatusActive)
	f.gaActor = &models.Actor{User: f.groupAdmin, Account: acc.Account}
	admin := mk("Adam Admin", models.RoleAdmin, models.StatusActive)
	f.admin = &models.Actor{User: admin, Account: acc.Account}
	f.active = mk("Ann Active", models.RoleMember, models.StatusActive)
	f.inactive = mk("Ian Inactive", models.RoleMember, models.StatusInactive)
	f.invited = mk("Ivy Invited", models.RoleMember, models.StatusInvited)
	f.deleted = mk("Dee Deleted", models.RoleMember, models.StatusDeleted)
	f.activeMember = mk("Mo Member", models.RoleMember, models.StatusActive)
	f.inactiveMember = mk("Nia Inactive", models.RoleMember, models.StatusInactive)
	group := models.Group{AccountID: acc.Account.ID, Name: "Gail's team", OwnerID: f.groupAdmin.ID, CreatedAt: time.Now()}
	if err := store.DB().Create(&group).Error; err != nil {
		t.Fatal(err)
	}
	f.ownGroup = group.ID
	joinGroup(t, store, acc, f.ownGroup, f.activeMember)
	joinGroup(t, store, acc, f.ownGroup, f.inactiveMember)
	f.ownersGroup = addGroup(t, store, acc, "Olivia's team")
	joinGroup(t, store, acc, f.ownersGroup, f.active)
	return f
}

func lines(addresses ...string) []models.InviteLine {
	return models.ParseInviteList(strings.Join(addresses, "\n"))
}

func memberIDsOf(t *testing.T, store *models.Store, group int64) map[int64]bool {
	t.Helper()
	var ids []int64
	if err := store.DB().Model(&models.GroupMember{}).Where("group_id = ?", group).Pluck("user_id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

func groupOf(t *testing.T, store *models.Store, id int64) models.Group {
	t.Helper()
	var g models.Group
	if err := store.DB().First(&g, id).Error; err != nil {
		t.Fatal(err)
	}
	return g
}

func auditDetails(t *testing.T, store *models.Store, accountID int64, action string) []string {
	t.Helper()
	var details []string
	modelstest.Must(t, store.DB().Model(&models.AuditEvent{}).Where("account_id = ? AND action = ?", accountID, action).Order("id").Pluck("details", &details))
	return details
}

func fieldError(err error, field string) string {
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		return fields[field]
	}
	return ""
}

func TestCreateGroup(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		f := newGroupFixture(t, store)
		other := modelstest.NewAccount(t, store)

		t.Run("OwnedByTheActorByDefault", func(t *testing.T) {
			g, err := store.CreateGroup(ctx, f.acc.Actor, models.NewGroup{Name: "  Sales  "})
			if err != nil {
				t.Fatal(err)
			}
			if g.Name != "Sales" || g.OwnerID != f.acc.Owner.ID {
				t.Fatalf("group %+v", g)
			}
			details := auditDetails(t, store, f.acc.Account.ID, models.AuditGroupCreated)
			if len(details) != 1 || !strings.Contains(details[0], `"group":"Sales"`) || strings.Contains(details[0], f.acc.Owner.Name) ||
				strings.Contains(details[0], f.acc.Owner.EmailAddress()) {
				t.Fatalf("audit details %v", details)
			}
		})
		t.Run("AdminsChooseAnotherActiveOwner", func(t *testing.T) {
			g, err := store.CreateGroup(ctx, f.admin, models.NewGroup{Name: "Support", OwnerEmail: " " + strings.ToUpper(f.groupAdmin.EmailAddress())})
			if err != nil || g.OwnerID != f.groupAdmin.ID {
				t.Fatalf("group %+v, %v", g, err)
			}
		})
		for name, tc := range map[string]struct {
			req   models.NewGroup
			field string
			want  string
		}{
			"DuplicateInAnyCase":     {models.NewGroup{Name: "sALES"}, "name", "already exists"},
			"Empty":                  {models.NewGroup{Name: "   "}, "name", "Enter a name"},
			"TooLong":                {models.NewGroup{Name: strings.Repeat("x", 101)}, "name", "at most 100"},
			"TwentyThousandChars":    {models.NewGroup{Name: strings.Repeat("y", 20000)}, "name", "at most 100"},
			"NUL":                    {models.NewGroup{Name: "a\x00b"}, "name", "control characters"},
			"NewLine":                {models.NewGroup{Name: "a\nb"}, "name", "control characters"},
			"BidiOverride":           {models.NewGroup{Name: "abc\u202egnp.exe"}, "name", "control characters"},
			"LineSeparator":          {models.NewGroup{Name: "a\u2028b"}, "name", "control characters"},
			"InvalidUTF8":            {models.NewGroup{Name: "bad \xff\xfe name"}, "name", "not valid"},
			"InactiveOwner":          {models.NewGroup{Name: "Ops", OwnerEmail: f.inactive.EmailAddress()}, "owner", "active"},
			"InvitedOwner":           {models.NewGroup{Name: "Ops", OwnerEmail: f.invited.EmailAddress()}, "owner", "active"},
			"DeletedOwner":           {models.NewGroup{Name: "Ops", OwnerEmail: f.deleted.EmailAddress()}, "owner", "active"},
			"UnknownOwner":           {models.NewGroup{Name: "Ops", OwnerEmail: "nobody@example.com"}, "owner", "active"},
			"OwnerOfAnotherAccount":  {models.NewGroup{Name: "Ops", OwnerEmail: other.Owner.EmailAddress()}, "owner", "active"},
			"OwnerNotAnEmailAddress": {models.NewGroup{Name: "Ops", OwnerEmail: "x'); DROP TABLE groups; --"}, "owner", "e-mail address"},
		} {
			t.Run("FieldErrors/"+name, func(t *testing.T) {
				_, err := store.CreateGroup(ctx, f.acc.Actor, tc.req)
				if msg := fieldError(err, tc.field); !strings.Contains(msg, tc.want) {
					t.Fatalf("got %v, want %s message containing %q", err, tc.field, tc.want)
				}
			})
		}
		t.Run("SQLInTheNameIsJustAName", func(t *testing.T) {
			name := `x'); DROP TABLE groups; -- %_\`
			g, err := store.CreateGroup(ctx, f.acc.Actor, models.NewGroup{Name: name})
			if err != nil || groupOf(t, store, g.ID).Name != name {
				t.Fatalf("got %+v, %v", g, err)
			}
		})
		t.Run("ErrForbiddenForGroupAdministrators", func(t *testing.T) {
			if _, err := store.CreateGroup(ctx, f.gaActor, models.NewGroup{Name: "Mine"}); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("got %v", err)
			}
			member := &models.Actor{User: f.active, Account: f.acc.Account}
			if _, err := store.CreateGroup(ctx, member, models.NewGroup{Name: "Mine"}); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("member: got %v", err)
			}
		})
		t.Run("SameNameInAnotherAccount", func(t *testing.T) {
			if _, err := store.CreateGroup(ctx, other.Actor, models.NewGroup{Name: "Sales"}); err != nil {
				t.Fatal(err)
			}
		})
	})
}

// Concurrent creates of one name in different spellings: exactly one wins, the others get the
// message beside the name, on a real server with row locks.
func TestCreateGroupConcurrently(t *testing.T) {
	store := modelstest.Postgres(t)
	ctx := context.Background()
	acc := modelstest.NewAccount(t, store)
	names := []string{"Race", "race", "RACE", "Race ", "rAce", "Race", "race", "RACE"}
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	start := make(chan struct{})
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = store.CreateGroup(ctx, acc.Actor, models.NewGroup{Name: name})
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !strings.Contains(fieldError(err, "name"), "already exists"):
			t.Errorf("loser got %v", err)
		}
	}
	var n int64
	modelstest.Must(t, store.DB().Model(&models.Group{}).Where("account_id = ?", acc.Account.ID).Count(&n))
	if won != 1 || n != 1 {
		t.Fatalf("%d creates won, %d groups exist; want 1", won, n)
	}
}

func TestRenameGroup(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		f := newGroupFixture(t, store)
		other := modelstest.NewAccount(t, store)

		t.Run("GroupAdministratorRenamesTheirOwn", func(t *testing.T) {
			g, err := store.RenameGroup(ctx, f.gaActor, f.ownGroup, " Gail's crew ")
			if err != nil || g.Name != "Gail's crew" || groupOf(t, store, f.ownGroup).Name != "Gail's crew" {
				t.Fatalf("got %+v, %v", g, err)
			}
			if d := auditDetails(t, store, f.acc.Account.ID, models.AuditGroupRenamed); len(d) != 1 || !strings.Contains(d[0], `"from":"Gail's team"`) {
				t.Fatalf("audit %v", d)
			}
		})
		t.Run("ErrNotFoundOnAnotherOwnersGroup", func(t *testing.T) {
			if _, err := store.RenameGroup(ctx, f.gaActor, f.ownersGroup, "Taken over"); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ErrNotFoundForAnotherAccount", func(t *testing.T) {
			if _, err := store.RenameGroup(ctx, other.Actor, f.ownersGroup, "Taken over"); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v", err)
			}
			if _, err := store.RenameGroup(ctx, f.acc.Actor, 1<<60, "Nothing"); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("unknown ID: got %v", err)
			}
		})
		t.Run("DuplicateInAnyCase", func(t *testing.T) {
			_, err := store.RenameGroup(ctx, f.acc.Actor, f.ownersGroup, "GAIL'S CREW")
			if !strings.Contains(fieldError(err, "name"), "already exists") {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ChangingOnlyTheCaseOfItsOwnName", func(t *testing.T) {
			if g, err := store.RenameGroup(ctx, f.acc.Actor, f.ownersGroup, "OLIVIA'S TEAM"); err != nil || g.Name != "OLIVIA'S TEAM" {
				t.Fatalf("got %+v, %v", g, err)
			}
		})
		t.Run("InvalidName", func(t *testing.T) {
			for _, name := range []string{"", strings.Repeat("z", 20000), "tab\there", "\xc3\x28"} {
				if _, err := store.RenameGroup(ctx, f.acc.Actor, f.ownersGroup, name); fieldError(err, "name") == "" {
					t.Errorf("%q: got %v", name, err)
				}
			}
		})
	})
}

func TestAddGroupMembers(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		f := newGroupFixture(t, store)
		other := modelstest.NewAccount(t, store)

		t.Run("AllOrNothingWithAProblemPerAddress", func(t *testing.T) {
			before := memberIDsOf(t, store, f.ownersGroup)
			in := lines(f.inactive.EmailAddress(), "nobody@example.com", f.deleted.EmailAddress(), f.active.EmailAddress(),
				f.invited.EmailAddress(), strings.ToUpper(f.invited.EmailAddress()), "not-an-address", other.Owner.EmailAddress())
			_, err := store.AddGroupMembers(ctx, f.acc.Actor, f.ownersGroup, in)
			var rejected models.AddMembersRejectedError
			if !errors.As(err, &rejected) {
				t.Fatalf("got %v", err)
			}
			want := []string{"", "Nobody in this account", "Nobody in this account", "Already a member", "", "Listed twice", "Not an e-mail", "Nobody in this account"}
			var got []string
			for _, l := range rejected.Lines {
				got = append(got, l.Problem)
			}
			if len(got) != len(want) {
				t.Fatalf("problems %q", got)
			}
			for i := range want {
				if (want[i] == "") != (got[i] == "") || !strings.Contains(got[i], want[i]) {
					t.Fatalf("line %d (%s): problem %q, want %q", i, rejected.Lines[i].Input, got[i], want[i])
				}
			}
			if after := memberIDsOf(t, store, f.ownersGroup); len(after) != len(before) {
				t.Fatalf("members changed: %v → %v", before, after)
			}
		})
		t.Run("ActiveInactiveAndInvitedJoin", func(t *testing.T) {
			n, err := store.AddGroupMembers(ctx, f.acc.Actor, f.ownersGroup,
				lines("Ian <"+strings.ToUpper(f.inactive.EmailAddress())+">, "+f.invited.EmailAddress(), f.groupAdmin.EmailAddress()))
			if err != nil || n != 3 {
				t.Fatalf("added %d, %v", n, err)
			}
			members := memberIDsOf(t, store, f.ownersGroup)
			if !members[f.inactive.ID] || !members[f.invited.ID] || !members[f.groupAdmin.ID] || !members[f.active.ID] {
				t.Fatalf("members %v", members)
			}
			details := auditDetails(t, store, f.acc.Account.ID, models.AuditGroupMembersAdded)
			if len(details) != 3 || !strings.Contains(details[0], `"count":3`) || strings.Contains(details[0], "Ian") {
				t.Fatalf("audit %v", details)
			}
		})
		t.Run("Bounds", func(t *testing.T) {
			_, err := store.AddGroupMembers(ctx, f.acc.Actor, f.ownersGroup, nil)
			var rejected models.AddMembersRejectedError
			if !errors.As(err, &rejected) || !strings.Contains(rejected.Field, "at least one") {
				t.Fatalf("empty: got %v", err)
			}
			many := make([]string, models.MaxUsersPerAction+1)
			for i := range many {
				many[i] = fmt.Sprintf("p%d@example.com", i)
			}
			if _, err := store.AddGroupMembers(ctx, f.acc.Actor, f.ownersGroup, lines(many...)); !errors.As(err, &rejected) || !strings.Contains(rejected.Field, "at most 5000") {
				t.Fatalf("too many: got %v", err)
			}
		})
		t.Run("GroupAdministratorsMayNotAdd", func(t *testing.T) {
			if _, err := store.AddGroupMembers(ctx, f.gaActor, f.ownGroup, lines(f.active.EmailAddress())); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("own group: got %v", err)
			}
			if _, err := store.AddGroupMembers(ctx, f.gaActor, f.ownersGroup, lines(f.active.EmailAddress())); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("another's group: got %v", err)
			}
			if memberIDsOf(t, store, f.ownGroup)[f.active.ID] {
				t.Fatal("added anyway")
			}
		})
		t.Run("ErrNotFoundForAnotherAccount", func(t *testing.T) {
			if _, err := store.AddGroupMembers(ctx, other.Actor, f.ownersGroup, lines(other.Owner.EmailAddress())); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v", err)
			}
		})
	})
}

func TestRemoveGroupMembers(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		f := newGroupFixture(t, store)
		other := modelstest.NewAccount(t, store)

		t.Run("FieldErrorsForNonMembersAndNothingRemoved", func(t *testing.T) {
			_, err := store.RemoveGroupMembers(ctx, f.gaActor, f.ownGroup, []int64{f.activeMember.ID, f.active.ID})
			if !strings.Contains(fieldError(err, "ids"), "1 of the selected people is not a member") {
				t.Fatalf("got %v", err)
			}
			if !memberIDsOf(t, store, f.ownGroup)[f.activeMember.ID] {
				t.Fatal("removed anyway")
			}
			if _, err := store.RemoveGroupMembers(ctx, f.gaActor, f.ownGroup, nil); fieldError(err, "ids") == "" {
				t.Fatalf("empty: got %v", err)
			}
		})
		t.Run("ErrNotFoundForUsersOfAnotherAccount", func(t *testing.T) {
			if _, err := store.RemoveGroupMembers(ctx, f.gaActor, f.ownGroup, []int64{f.activeMember.ID, other.Owner.ID}); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ErrNotFoundOnAnotherOwnersGroup", func(t *testing.T) {
			if _, err := store.RemoveGroupMembers(ctx, f.gaActor, f.ownersGroup, []int64{f.active.ID}); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v", err)
			}
			if _, err := store.RemoveGroupMembers(ctx, other.Actor, f.ownersGroup, []int64{f.active.ID}); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("another account: got %v", err)
			}
		})
		t.Run("GroupAdministratorRemovesFromTheirOwn", func(t *testing.T) {
			n, err := store.RemoveGroupMembers(ctx, f.gaActor, f.ownGroup, []int64{f.activeMember.ID, f.inactiveMember.ID})
			if err != nil || n != 2 || len(memberIDsOf(t, store, f.ownGroup)) != 0 {
				t.Fatalf("removed %d, %v", n, err)
			}
			if d := auditDetails(t, store, f.acc.Account.ID, models.AuditGroupMembersRemoved); len(d) != 2 {
				t.Fatalf("audit %v", d)
			}
		})
		t.Run("RemovingTheOwnerAsMemberKeepsThemOwner", func(t *testing.T) {
			joinGroup(t, store, f.acc, f.ownersGroup, f.acc.Owner)
			if _, err := store.RemoveGroupMembers(ctx, f.acc.Actor, f.ownersGroup, []int64{f.acc.Owner.ID}); err != nil {
				t.Fatal(err)
			}
			if groupOf(t, store, f.ownersGroup).OwnerID != f.acc.Owner.ID {
				t.Fatal("owner changed")
			}
		})
	})
}

func TestTransferGroupOwnership(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		f := newGroupFixture(t, store)
		other := modelstest.NewAccount(t, store)

		for name, tc := range map[string]struct {
			to   int64
			want string
		}{
			"NotAMember":      {f.active.ID, "Only a member"},
			"InactiveMember":  {f.inactiveMember.ID, "Only an active member"},
			"AlreadyTheOwner": {f.groupAdmin.ID, "already own"},
		} {
			t.Run("FieldErrors/"+name, func(t *testing.T) {
				if name == "AlreadyTheOwner" {
					joinGroup(t, store, f.acc, f.ownGroup, f.groupAdmin)
				}
				_, err := store.TransferGroupOwnership(ctx, f.gaActor, f.ownGroup, tc.to)
				if !strings.Contains(fieldError(err, "owner_id"), tc.want) {
					t.Fatalf("got %v", err)
				}
			})
		}
		t.Run("ErrNotFound", func(t *testing.T) {
			for name, call := range map[string]func() error{
				"UserOfAnotherAccount": func() error {
					_, err := store.TransferGroupOwnership(ctx, f.gaActor, f.ownGroup, other.Owner.ID)
					return err
				},
				"AnotherOwnersGroup": func() error {
					_, err := store.TransferGroupOwnership(ctx, f.gaActor, f.ownersGroup, f.active.ID)
					return err
				},
				"GroupOfAnotherAccount": func() error {
					_, err := store.TransferGroupOwnership(ctx, other.Actor, f.ownersGroup, other.Owner.ID)
					return err
				},
			} {
				if err := call(); !errors.Is(err, models.ErrNotFound) {
					t.Errorf("%s: got %v", name, err)
				}
			}
		})
		t.Run("GroupAdministratorHandsTheirGroupOnAndLosesIt", func(t *testing.T) {
			g, err := store.TransferGroupOwnership(ctx, f.gaActor, f.ownGroup, f.activeMember.ID)
			if err != nil || g.OwnerID != f.activeMember.ID || groupOf(t, store, f.ownGroup).OwnerID != f.activeMember.ID {
				t.Fatalf("got %+v, %v", g, err)
			}
			if f.gaActor.CanSeeGroup(g) {
				t.Fatal("the old owner still sees the group")
			}
			if !memberIDsOf(t, store, f.ownGroup)[f.groupAdmin.ID] {
				t.Fatal("the old owner, a member, is no member any more")
			}
			if _, err := store.GetGroup(ctx, f.gaActor, f.ownGroup, "", ""); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("old owner opens the group: %v", err)
			}
			d := auditDetails(t, store, f.acc.Account.ID, models.AuditGroupOwnershipTransfer)
			if len(d) != 1 || !strings.Contains(d[0], fmt.Sprintf(`"to_owner_id":%d`, f.activeMember.ID)) {
				t.Fatalf("audit %v", d)
			}
		})
	})
}

func TestDeleteGroup(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		f := newGroupFixture(t, store)
		other := modelstest.NewAccount(t, store)

		t.Run("FieldErrorsWhileItHasMembers", func(t *testing.T) {
			joinGroup(t, store, f.acc, f.ownGroup, f.deleted) // not counted: deleted users are nobody's members
			_, err := store.DeleteGroup(ctx, f.acc.Actor, f.ownGroup)
			if !strings.Contains(fieldError(err, "delete"), "remove its 2 members first") {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ErrForbiddenForGroupAdministrators", func(t *testing.T) {
			if _, err := store.DeleteGroup(ctx, f.gaActor, f.ownGroup); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("got %v", err)
			}
			if _, err := store.DeleteGroup(ctx, f.gaActor, f.ownersGroup); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("another's group: got %v", err)
			}
			if _, err := store.DeleteGroup(ctx, other.Actor, f.ownGroup); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("another account: got %v", err)
			}
		})
		t.Run("AnEmptyGroup", func(t *testing.T) {
			if _, err := store.RemoveGroupMembers(ctx, f.acc.Actor, f.ownGroup, []int64{f.activeMember.ID, f.inactiveMember.ID}); err != nil {
				t.Fatal(err)
			}
			g, err := store.DeleteGroup(ctx, f.admin, f.ownGroup)
			if err != nil || g.Name != "Gail's team" {
				t.Fatalf("got %+v, %v", g, err)
			}
			var n int64
			modelstest.Must(t, store.DB().Model(&models.Group{}).Where("id = ?", f.ownGroup).Count(&n))
			if n != 0 || len(memberIDsOf(t, store, f.ownGroup)) != 0 {
				t.Fatal("group or memberships left")
			}
			if d := auditDetails(t, store, f.acc.Account.ID, models.AuditGroupDeleted); len(d) != 1 {
				t.Fatalf("audit %v", d)
			}
		})
	})
}

func TestListGroupPage(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		f := newGroupFixture(t, store)
		joinGroup(t, store, f.acc, f.ownersGroup, f.deleted)
		for i := 0; i < 118; i++ {
			addGroup(t, store, f.acc, fmt.Sprintf("Bulk %03d", i))
		}

		t.Run("EveryGroupByNameWithOwnerAndLiveMemberCount", func(t *testing.T) {
			var names []string
			seen := map[int64]bool{}
			q := models.GroupListQuery{}
			pages := 0
			for {
				page, err := store.ListGroupPage(ctx, f.acc.Actor, q)
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != 120 {
					t.Fatalf("total %d", page.Total)
				}
				pages++
				for _, r := range page.Rows {
					if seen[r.ID] {
						t.Fatalf("%s twice", r.Name)
					}
					seen[r.ID] = true
					names = append(names, r.Name)
					if r.ID == f.ownersGroup && (r.MemberCount != 1 || r.OwnerName != f.acc.Owner.Name) {
						t.Fatalf("row %+v", r)
					}
					if r.ID == f.ownGroup && (r.MemberCount != 2 || r.OwnerName != f.groupAdmin.Name) {
						t.Fatalf("row %+v", r)
					}
				}
				if page.NextCursor == "" {
					break
				}
				q = models.GroupListQuery{After: page.NextCursor}
			}
			if pages != 3 || len(names) != 120 || names[0] != "Bulk 000" || names[119] != "Olivia's team" {
				t.Fatalf("%d pages, %d names: %v … %v", pages, len(names), names[0], names[len(names)-1])
			}
			// Back from the last page.
			last, _ := store.ListGroupPage(ctx, f.acc.Actor, q)
			prev, err := store.ListGroupPage(ctx, f.acc.Actor, models.GroupListQuery{Before: last.PrevCursor})
			if err != nil || len(prev.Rows) != 50 || prev.Rows[0].Name != "Bulk 050" || prev.PrevCursor == "" || prev.NextCursor == "" {
				t.Fatalf("previous page: %d rows, %v", len(prev.Rows), err)
			}
		})
		t.Run("Search", func(t *testing.T) {
			page, err := store.ListGroupPage(ctx, f.acc.Actor, models.GroupListQuery{Search: "TEAM"})
			if err != nil || page.Total != 2 || len(page.Rows) != 2 {
				t.Fatalf("got %+v, %v", page, err)
			}
			for _, s := range []string{"%", "_", `\`, "'; DROP TABLE groups; --", "te\x00am", "te\xffam"} {
				page, err := store.ListGroupPage(ctx, f.acc.Actor, models.GroupListQuery{Search: s})
				if err != nil || (page.Total != 0) != strings.HasPrefix(s, "te") {
					t.Errorf("search %q: %v, %v", s, page, err)
				}
			}
			if _, err := store.ListGroupPage(ctx, f.acc.Actor, models.GroupListQuery{After: "garbage", Before: "%%%"}); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ThreeQueriesWhateverThePageSize", func(t *testing.T) {
			counter := &queryCounter{}
			page, err := store.WithQueryLogger(counter).ListGroupPage(ctx, f.acc.Actor, models.GroupListQuery{})
			if err != nil || len(page.Rows) != models.GroupListPageSize || counter.n != 3 {
				t.Fatalf("%d statements for %d rows, %v", counter.n, len(page.Rows), err)
			}
		})
		t.Run("GroupAdministratorsSeeTheirOwn", func(t *testing.T) {
			page, err := store.ListGroupPage(ctx, f.gaActor, models.GroupListQuery{})
			if err != nil || page.Total != 1 || len(page.Rows) != 1 || page.Rows[0].ID != f.ownGroup {
				t.Fatalf("got %+v, %v", page, err)
			}
			member := &models.Actor{User: f.active, Account: f.acc.Account}
			if _, err := store.ListGroupPage(ctx, member, models.GroupListQuery{}); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("member: %v", err)
			}
		})
	})
}

func TestGetGroup(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		f := newGroupFixture(t, store)
		other := modelstest.NewAccount(t, store)
		for i := 0; i < 118; i++ {
			u := addUser(t, store, f.acc, fmt.Sprintf("Person %03d", i), fmt.Sprintf("person%d-%d@example.com", i, f.acc.Account.ID), models.RoleMember, models.StatusActive, nil)
			joinGroup(t, store, f.acc, f.ownGroup, u)
		}
		joinGroup(t, store, f.acc, f.ownGroup, f.deleted)

		t.Run("MembersByNameFiftyAPage", func(t *testing.T) {
			var names []string
			after := ""
			for {
				d, err := store.GetGroup(ctx, f.gaActor, f.ownGroup, after, "")
				if err != nil {
					t.Fatal(err)
				}
				if d.MemberCount != 120 || d.OwnerName != f.groupAdmin.Name || d.OwnerIsMember {
					t.Fatalf("detail %+v", d)
				}
				for _, m := range d.Members {
					names = append(names, m.Name)
				}
				if d.NextCursor == "" {
					break
				}
				after = d.NextCursor
			}
			if len(names) != 120 || names[0] != "Mo Member" || names[1] != "Nia Inactive" || names[2] != "Person 000" {
				t.Fatalf("%d names starting %v", len(names), names[:3])
			}
		})
		t.Run("ThreeQueriesWhateverThePageSize", func(t *testing.T) {
			counter := &queryCounter{}
			d, err := store.WithQueryLogger(counter).GetGroup(ctx, f.acc.Actor, f.ownGroup, "", "")
			if err != nil || len(d.Members) != models.GroupMembersPageSize || counter.n != 3 {
				t.Fatalf("%d statements, %v", counter.n, err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			if _, err := store.GetGroup(ctx, f.gaActor, f.ownersGroup, "", ""); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("another's group: %v", err)
			}
			if _, err := store.GetGroup(ctx, other.Actor, f.ownGroup, "", ""); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("another account: %v", err)
			}
		})
	})
}

// BenchmarkGroupPages measures Settings > Groups on PostgreSQL for an account of 3,000 groups
// and 20,000 people, one group holding 10,000 of them: the first and a deep page of the list, a
// search, and the big group's first and last page of members.
func BenchmarkGroupPages(b *testing.B) {
	store := modelstest.Postgres(b)
	ctx := context.Background()
	acc := modelstest.NewAccount(b, store)
	now := time.Now().UTC()
	people := make([]models.User, 20000)
	for i := range people {
		email := fmt.Sprintf("p%d-%d@example.com", i, acc.Account.ID)
		people[i] = models.User{AccountID: acc.Account.ID, Email: &email, Name: fmt.Sprintf("Person %05d", i), Role: models.RoleMember,
			Status: models.StatusActive, CreatedAt: now, UpdatedAt: now}
	}
	if err := store.DB().CreateInBatches(people, 1000).Error; err != nil {
		b.Fatal(err)
	}
	groups := make([]models.Group, 3000)
	for i := range groups {
		groups[i] = models.Group{AccountID: acc.Account.ID, Name: fmt.Sprintf("Group %04d", i), OwnerID: people[i%len(people)].ID, CreatedAt: now}
	}
	if err := store.DB().CreateInBatches(groups, 1000).Error; err != nil {
		b.Fatal(err)
	}
	var members []models.GroupMember
	for i, u := range people {
		members = append(members, models.GroupMember{GroupID: groups[i%len(groups)].ID, UserID: u.ID, AccountID: acc.Account.ID, CreatedAt: now})
		if i < 10000 && i%len(groups) != 0 {
			members = append(members, models.GroupMember{GroupID: groups[0].ID, UserID: u.ID, AccountID: acc.Account.ID, CreatedAt: now})
		}
	}
	if err := store.DB().CreateInBatches(members, 1000).Error; err != nil {
		b.Fatal(err)
	}
	modelstest.Must(b, store.DB().Exec("ANALYZE"))
	deep := ""
	for i := 0; i < 40; i++ {
		page, err := store.ListGroupPage(ctx, acc.Actor, models.GroupListQuery{After: deep})
		if err != nil {
			b.Fatal(err)
		}
		deep = page.NextCursor
	}
	last := ""
	for {
		d, err := store.GetGroup(ctx, acc.Actor, groups[0].ID, last, "")
		if err != nil {
			b.Fatal(err)
		}
		if d.NextCursor == "" {
			break
		}
		last = d.NextCursor
	}
	for name, fn := range map[string]func() error{
		"ListFirstPage": func() error { _, err := store.ListGroupPage(ctx, acc.Actor, models.GroupListQuery{}); return err },
		"ListDeepPage": func() error {
			_, err := store.ListGroupPage(ctx, acc.Actor, models.GroupListQuery{After: deep})
			return err
		},
		"ListSearch": func() error {
			_, err := store.ListGroupPage(ctx, acc.Actor, models.GroupListQuery{Search: "12"})
			return err
		},
		"BigGroupFirstPage": func() error {
			_, err := store.GetGroup(ctx, acc.Actor, groups[0].ID, "", "")
			return err
		},
		"BigGroupLastPage": func() error {
			_, err := store.GetGroup(ctx, acc.Actor, groups[0].ID, last, "")
			return err
		},
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
