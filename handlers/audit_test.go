package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	"roster/models"
	"roster/models/modelstest"
)

func addAuditEventAt(t *testing.T, store *models.Store, account int64, actor, target *int64, action string, at time.Time, details, ip string) {
	t.Helper()
	e := models.AuditEvent{AccountID: account, ActorID: actor, TargetUserID: target, Action: action, Details: details, IP: ip, CreatedAt: at}
	if err := store.DB().Create(&e).Error; err != nil {
		t.Fatal(err)
	}
}

func TestAuditLogPage(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		admin := addPerson(t, store, acc, "Ada Admin", models.RoleAdmin, models.StatusActive)
		member := addPerson(t, store, acc, "Max Member", models.RoleMember, models.StatusActive)
		now := time.Now().UTC()
		addAuditEventAt(t, store, acc.Account.ID, &admin.ID, &member.ID, models.AuditUserDeactivated, now.Add(-time.Hour),
			`{"records_moved":2,"reason":"<img src=x onerror=alert(1)>"}`, "198.51.100.23")
		acting := models.AuditEvent{AccountID: acc.Account.ID, ActorID: &member.ID, RealActorID: &admin.ID, TargetUserID: &member.ID,
			Action: models.AuditOwnDetailsChanged, Details: `{"fields":["phone"]}`, CreatedAt: now.Add(-time.Minute)}
		if err := store.DB().Create(&acting).Error; err != nil {
			t.Fatal(err)
		}
		b := app.newBrowser(t)
		b.mustSignIn(admin.EmailAddress(), modelstest.Password)

		t.Run("WholePage", func(t *testing.T) {
			res := b.get("/settings/audit")
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			doc := res.doc(t)
			if doc.Find("html").Length() != 1 || doc.Find("#audit-filters").Length() != 1 {
				t.Fatal("a direct load must return the whole page with the filters")
			}
			row := doc.Find(`[data-testid="audit-row"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
				return s.Find(`[data-testid="audit-action"]`).Text() == "User deactivated"
			})
			if row.Length() != 1 || doc.Find(`[data-testid="audit-row"]`).Length() != 3 {
				t.Fatalf("%d deactivations of %d events; want 1 of 3 changes (creation, deactivation, acting as)", row.Length(), doc.Find(`[data-testid="audit-row"]`).Length())
			}
			// Sign-ins are one click away, and the link says how to hide them again.
			everything := b.get(doc.Find(`[data-testid="audit-toggle-sign-ins"]`).AttrOr("href", "")).doc(t)
			if n := everything.Find(`[data-testid="audit-row"]`).Length(); n != 4 {
				t.Fatalf("with sign-ins: %d events, want 4", n)
			}
			if got := strings.TrimSpace(everything.Find(`[data-testid="audit-toggle-sign-ins"]`).Text()); got != "Changes only" {
				t.Fatalf("toggle reads %q", got)
			}
			impersonated := doc.Find(`[data-event-id="` + strconv.FormatInt(acting.ID, 10) + `"] [data-testid="audit-actor"]`)
			if got := strings.Join(strings.Fields(impersonated.Text()), " "); got != fmt.Sprintf("Ada Admin #%d acting as Max Member #%d", admin.ID, member.ID) {
				t.Fatalf("impersonated event's actor reads %q", got)
			}
			if !strings.Contains(row.Find(`[data-testid="audit-actor"]`).Text(), "Ada Admin") ||
				!strings.Contains(row.Find(`[data-testid="audit-target"]`).Text(), "Max Member") ||
				!strings.Contains(row.Text(), "198.51.100.23") {
				t.Fatalf("row %q", row.Text())
			}
			if row.Find("img").Length() != 0 || !strings.Contains(row.Find(`[data-testid="audit-details"]`).Text(), "<img src=x onerror=alert(1)>") {
				t.Fatal("details must show as text, never as markup")
			}
			if doc.Find(`[data-testid="audit-export"]`).Length() != 1 {
				t.Fatal("no export link")
			}
		})
		t.Run("HtmxGetsTheFiltersAndEvents", func(t *testing.T) {
			res := b.get("/settings/audit?action="+models.AuditUserDeactivated, "HX-Request", "true")
			if res.status != http.StatusOK || strings.Contains(res.body, "<html") {
				t.Fatalf("status %d, whole page: %v", res.status, strings.Contains(res.body, "<html"))
			}
			doc := res.doc(t)
			if doc.Find("#audit #audit-filters").Length() != 1 || doc.Find(`#audit [data-testid="audit-row"]`).Length() != 1 {
				t.Fatalf("fragment: %.300s", res.body)
			}
			if !strings.Contains(strings.Join(res.header.Values("Vary"), ","), "HX-Request") {
				t.Fatal("no Vary: HX-Request")
			}
		})
		t.Run("HostileInputNeverFails", func(t *testing.T) {
			hostile := []string{
				`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `' OR 1=1 --`, `1; DROP TABLE audit_events; --`,
				`%' OR '%'='`, strings.Repeat("ä", 20000), "ann\x00x", "\xff\xfe\xfd", "#-1", "2025-13-45", "{{.}}",
			}
			// Which fields must say something is wrong; the others simply match nothing.
			mustComplain := func(field, v string) bool {
				switch field {
				case "action", "from", "to":
					return true
				case "actor", "target":
					return len(v) > 1000 || strings.ContainsRune(v, 0) || !utf8.ValidString(v) || v == "#-1"
				}
				return false
			}
			for _, field := range []string{"actor", "target", "action", "from", "to", "after", "before"} {
				for _, v := range hostile {
					for _, htmx := range []bool{false, true} {
						path := "/settings/audit?" + url.Values{field: {v}}.Encode()
						var res response
						if htmx {
							res = b.get(path, "HX-Request", "true")
						} else {
							res = b.get(path)
						}
						if res.status != http.StatusOK {
							t.Fatalf("%s=%.40q: status %d", field, v, res.status)
						}
						if strings.Contains(res.body, "<script>alert") || strings.Contains(res.body, "<img src=x") || strings.Contains(res.body, "\x00") {
							t.Fatalf("%s=%.40q: input reflected unescaped", field, v)
						}
						if len(res.body) > 200_000 {
							t.Fatalf("%s=%.40q: %d bytes of page", field, v, len(res.body))
						}
						doc := res.doc(t)
						msg := doc.Find("#audit-" + field).Parent().Find(".field-error")
						if mustComplain(field, v) && msg.Length() != 1 {
							t.Errorf("%s=%.40q: no message beside the field", field, v)
						}
						if !mustComplain(field, v) && doc.Find(".field-error").Length() != 0 {
							t.Errorf("%s=%.40q: unexpected message %q", field, v, doc.Find(".field-error").Text())
						}
						if input, ok := doc.Find("#audit-" + field).Attr("aria-invalid"); mustComplain(field, v) && field != "action" && (!ok || input != "true") {
							t.Errorf("%s=%.40q: field not marked invalid", field, v)
						}
					}
				}
			}
		})
		t.Run("ExportWithBadFiltersIsRefused", func(t *testing.T) {
			if res := b.get("/settings/audit/export.csv?from=yesterday"); res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", res.status)
			}
		})
		t.Run("FinanceAndMembersAreRefused", func(t *testing.T) {
			for _, role := range []models.Role{models.RoleFinance, models.RoleMember} {
				u := addPerson(t, store, acc, "Refused "+string(role), role, models.StatusActive)
				other := app.newBrowser(t)
				other.mustSignIn(u.EmailAddress(), modelstest.Password)
				for _, path := range []string{"/settings/audit", "/settings/audit/export.csv"} {
					if res := other.get(path); res.status != http.StatusForbidden {
						t.Errorf("%s on %s: status %d", role, path, res.status)
					}
				}
			}
		})
	})
}

