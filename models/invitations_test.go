package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

func planOf(t *testing.T, store *models.Store, acc *modelstest.Account) models.Plan {
	t.Helper()
	var p models.Plan
	if err := store.DB().Where("account_id = ?", acc.Account.ID).Order("id").First(&p).Error; err != nil {
		t.Fatal(err)
	}
	return p
}

func usageOf(t *testing.T, store *models.Store, acc *modelstest.Account, planID int64) models.PlanUsage {
	t.Helper()
	usage, err := store.SeatUsage(context.Background(), acc.Actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range usage {
		if u.Plan.ID == planID {
			return u
		}
	}
	t.Fatalf("plan %d not in usage", planID)
	return models.PlanUsage{}
}

// tokenFrom takes the invitation token out of the newest message to address.
func tokenFrom(t *testing.T, store *models.Store, address string) string {
	t.Helper()
	var msg models.OutboxMessage
	if err := store.DB().Where("to_address = ?", address).Order("id DESC").First(&msg).Error; err != nil {
		t.Fatalf("no mail to %s: %v", address, err)
	}
	i := strings.LastIndex(msg.ActionURL, "/")
	if i < 0 || !strings.Contains(msg.Body, msg.ActionURL) {
		t.Fatalf("mail to %s carries no link: %q", address, msg.Body)
	}
	return msg.ActionURL[i+1:]
}

// wantTokenLink fails unless link is exactly prefix and a token as newToken makes it (64 hex
// digits): the addresses mails link to are public interface and must not change.
func wantTokenLink(t *testing.T, link, prefix string) {
	t.Helper()
	token, ok := strings.CutPrefix(link, prefix)
	if !ok || len(token) != 64 || strings.Trim(token, "0123456789abcdef") != "" {
		t.Errorf("link %q, want %s followed by a token", link, prefix)
	}
}

func TestInvite(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		plan := planOf(t, store, acc)
		group := addGroup(t, store, acc, "Field")

		t.Run("InvitesEveryoneAndReservesSeats", func(t *testing.T) {
			lines := models.ParseInviteList("Ada Lovelace <ADA@example.com>, bob@example.com\n carl@example.com;")
			invited, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: lines, PlanID: plan.ID, Role: models.RoleMember,
				GroupIDs: []int64{group}, BaseURL: "https://roster.example"})
			if err != nil {
				t.Fatal(err)
			}
			if len(invited) != 3 || invited[0].Name != "Ada Lovelace" || invited[0].EmailAddress() != "ada@example.com" {
				t.Fatalf("invited %+v", invited)
			}
			if u := usageOf(t, store, acc, plan.ID); u.Reserved != 3 || u.InUse != 1 {
				t.Fatalf("usage after inviting three: %+v", u)
			}
			var members, invitations int64
			modelstest.Must(t, store.DB().Model(&models.GroupMember{}).Where("group_id = ?", group).Count(&members))
			modelstest.Must(t, store.DB().Model(&models.Invitation{}).Where("account_id = ?", acc.Account.ID).Count(&invitations))
			if members != 3 || invitations != 3 {
				t.Fatalf("members %d, invitations %d", members, invitations)
			}
			token := tokenFrom(t, store, "bob@example.com")
			var stored models.Invitation
			modelstest.Must(t, store.DB().Where("user_id = ?", invited[1].ID).First(&stored))
			if stored.TokenHash == token || strings.Contains(stored.TokenHash, token) {
				t.Fatal("the token is stored as it is; only its hash may be")
			}
		})
		t.Run("ReportsEveryProblemAndInvitesNobody", func(t *testing.T) {
			before := countUsers(t, store, acc.Account.ID)
			lines := models.ParseInviteList("dora@example.com, not-an-address, dora@example.com, ada@example.com, <script>@x")
			_, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: lines, PlanID: plan.ID, Role: models.RoleMember})
			var rejected models.InviteRejectedError
			if !errors.As(err, &rejected) {
				t.Fatalf("got %v, want InviteRejectedError", err)
			}
			want := []string{"", "Not an e-mail address.", "Listed twice.", "Already invited", "Not an e-mail address."}
			if len(rejected.Lines) != len(want) {
				t.Fatalf("%d lines, want %d: %+v", len(rejected.Lines), len(want), rejected.Lines)
			}
			for i, line := range rejected.Lines {
				if !strings.HasPrefix(line.Problem, want[i]) || (want[i] == "" && line.Problem != "") {
					t.Errorf("line %q: problem %q, want %q", line.Input, line.Problem, want[i])
				}
			}
			if after := countUsers(t, store, acc.Account.ID); after != before {
				t.Fatalf("a refused invitation created %d users", after-before)
			}
		})
		t.Run("QuotesInAddressesAreJustText", func(t *testing.T) {
			// A semicolon separates entries even inside quotes, so this is two entries, neither
			// an address: the whole request is refused line by line and nobody is invited.
			before := countUsers(t, store, acc.Account.ID)
			_, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(`"O'Brien; --" <o'brien@example.com>`),
				PlanID: plan.ID, Role: models.RoleMember})
			var rejected models.InviteRejectedError
			if !errors.As(err, &rejected) {
				t.Fatalf("got %v, want InviteRejectedError", err)
			}
			if len(rejected.Lines) != 2 || rejected.Lines[0].Input != `"O'Brien` || rejected.Lines[1].Input != `--" <o'brien@example.com>` {
				t.Fatalf("lines %+v, want the two halves around the semicolon", rejected.Lines)
			}
			for _, line := range rejected.Lines {
				if line.Problem != "Not an e-mail address." {
					t.Errorf("line %q: problem %q", line.Input, line.Problem)
				}
			}
			if after := countUsers(t, store, acc.Account.ID); after != before {
				t.Fatalf("a refused invitation created %d users", after-before)
			}

			// Quotes, apostrophes and SQL comment dashes inside a quoted name are stored as typed.
			invited, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(`"O'Brien --" <o'brien@example.com>`),
				PlanID: plan.ID, Role: models.RoleMember})
			if err != nil {
				t.Fatal(err)
			}
			if len(invited) != 1 || invited[0].EmailAddress() != "o'brien@example.com" || invited[0].Name != "O'Brien --" {
				t.Fatalf("invited %+v, want O'Brien -- at o'brien@example.com", invited)
			}
			var stored []models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND email = ?", acc.Account.ID, "o'brien@example.com").Find(&stored))
			if len(stored) != 1 || stored[0].ID != invited[0].ID || stored[0].Name != "O'Brien --" || stored[0].Status != models.StatusInvited {
				t.Fatalf("stored %+v, want the one invited user", stored)
			}
		})
		t.Run("ReportsMissingSeatsPerAddress", func(t *testing.T) {
			free := usageOf(t, store, acc, plan.ID).Free()
			var list []string
			for i := 0; i < free+2; i++ {
				list = append(list, "seat"+itoa(i)+"@example.com")
			}
			_, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(strings.Join(list, ",")), PlanID: plan.ID, Role: models.RoleMember})
			var rejected models.InviteRejectedError
			if !errors.As(err, &rejected) || !strings.Contains(rejected.Fields["plan"], "lacks 2 seats") {
				t.Fatalf("got %v (%+v), want a plan message about 2 missing seats", err, rejected.Fields)
			}
			if rejected.Lines[free].Problem == "" || rejected.Lines[free-1].Problem != "" {
				t.Fatalf("the addresses beyond the %d free seats should be marked: %+v", free, rejected.Lines)
			}
		})
		t.Run("RefusesBadFormFields", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			foreignPlan := planOf(t, store, other)
			_, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList("eve@example.com"), PlanID: foreignPlan.ID, Role: "emperor"})
			var rejected models.InviteRejectedError
			if !errors.As(err, &rejected) || rejected.Fields["plan"] == "" || rejected.Fields["role"] == "" {
				t.Fatalf("another account's plan and an unknown role: got %v %+v", err, rejected.Fields)
			}
		})
	})
}

