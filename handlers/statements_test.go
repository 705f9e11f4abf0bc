package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm/logger"

	"roster/models"
	"roster/models/modelstest"
)

// statementLog is a GORM logger that records the statements it is shown.
type statementLog struct {
	mu  sync.Mutex
	sql []string
}

func (l *statementLog) LogMode(logger.LogLevel) logger.Interface { return l }
func (l *statementLog) Info(context.Context, string, ...any)     {}
func (l *statementLog) Warn(context.Context, string, ...any)     {}
func (l *statementLog) Error(context.Context, string, ...any)    {}
func (l *statementLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	l.mu.Lock()
	l.sql = append(l.sql, sql)
	l.mu.Unlock()
}

func (l *statementLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	taken := l.sql
	l.sql = nil
	return taken
}

// Knowing who asks is one statement, and each page at most two of its own, whatever its filters.
func TestPagesTakeFewStatements(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 200)
		log := &statementLog{}
		e, err := New(store.WithQueryLogger(log), Config{SessionSecret: testSecret})
		if err != nil {
			t.Fatal(err)
		}
		_, token, err := store.SignIn(context.Background(), seeded.OwnerEmail, seeded.OwnerPassword, "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		cookie := sessionCookie(t, e, token)
		var member models.User
		modelstest.Must(t, store.DB().Where("account_id = ? AND role = ?", seeded.Account.ID, models.RoleGroupAdmin).Order("id").First(&member))
		var groupID int64
		modelstest.Must(t, store.DB().Model(&models.Group{}).Select("id").Where("account_id = ?", seeded.Account.ID).Limit(1).Scan(&groupID))
		for _, tc := range []struct {
			path     string
			fragment bool
			want     int
		}{
			// A full page for someone who may hand work on counts the orphaned work for the
			// navigation: one statement more than the page itself; fragments have no navigation.
			{"/healthz", false, 1},
			{"/settings/users", false, 4},
			{"/settings/users?tab=inactive", true, 3},
			{"/settings/users?q=a&role=member&sort=email&dir=desc", false, 4},
			{"/settings/users?group=" + strconv.FormatInt(groupID, 10) + "&tab=invited", false, 4},
			{"/settings/users/" + strconv.FormatInt(member.ID, 10), false, 3},
			{"/me", false, 3},
			{"/settings/orphaned-work", false, 7},
		} {
			log.take()
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			req.AddCookie(cookie)
			if tc.fragment {
				req.Header.Set("HX-Request", "true")
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: status %d", tc.path, rec.Code)
			}
			if sql := log.take(); len(sql) > tc.want {
				t.Errorf("%s: %d statements, want at most %d (one to know who asks):\n%s", tc.path, len(sql), tc.want, strings.Join(sql, "\n\n"))
			}
		}
	})
}