func TestAuditLogExport(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		evil := addPerson(t, store, acc, `=HYPERLINK("http://evil.example","x")`, models.RoleAdmin, models.StatusActive)
		victim := addPerson(t, store, acc, "Vic Victim", models.RoleMember, models.StatusActive)
		base := time.Date(2025, 6, 1, 9, 30, 0, 0, time.UTC)
		const events = models.ExportBatchSize + 5
		rows := make([]models.AuditEvent, events)
		for i := range rows {
			rows[i] = models.AuditEvent{AccountID: acc.Account.ID, ActorID: &evil.ID, TargetUserID: &victim.ID, Action: models.AuditUserReactivated,
				Details: `{"note":"@SUM(1+1)"}`, IP: "-2+3", CreatedAt: base.Add(time.Duration(i) * time.Second)}
		}
		if err := store.DB().CreateInBatches(rows, 500).Error; err != nil {
			t.Fatal(err)
		}
		addAuditEventAt(t, store, acc.Account.ID, &acc.Owner.ID, &victim.ID, models.AuditUserDeactivated, base.AddDate(0, 0, 1), "{}", "")
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)

		page := b.get("/settings/audit?actor=" + url.QueryEscape("#"+strconv.FormatInt(evil.ID, 10)))
		href, ok := page.doc(t).Find(`[data-testid="audit-export"]`).Attr("href")
		if !ok || !strings.Contains(href, "actor=") {
			t.Fatalf("export link %q does not carry the filters", href)
		}
		res := b.get(href)
		if cd := res.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="audit-log-`) {
			t.Fatalf("Content-Disposition %q", cd)
		}
		records := parseExport(t, res)
		wantHeader := []string{"Time (UTC)", "Action", "Actor ID", "Actor", "Real actor ID", "Real actor", "Target ID", "Target", "Details", "IP address", "Event ID"}
		if !slices.Equal(records[0], wantHeader) {
			t.Fatalf("header %q, want %q", records[0], wantHeader)
		}
		if len(records) != events+1 {
			t.Fatalf("%d rows, want %d", len(records)-1, events)
		}
		first := records[1]
		if first[0] != base.Add((events-1)*time.Second).Format(time.DateTime) {
			t.Fatalf("newest first: %v", first)
		}
		if first[3] != `'=HYPERLINK("http://evil.example","x")` || first[9] != "'-2+3" || first[7] != "Vic Victim" {
			t.Fatalf("cells not neutralised: %q", first)
		}
		for _, cell := range first {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Fatalf("cell %q would run as a formula", cell)
			}
		}

		changes := parseExport(t, b.get("/settings/audit/export.csv"))
		if len(changes) != events+3 { // the account's creation, the deactivation, the header
			t.Fatalf("unfiltered export has %d rows", len(changes)-1)
		}
		all := parseExport(t, b.get("/settings/audit/export.csv?all=1"))
		if len(all) != events+4 { // and the owner's sign-in
			t.Fatalf("export with sign-ins has %d rows", len(all)-1)
		}
	})
}