func TestAcceptInvitation(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		plan := planOf(t, store, acc)
		invite := func(t *testing.T, address string) string {
			t.Helper()
			if _, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(address), PlanID: plan.ID,
				Role: models.RoleMember, BaseURL: "http://x"}); err != nil {
				t.Fatal(err)
			}
			return tokenFrom(t, store, address)
		}
		t.Run("BecomesActiveWithTheSeatAndIsSignedIn", func(t *testing.T) {
			token := invite(t, "new@example.com")
			reserved := usageOf(t, store, acc, plan.ID)
			if _, _, err := store.AcceptInvitation(ctx, token, "Nia New", "short", "", ""); !errors.Is(err, models.ErrInvalid) {
				t.Fatalf("short password: got %v, want FieldErrors", err)
			}
			actor, session, err := store.AcceptInvitation(ctx, token, " Nia New ", "a long enough password", "10.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			if actor.User.Status != models.StatusActive || actor.User.Name != "Nia New" {
				t.Fatalf("accepted user %+v", actor.User)
			}
			if _, err := store.Authenticate(ctx, session); err != nil {
				t.Fatalf("the new session does not work: %v", err)
			}
			after := usageOf(t, store, acc, plan.ID)
			if after.InUse != reserved.InUse+1 || after.Reserved != reserved.Reserved-1 {
				t.Fatalf("seat not converted: before %+v after %+v", reserved, after)
			}
			if _, _, err := store.AcceptInvitation(ctx, token, "Again", "a long enough password", "", ""); !errors.Is(err, models.ErrInvitationUsed) {
				t.Fatalf("second use: got %v, want ErrInvitationUsed", err)
			}
			if _, _, err := store.SignIn(ctx, "new@example.com", "a long enough password", "", ""); err != nil {
				t.Fatalf("sign in with the chosen password: %v", err)
			}
		})
		t.Run("RefusesBrokenLinks", func(t *testing.T) {
			token := invite(t, "expiring@example.com")
			for _, bad := range []string{"", "x", strings.Repeat("0", 64), token[:63] + "z", "' OR 1=1 --"} {
				if _, err := store.OpenInvitation(ctx, bad); !errors.Is(err, models.ErrInvitationUnknown) {
					t.Errorf("token %q: got %v, want ErrInvitationUnknown", bad, err)
				}
			}
			defer func(now func() time.Time) { store.Now = now }(store.Now)
			later := time.Now().Add(models.InvitationLifetime + time.Minute)
			store.Now = func() time.Time { return later }
			if _, _, err := store.AcceptInvitation(ctx, token, "Late", "a long enough password", "", ""); !errors.Is(err, models.ErrInvitationExpired) {
				t.Fatalf("expired: got %v", err)
			}
		})
		t.Run("RemindReplacesTheLinkAndIsRateLimited", func(t *testing.T) {
			first := invite(t, "slow@example.com")
			var u models.User
			modelstest.Must(t, store.DB().Where("email = ? AND account_id = ?", "slow@example.com", acc.Account.ID).First(&u))
			var refusal models.BulkRefusal
			if _, err := store.Remind(ctx, acc.Actor, []int64{u.ID}, "http://x"); !errors.As(err, &refusal) {
				t.Fatalf("remind right after sending: got %v, want BulkRefusal", err)
			}
			defer func(now func() time.Time) { store.Now = now }(store.Now)
			store.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
			if _, err := store.Remind(ctx, acc.Actor, []int64{u.ID}, "http://x"); err != nil {
				t.Fatal(err)
			}
			second := tokenFrom(t, store, "slow@example.com")
			if second == first {
				t.Fatal("the reminder resent the old link")
			}
			if _, err := store.OpenInvitation(ctx, first); !errors.Is(err, models.ErrInvitationUnknown) {
				t.Fatalf("old link after a reminder: got %v, want ErrInvitationUnknown", err)
			}
			if _, err := store.OpenInvitation(ctx, second); err != nil {
				t.Fatalf("new link: %v", err)
			}
		})
		t.Run("RevokeFreesTheSeatAndKillsTheLink", func(t *testing.T) {
			token := invite(t, "gone@example.com")
			var u models.User
			modelstest.Must(t, store.DB().Where("email = ? AND account_id = ?", "gone@example.com", acc.Account.ID).First(&u))
			before := usageOf(t, store, acc, plan.ID)
			if _, err := store.Revoke(ctx, acc.Actor, []int64{u.ID}); err != nil {
				t.Fatal(err)
			}
			if after := usageOf(t, store, acc, plan.ID); after.Reserved != before.Reserved-1 {
				t.Fatalf("revoking did not free the reserved seat: %+v → %+v", before, after)
			}
			if _, err := store.OpenInvitation(ctx, token); !errors.Is(err, models.ErrInvitationRevoked) {
				t.Fatalf("revoked link: got %v", err)
			}
			// The address may be invited again.
			invite(t, "gone@example.com")
		})
		t.Run("ActionsRefuseUsersThatAreNotInvited", func(t *testing.T) {
			var refusal models.BulkRefusal
			if _, err := store.Revoke(ctx, acc.Actor, []int64{acc.Owner.ID}); !errors.As(err, &refusal) {
				t.Fatalf("revoking an active user: got %v", err)
			}
			other := modelstest.NewAccount(t, store)
			if _, err := store.Revoke(ctx, acc.Actor, []int64{other.Owner.ID}); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("another account's user: got %v, want ErrNotFound", err)
			}
		})
	})
}

