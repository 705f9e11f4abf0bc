package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"roster/models"
)

// A change that lost to the database's load says so and when to come back, never a bare 500.
func TestBusyAnswers503WithRetryAfter(t *testing.T) {
	e := echo.New()
	req := httptest.NewRequest(http.MethodPost, "/settings/users/actions", nil)
	rec := httptest.NewRecorder()
	errorHandler(fmt.Errorf("reactivate: %w", models.ErrBusy), e.NewContext(req, rec))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", rec.Code)
	}
	if rec.Header().Get("Retry-After") == "" {
		t.Fatal("no Retry-After header")
	}
	if !strings.Contains(rec.Body.String(), "nothing was changed") {
		t.Fatalf("the page does not say that nothing was changed: %.300s", rec.Body.String())
	}
}
