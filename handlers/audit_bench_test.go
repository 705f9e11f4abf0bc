package handlers

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"roster/models"
)

// benchAuditEvents is how many events the 100,000-user account's log gets for the benchmark:
// about what such an account writes in a year.
const benchAuditEvents = 300_000

var benchAuditOnce sync.Map // *models.Store → *sync.Once

// fillAuditLog writes benchAuditEvents events to the account once per store, spread over the
// last year among its users and actions, a third with a client address, one in fifty by
// someone acting as another user.
func fillAuditLog(b *testing.B, store *models.Store, accountID int64) {
	once, _ := benchAuditOnce.LoadOrStore(store, &sync.Once{})
	once.(*sync.Once).Do(func() {
		db := store.DB()
		err := db.Exec(`
			INSERT INTO audit_events (account_id, actor_id, real_actor_id, action, target_user_id, details, created_at)
			SELECT ?, ids.a[(1 + (g * 7919) % ids.n)::int],
				CASE WHEN g % 50 = 0 THEN ids.a[(1 + (g * 31) % ids.n)::int] END,
				(ARRAY['user.signed_in', 'user.invited', 'user.deactivated', 'user.reactivated', 'user.plan_changed',
					'user.password_reset_requested', 'invitation.reminded', 'user.role_changed', 'user.privacy_edited',
					'user.deletion_scheduled'])[(1 + g % 10)::int],
				ids.a[(1 + (g * 104729) % ids.n)::int],
				'{"records_moved":' || (g % 40) || ',"sessions_ended":' || (g % 3) || '}',
				now() - g * (interval '365 days' / ?)
			FROM generate_series(CAST(1 AS BIGINT), CAST(? AS BIGINT)) g,
				(SELECT array_agg(id ORDER BY id) AS a, count(*) AS n FROM users WHERE account_id = ?) ids`,
			accountID, benchAuditEvents, benchAuditEvents, accountID).Error
		if err == nil {
			err = db.Exec(`INSERT INTO audit_event_ips (event_id, ip)
				SELECT id, '10.' || (id % 200) || '.' || (id % 97) || '.' || (id % 251) FROM audit_events
				WHERE account_id = ? AND id % 3 = 0
				ON CONFLICT DO NOTHING`, accountID).Error
		}
		if err == nil {
			err = db.Exec("VACUUM ANALYZE audit_events").Error
		}
		if err == nil {
			err = db.Exec("VACUUM ANALYZE audit_event_ips").Error
		}
		if err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkAuditLogPage measures Settings > Audit log, from request to rendered HTML, for the
// 100,000-user account in PostgreSQL with 300,000 events (ROSTER_BENCH_USERS changes the users).
func BenchmarkAuditLogPage(b *testing.B) {
	store, seeded, e := benchConsole(b)
	fillAuditLog(b, store, seeded.Account.ID)
	cookie := benchSession(b, store, e, seeded.OwnerEmail, seeded.OwnerPassword)

	// A position half-way down the log, as a cursor from paging there would hold it.
	var middle struct {
		ID        int64
		CreatedAt time.Time
	}
	store.DB().Table("audit_events").Select("id, created_at").Where("account_id = ?", seeded.Account.ID).
		Order("created_at DESC, id DESC").Offset(benchAuditEvents / 2).Limit(1).Scan(&middle)
	deep := base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"t":%q,"i":%d}`, middle.CreatedAt.UTC().Format(time.RFC3339Nano), middle.ID))
	member := strconv.FormatInt(firstUserID(store, seeded.Account.ID), 10)
	week := middle.CreatedAt.UTC()

	for _, bc := range []struct {
		name, path string
		htmx       bool
	}{
		{"first_page", "/settings/audit", false},
		{"page_fragment_half_way", "/settings/audit?after=" + deep, true},
		{"actor_by_id", "/settings/audit?actor=%23" + member, true},
		{"actor_by_common_name", "/settings/audit?actor=hansen", true},
		{"actor_by_rare_text", "/settings/audit?actor=" + url.QueryEscape("owner@"), true},
		{"target_by_rare_text", "/settings/audit?target=" + url.QueryEscape("owner@"), true},
		{"action", "/settings/audit?action=" + models.AuditUserDeactivated, true},
		{"rare_action", "/settings/audit?action=" + models.AuditAccountCreated, true},
		{"one_week", "/settings/audit?from=" + week.AddDate(0, 0, -7).Format(time.DateOnly) + "&to=" + week.Format(time.DateOnly), true},
		{"action_and_actor_by_name_in_a_month", "/settings/audit?action=user.signed_in&actor=hansen&from=" +
			week.AddDate(0, -1, 0).Format(time.DateOnly) + "&to=" + week.Format(time.DateOnly), true},
	} {
		b.Run(bc.name, func(b *testing.B) { benchGet(b, e, cookie, bc.path, bc.htmx) })
	}
}