func TestParseInviteCSV(t *testing.T) {
	lines, err := models.ParseInviteCSV(strings.NewReader("\ufeffName,E-mail\nAda Lovelace,ada@example.com\n\"Hopper, Grace\",GRACE@example.com\n,\nbad,nope\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || lines[0].Name != "Ada Lovelace" || lines[1].Email != "grace@example.com" || lines[1].Name != "Hopper, Grace" || lines[2].Problem == "" {
		t.Fatalf("lines %+v", lines)
	}
	// Each line says where it is in the file, by the file's own line numbers and column names.
	if lines[0].Where != "Line 2, column “E-mail”" || lines[2].Where != "Line 5, column “E-mail”" {
		t.Errorf("where: %q, %q", lines[0].Where, lines[2].Where)
	}
	// Through the preview field and back, every line is checked again.
	back, err := models.DecodeInvitePreview(models.EncodeInvitePreview(lines))
	if err != nil || len(back) != 3 || back[1].Name != "Hopper, Grace" || back[2].Problem == "" || back[2].Where != lines[2].Where {
		t.Errorf("preview round trip: %+v, %v", back, err)
	}
	headless, err := models.ParseInviteCSV(strings.NewReader("ada@example.com,Ada\nbob@example.com\n"))
	if err != nil || len(headless) != 2 || headless[0].Name != "Ada" {
		t.Fatalf("headless: %+v %v", headless, err)
	}
	if _, err := models.ParseInviteCSV(strings.NewReader("a,\"b\nc")); !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("broken CSV: got %v, want FieldErrors", err)
	}
}

func countUsers(t *testing.T, store *models.Store, accountID int64) int64 {
	t.Helper()
	return modelstest.Count(t, store.DB().Model(&models.User{}).Where("account_id = ?", accountID))
}

func itoa(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }
