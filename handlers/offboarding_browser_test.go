package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

// TestBrowserDeleteTransferResetAndPrivacy follows an administrator through the account-ending tools in headless
// Chromium: team statistics, deleting an inactive member with their history (scheduled, undone,
// then erased at once), anonymising another and inviting their address again, transferring a
// group administrator's account, resetting a member's password (opened in a browser of the
// member's own) and a privacy edit. Each stop is a full-page screenshot.
func TestBrowserDeleteTransferResetAndPrivacy(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		start := time.Now()
		db := filepath.Base(t.Name())
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 60)
		accountID := seeded.Account.ID
		shots := &offboardingShots{t: t, dir: artifacts, db: db}
		gdb := store.DB()

		// 1. The owner signs in.
		ctxA := startBrowser(t, execPath)
		a := &browserUser{t: t, ctx: ctxA, base: app.URL, shots: artifacts, db: db}
		a.signIn(seeded.OwnerEmail, seeded.OwnerPassword)
		if loc := lcLocation(a); loc != "/settings/users" {
			t.Fatalf("owner signed in at %s, want /settings/users", loc)
		}
		consoleA := collectConsoleErrors(ctxA)

		query, _ := models.NormaliseStatisticsQuery(models.StatisticsQuery{}, store.Now())
		periodEnd := query.To.AddDate(0, 1, 0)
		// activity counts what the statistics page counts: activity in its default period.
		activity := func(userID int64) int64 {
			q := gdb.Model(&models.Activity{}).Where("account_id = ? AND occurred_at >= ? AND occurred_at < ?", accountID, query.From, periodEnd)
			if userID != 0 {
				q = q.Where("user_id = ?", userID)
			}
			var n int64
			if err := q.Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		load := func(id int64) models.User {
			var u models.User
			if err := gdb.Where("id = ?", id).Take(&u).Error; err != nil {
				t.Fatalf("load user %d: %v", id, err)
			}
			return u
		}
		count := func(model any, where string, args ...any) int64 {
			var n int64
			if err := gdb.Model(model).Where(where, args...).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		grandTotal := func() int {
			a.navigate("/settings/statistics")
			return lcInt(t, evaluate[string](a, `document.querySelector('[data-testid="statistics-grand-total"]')?.innerText.trim() ?? ''`))
		}

		// Inactive members who own no group and manage nobody: every outcome but Remove is open
		// to them. The first two have activity in the statistics period.
		var inactive []models.User
		if err := gdb.Where("account_id = ? AND status = ? AND role = ? AND deletion_due_at IS NULL", accountID,
			models.StatusInactive, models.RoleMember).Order("id").Find(&inactive).Error; err != nil {
			t.Fatal(err)
		}
		var withActivity, others []models.User
		for _, u := range inactive {
			if count(&models.Group{}, "owner_id = ?", u.ID) > 0 || count(&models.User{}, "manager_id = ? AND status <> ?", u.ID, models.StatusDeleted) > 0 {
				continue
			}
			if activity(u.ID) > 0 && count(&models.Record{}, "owner_id = ?", u.ID) > 0 && len(withActivity) < 2 {
				withActivity = append(withActivity, u)
			} else {
				others = append(others, u)
			}
		}
		if len(withActivity) < 2 || len(others) < 1 {
			t.Fatalf("the seed has %d inactive members with records and activity and %d others; want 2 and 1", len(withActivity), len(others))
		}
		m1, m2, m3 := withActivity[0], withActivity[1], others[0]
		m1ID, m2ID, m3ID := strconv.FormatInt(m1.ID, 10), strconv.FormatInt(m2.ID, 10), strconv.FormatInt(m3.ID, 10)

		// 2. Team statistics: the grand total is the account's activity in the period.
		total := grandTotal()
		if want := activity(0); int64(total) != want {
			t.Errorf("statistics grand total %d, the database holds %d activities in %s – %s", total, want, query.From, periodEnd)
		}
		shots.take(a, "statistics")

		// 3. Delete an inactive member with their history: first with the grace period.
		a.navigate("/settings/users/" + m1ID)
		if status := evaluate[string](a, `document.querySelector('[data-testid="profile-status"]')?.innerText.trim() ?? ''`); status != "Inactive" {
			t.Errorf("%s's profile says %q, want Inactive", m1.Name, status)
		}
		if status := a.clickAndLoad(`[data-testid="action-delete"]`); status != http.StatusOK {
			t.Fatalf("Delete…: status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users/delete?ids="+m1ID {
			t.Errorf("Delete… opened %s", loc)
		}
		page := evaluate[struct {
			Greyed        bool     `json:"greyed"`
			RemoveColour  string   `json:"removeColour"`
			HistoryColour string   `json:"historyColour"`
			Disabled      bool     `json:"disabled"`
			Reasons       []string `json:"reasons"`
			Links         []string `json:"links"`
			HistoryOpen   bool     `json:"historyOpen"`
			AnonOpen      bool     `json:"anonOpen"`
			Grace         string   `json:"grace"`
			EraseNow      bool     `json:"eraseNow"`
			Heading       string   `json:"heading"`
		}](a, `(() => {
			const remove = document.querySelector('[data-testid="outcome-remove"]');
			const items = [...document.querySelectorAll('[data-testid="reasons-remove"] li')];
			return {
				greyed: remove?.classList.contains('option-disabled') ?? false,
				removeColour: getComputedStyle(remove.querySelector('strong')).color,
				historyColour: getComputedStyle(document.querySelector('[data-testid="outcome-with_history"] strong')).color,
				disabled: document.querySelector('[data-testid="mode-remove"]')?.disabled ?? false,
				reasons: items.map((li) => li.innerText.trim()),
				links: items.flatMap((li) => [...li.querySelectorAll('a')].map((l) => l.getAttribute('href'))),
				historyOpen: document.querySelector('[data-testid="mode-with_history"]')?.disabled === false,
				anonOpen: document.querySelector('[data-testid="mode-anonymise"]')?.disabled === false,
				grace: document.querySelector('[data-testid="delete-grace"]')?.innerText ?? '',
				eraseNow: document.querySelector('[data-testid="erase-now"]')?.checked ?? false,
				heading: document.querySelector('main h1')?.innerText.trim() ?? '',
			};
		})()`)
		if !page.Greyed || !page.Disabled {
			t.Errorf("Remove is not greyed out (class option-disabled %v, radio disabled %v)", page.Greyed, page.Disabled)
		}
		if page.RemoveColour == page.HistoryColour {
			// Only the radio button looks disabled: .check sets the label's colour, so the
			// option's muted class does not reach it.
			t.Logf("note: the refused Remove label has the same colour (%s) as the allowed outcomes", page.RemoveColour)
		}
		joined := strings.Join(page.Reasons, "\n")
		if !strings.Contains(joined, "Owns ") || !strings.Contains(joined, "Has history") {
			t.Errorf("Remove's reasons %q should say they own records and have history", page.Reasons)
		}
		if !slices.Contains(page.Links, "/settings/users/"+m1ID+"/transfer") {
			t.Errorf("Remove's reasons link to %v, want their transfer page among them", page.Links)
		}
		if !page.HistoryOpen || !page.AnonOpen {
			t.Errorf("Delete with history open %v, Anonymise open %v; want both allowed", page.HistoryOpen, page.AnonOpen)
		}
		if page.EraseNow {
			t.Error("Erase now is ticked by default")
		}
		grace := seeded.Account.DeletionGraceDays
		due := store.Now().UTC().AddDate(0, 0, grace).Format("2 Jan 2006")
		if grace <= 0 || !strings.Contains(page.Grace, due) {
			t.Errorf("the grace text %q does not name the due date %s (%d days)", page.Grace, due, grace)
		}
		if page.Heading != "Delete "+m1.Name {
			t.Errorf("delete page heading %q", page.Heading)
		}
		shots.take(a, "delete-page")

		a.click(`[data-testid="mode-with_history"]`)
		if status := a.clickAndLoad(`[data-testid="confirm-delete"]`); status != http.StatusOK {
			t.Fatalf("delete with grace: final status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users/"+m1ID {
			t.Errorf("after scheduling: at %s, want the profile", loc)
		}
		lcExpectFlash(t, a, "after scheduling", "1 user scheduled for deletion on "+due)
		scheduled := evaluate[struct {
			Notice string `json:"notice"`
			Undo   bool   `json:"undo"`
			Status string `json:"status"`
		}](a, `({
			notice: document.querySelector('[data-testid="deletion-scheduled"]')?.innerText ?? '',
			undo: !!document.querySelector('[data-testid="action-undo_delete"]'),
			status: document.querySelector('[data-testid="profile-status"]')?.innerText.trim() ?? '',
		})`)
		if !strings.Contains(scheduled.Notice, "Scheduled for deletion on "+due) || !strings.Contains(scheduled.Notice, "Delete with history") {
			t.Errorf("the profile's deletion notice %q should name %s and Delete with history", scheduled.Notice, due)
		}
		if !scheduled.Undo || scheduled.Status != "Inactive" {
			t.Errorf("scheduled profile: Undo delete shown %v, status %q", scheduled.Undo, scheduled.Status)
		}
		if u := load(m1.ID); u.DeletionDueAt == nil || u.DeletionMode == nil || *u.DeletionMode != string(models.DeleteWithHistory) ||
			u.Status != models.StatusInactive {
			t.Errorf("after scheduling the database holds due %v, mode %v, status %s", u.DeletionDueAt, u.DeletionMode, u.Status)
		}
		shots.take(a, "scheduled")
		a.navigate("/settings/users?tab=inactive")
		badge := evaluate[string](a, `(() => {
			const row = [...document.querySelectorAll('[data-testid="user-row"]')]
				.find((r) => r.querySelector('.person-text > i')?.innerText.trim() === `+lcJS(m1.EmailAddress())+`);
			return row?.querySelector('[data-testid="scheduled-for-deletion"]')?.innerText.trim() ?? '';
		})()`)
		if badge != "Scheduled for deletion · "+due {
			t.Errorf("the Inactive tab's row for %s shows %q, want Scheduled for deletion · %s", m1.Name, badge, due)
		}
		shots.take(a, "scheduled-list")
		a.navigate("/settings/users/" + m1ID)

		if status := a.clickAndLoad(`[data-testid="action-undo_delete"]`); status != http.StatusOK {
			t.Fatalf("Undo delete: final status %d", status)
		}
		lcExpectFlash(t, a, "after undoing", "Undid the deletion of "+m1.Name)
		undone := evaluate[struct {
			Notice bool   `json:"notice"`
			Delete bool   `json:"delete"`
			Status string `json:"status"`
		}](a, `({
			notice: !!document.querySelector('[data-testid="deletion-scheduled"]'),
			delete: !!document.querySelector('[data-testid="action-delete"]'),
			status: document.querySelector('[data-testid="profile-status"]')?.innerText.trim() ?? '',
		})`)
		if undone.Notice || !undone.Delete || undone.Status != "Inactive" {
			t.Errorf("after undoing: notice %v, Delete… offered %v, status %q", undone.Notice, undone.Delete, undone.Status)
		}
		if u := load(m1.ID); u.DeletionDueAt != nil || u.DeletionMode != nil || u.Status != models.StatusInactive {
			t.Errorf("after undoing the database holds due %v, mode %v, status %s", u.DeletionDueAt, u.DeletionMode, u.Status)
		}
		shots.take(a, "undone")

		// Now for good: with history, erased at once.
		m1Activity := activity(m1.ID)
		a.clickAndLoad(`[data-testid="action-delete"]`)
		a.click(`[data-testid="mode-with_history"]`)
		a.click(`[data-testid="erase-now"]`)
		if status := a.clickAndLoad(`[data-testid="confirm-delete"]`); status != http.StatusOK {
			t.Fatalf("erase now: final status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users?tab=inactive" {
			t.Errorf("after erasing: at %s, want /settings/users?tab=inactive", loc)
		}
		lcExpectFlash(t, a, "after erasing", "Deleted 1 user for good.")
		if emails := lcRowEmails(a); slices.Contains(emails, m1.EmailAddress()) {
			t.Errorf("the Inactive tab still lists %s", m1.EmailAddress())
		}
		if u := load(m1.ID); u.Status != models.StatusDeleted || u.Name != models.DeletedUserName || u.Email != nil {
			t.Errorf("after erasing the database holds status %s, name %q, e-mail %v", u.Status, u.Name, u.Email)
		}
		if n := count(&models.Activity{}, "user_id = ?", m1.ID); n != 0 {
			t.Errorf("%d activities of the user deleted with history are left", n)
		}
		after := grandTotal()
		if int64(total-after) != m1Activity {
			t.Errorf("statistics total went from %d to %d; want it to drop by the deleted user's %d activities", total, after, m1Activity)
		}
		if evaluate[bool](a, `!!document.querySelector('[data-testid="statistics-row"][data-user-id="`+m1ID+`"]')`) {
			t.Error("the statistics table still lists the user deleted with their history")
		}
		shots.take(a, "statistics-after-delete")

		// 4. Anonymise another inactive member at once: their activity still counts, under
		// "(deleted user)", and their address can be invited again.
		m2Activity := activity(m2.ID)
		a.navigate("/settings/users/" + m2ID)
		a.clickAndLoad(`[data-testid="action-delete"]`)
		a.click(`[data-testid="mode-anonymise"]`)
		a.click(`[data-testid="erase-now"]`)
		if status := a.clickAndLoad(`[data-testid="confirm-delete"]`); status != http.StatusOK {
			t.Fatalf("anonymise: final status %d", status)
		}
		lcExpectFlash(t, a, "after anonymising", "Deleted 1 user for good.")
		if u := load(m2.ID); u.Status != models.StatusDeleted || u.Name != models.DeletedUserName || u.Email != nil {
			t.Errorf("after anonymising the database holds status %s, name %q, e-mail %v", u.Status, u.Name, u.Email)
		}
		if n := count(&models.Activity{}, "user_id = ? AND occurred_at >= ? AND occurred_at < ?", m2.ID, query.From, periodEnd); n != m2Activity {
			t.Errorf("anonymising left %d of %d activities", n, m2Activity)
		}
		if n := grandTotal(); n != after {
			t.Errorf("statistics total changed from %d to %d by anonymising; anonymised users still count", after, n)
		}
		row := evaluate[struct {
			Found bool   `json:"found"`
			Name  string `json:"name"`
			Total string `json:"total"`
			Link  bool   `json:"link"`
		}](a, `(() => {
			const row = document.querySelector('[data-testid="statistics-row"][data-user-id="`+m2ID+`"]');
			return {
				found: !!row,
				name: row?.querySelector('[data-testid="statistics-name"]')?.innerText.trim() ?? '',
				total: row?.querySelector('[data-testid="statistics-total"]')?.innerText.trim() ?? '',
				link: !!row?.querySelector('a'),
			};
		})()`)
		if !row.Found || row.Name != models.DeletedUserName || row.Total != strconv.FormatInt(m2Activity, 10) {
			t.Errorf("the anonymised user's statistics row: found %v, name %q, total %q; want %q with %d",
				row.Found, row.Name, row.Total, models.DeletedUserName, m2Activity)
		}
		if row.Link {
			t.Error("the anonymised user's statistics row links to a profile")
		}
		if strings.Contains(evaluate[string](a, `document.body.innerText`), m2.Name) {
			t.Errorf("the statistics page still names %s", m2.Name)
		}
		shots.take(a, "statistics-anonymised")

		a.navigate("/settings/users/invite")
		a.typeInto("#addresses", m2.EmailAddress())
		if status := a.clickAndLoad(`[data-testid="send-invitations"]`); status != http.StatusOK {
			t.Fatalf("invite the anonymised address: final status %d", status)
		}
		lcExpectFlash(t, a, "after inviting the address again", "Invited "+strings.SplitN(m2.EmailAddress(), "@", 2)[0])
		if emails := lcRowEmails(a); !slices.Contains(emails, m2.EmailAddress()) {
			t.Errorf("the Invited tab does not list %s", m2.EmailAddress())
		}
		if n := count(&models.User{}, "account_id = ? AND email = ? AND status = ?", accountID, m2.EmailAddress(), models.StatusInvited); n != 1 {
			t.Errorf("%d invited users with %s, want 1", n, m2.EmailAddress())
		}
		shots.take(a, "reinvited")

		// 5. Transfer a group administrator's account and deactivate them.
		var admins []models.User
		if err := gdb.Where("account_id = ? AND status = ? AND role = ? AND id IN (?)", accountID, models.StatusActive,
			models.RoleGroupAdmin, gdb.Model(&models.Group{}).Select("owner_id")).Order("id").Find(&admins).Error; err != nil {
			t.Fatal(err)
		}
		if len(admins) == 0 {
			t.Fatal("no active group administrator owns a group")
		}
		g := admins[0]
		gID := strconv.FormatInt(g.ID, 10)
		var ownedGroups []models.Group
		if err := gdb.Where("owner_id = ?", g.ID).Order("id").Find(&ownedGroups).Error; err != nil {
			t.Fatal(err)
		}
		var gRecords []int64
		if err := gdb.Model(&models.Record{}).Where("owner_id = ?", g.ID).Pluck("id", &gRecords).Error; err != nil {
			t.Fatal(err)
		}
		a.navigate("/settings/users/" + gID)
		if status := a.clickAndLoad(`[data-testid="action-transfer"]`); status != http.StatusOK {
			t.Fatalf("Transfer account…: status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users/"+gID+"/transfer" {
			t.Errorf("Transfer account… opened %s", loc)
		}
		moves := evaluate[struct {
			Records string `json:"records"`
			Groups  string `json:"groups"`
		}](a, `({
			records: document.querySelector('[data-testid="transfer-records"]')?.innerText.trim() ?? '',
			groups: document.querySelector('[data-testid="transfer-groups"]')?.innerText.trim() ?? '',
		})`)
		if moves.Records != strconv.Itoa(len(gRecords)) || moves.Groups != strconv.Itoa(len(ownedGroups)) {
			t.Errorf("the transfer page moves %s records and %s groups; the database has %d and %d",
				moves.Records, moves.Groups, len(gRecords), len(ownedGroups))
		}
		choice := lcChoose(a, "#to")
		recipientID, _ := strconv.ParseInt(choice.Value, 10, 64)
		recipient := load(recipientID)
		a.click(`[data-testid="then-deactivate"]`)
		if !evaluate[bool](a, `document.querySelector('[data-testid="then-deactivate"]').checked`) {
			t.Error("Deactivate them is not chosen")
		}
		shots.take(a, "transfer-form")
		if status := a.clickAndLoad(`[data-testid="transfer-confirm"]`); status != http.StatusOK {
			t.Fatalf("transfer: final status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users/"+choice.Value {
			t.Errorf("after the transfer: at %s, want the recipient's profile /settings/users/%s", loc, choice.Value)
		}
		flash := lcExpectFlash(t, a, "after the transfer", "Transferred everything from "+g.Name+" to "+recipient.Name)
		if !strings.Contains(flash, g.Name+" was deactivated.") {
			t.Errorf("transfer flash %q does not say %s was deactivated", flash, g.Name)
		}
		recipientGroups := evaluate[string](a, `document.querySelector('[data-testid="profile-groups"]')?.innerText ?? ''`)
		for _, grp := range ownedGroups {
			if !strings.Contains(recipientGroups, grp.Name) {
				t.Errorf("the recipient's profile groups %q do not list %s", recipientGroups, grp.Name)
			}
			var now models.Group
			if err := gdb.Where("id = ?", grp.ID).Take(&now).Error; err != nil {
				t.Fatal(err)
			}
			if now.OwnerID != recipientID {
				t.Errorf("group %s is owned by %d, want the recipient %d", grp.Name, now.OwnerID, recipientID)
			}
		}
		if len(gRecords) > 0 {
			if n := count(&models.Record{}, "id IN ? AND owner_id = ?", gRecords, recipientID); n != int64(len(gRecords)) {
				t.Errorf("%d of %s's %d records are the recipient's", n, g.Name, len(gRecords))
			}
		}
		if n := count(&models.Record{}, "owner_id = ?", g.ID); n != 0 {
			t.Errorf("%s still owns %d records", g.Name, n)
		}
		if u := load(g.ID); u.Status != models.StatusInactive {
			t.Errorf("after the transfer %s is %s, want inactive", g.Name, u.Status)
		}
		shots.take(a, "transferred")

		// 6. Reset an active member's password; they open the link in a browser of their own.
		var members []models.User
		if err := gdb.Where("account_id = ? AND status = ? AND role = ? AND id <> ? AND email IS NOT NULL", accountID,
			models.StatusActive, models.RoleMember, recipientID).Order("id").Limit(1).Find(&members).Error; err != nil {
			t.Fatal(err)
		}
		if len(members) == 0 {
			t.Fatal("no active member to reset")
		}
		r := members[0]
		rID := strconv.FormatInt(r.ID, 10)
		a.navigate("/settings/users/" + rID)
		if status := a.clickAndLoad(`[data-testid="action-reset_password"]`); status != http.StatusOK {
			t.Fatalf("Reset password: final status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users/"+rID {
			t.Errorf("after Reset password: at %s", loc)
		}
		lcExpectFlash(t, a, "after Reset password", "Sent a password reset link to "+r.Name+"; their sessions ended.")
		shots.take(a, "reset-sent")
		var mails []models.OutboxMessage
		if err := gdb.Where("account_id = ? AND lower(to_address) = lower(?)", accountID, r.EmailAddress()).
			Order("id DESC").Limit(1).Find(&mails).Error; err != nil {
			t.Fatal(err)
		}
		if len(mails) == 0 || !strings.HasPrefix(mails[0].ActionURL, app.URL+"/password/reset/") {
			t.Fatalf("the newest outbox message to %s is %+v, want a reset link on %s", r.EmailAddress(), mails, app.URL)
		}

		ctxB, cancelB := chromedp.NewContext(ctxA, chromedp.WithNewBrowserContext())
		t.Cleanup(func() {
			if err := chromedp.Cancel(ctxB); err != nil && !errors.Is(err, context.Canceled) {
				t.Logf("closing browser B: %v", err)
			}
			cancelB()
		})
		b := &browserUser{t: t, ctx: ctxB, base: app.URL, shots: artifacts, db: db}
		b.do(chromedp.Navigate(mails[0].ActionURL))
		consoleB := collectConsoleErrors(ctxB)
		form := evaluate[struct {
			Email   string `json:"email"`
			HasUser bool   `json:"hasUser"`
		}](b, `({
			email: document.querySelector('[data-testid="reset-email"]')?.innerText.trim() ?? '',
			hasUser: !!document.querySelector('[data-testid="current-user"]'),
		})`)
		if form.Email != r.EmailAddress() || form.HasUser {
			t.Errorf("the reset page is for %q (signed in: %v), want %s signed out", form.Email, form.HasUser, r.EmailAddress())
		}
		password := "a fresh password " + lcRandom()
		b.typeInto("#password", password)
		b.typeInto("#password_confirm", password)
		shots.take(b, "reset-form")
		if status := b.clickAndLoad(`[data-testid="save-password"]`); status != http.StatusOK {
			t.Fatalf("save the new password: final status %d", status)
		}
		home := evaluate[struct {
			Path    string `json:"path"`
			Heading string `json:"heading"`
			User    string `json:"user"`
		}](b, `({
			path: location.pathname,
			heading: document.querySelector('main h1')?.innerText.trim() ?? '',
			user: document.querySelector('[data-testid="current-user"]')?.innerText.trim() ?? '',
		})`)
		if home.Path != "/" || home.Heading != "Hello, "+r.Name || home.User != r.Name {
			t.Errorf("after the reset: at %s with heading %q as %q, want / greeting %s", home.Path, home.Heading, home.User, r.Name)
		}
		if n := count(&models.UserSession{}, "user_id = ?", r.ID); n != 1 {
			t.Errorf("%s has %d sessions after the reset, want the new one", r.Name, n)
		}
		shots.take(b, "reset-signed-in")

		// 7. A privacy edit renames an inactive member.
		a.navigate("/settings/users/" + m3ID)
		if status := a.clickAndLoad(`[data-testid="action-privacy"]`); status != http.StatusOK {
			t.Fatalf("Privacy edit…: status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users/"+m3ID+"/privacy" {
			t.Errorf("Privacy edit… opened %s", loc)
		}
		a.do(chromedp.Clear(chromedp.CSS("#name")))
		a.typeInto("#name", "Former colleague")
		shots.take(a, "privacy-form")
		if status := a.clickAndLoad(`[data-testid="save-privacy"]`); status != http.StatusOK {
			t.Fatalf("save the privacy edit: final status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users/"+m3ID {
			t.Errorf("after the privacy edit: at %s", loc)
		}
		lcExpectFlash(t, a, "after the privacy edit", "Saved.")
		if name := evaluate[string](a, `document.querySelector('[data-testid="profile-name"]')?.innerText.trim() ?? ''`); name != "Former colleague" {
			t.Errorf("the profile shows %q after the privacy edit", name)
		}
		if u := load(m3.ID); u.Name != "Former colleague" || u.Status != models.StatusInactive {
			t.Errorf("after the privacy edit the database holds %q, %s", u.Name, u.Status)
		}
		shots.take(a, "privacy-saved")

		for _, m := range consoleA() {
			t.Errorf("browser A console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
		for _, m := range consoleB() {
			t.Errorf("browser B console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
		t.Logf("issue 4 walk-through on %s took %s", db, time.Since(start).Round(time.Millisecond))
	})
}

// offboardingShots saves numbered full-page screenshots: offboarding-<db>-NN-<what>.png.
type offboardingShots struct {
	t   *testing.T
	dir string
	db  string
	n   int
}

func (s *offboardingShots) take(u *browserUser, what string) {
	s.t.Helper()
	s.n++
	if !savesScreenshots(s.db) {
		return
	}
	if _, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`)); err != nil {
		s.t.Fatalf("scroll up for %s: %v", what, err)
	}
	png, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", what, err)
	}
	path := filepath.Join(s.dir, fmt.Sprintf("offboarding-%s-%02d-%s.png", s.db, s.n, what))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("screenshot: %s", path)
}
