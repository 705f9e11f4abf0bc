package handlers

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

// TestBrowserOwnPicture uploads a picture on /me through the file input in headless Chromium
// and sees it, loaded, in the top bar and on the user list.
func TestBrowserOwnPicture(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		db := filepath.Base(t.Name())
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		file := filepath.Join(t.TempDir(), "me.png")
		if err := os.WriteFile(file, pngPicture(t, 320, 240), 0o644); err != nil {
			t.Fatal(err)
		}

		u := &browserUser{t: t, ctx: startBrowser(t, execPath), base: app.URL, shots: artifacts, db: db}
		u.signIn(acc.Owner.EmailAddress(), modelstest.Password)
		u.navigate("/me")
		u.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="picture-input"]`), []string{file}))
		if status := u.clickAndLoad(`[data-testid="upload-picture"]`); status != http.StatusOK {
			t.Fatalf("upload: final status %d", status)
		}
		loaded := `(img => !!img && img.complete && img.naturalWidth === 160 && img.getAttribute('src').startsWith('/pictures/'))`
		u.waitFor("the picture in the top bar", loaded+`(document.querySelector('.topbar img.avatar'))`)
		u.screenshot("own-picture-home")

		u.navigate("/settings/users")
		u.waitFor("the picture in the user list", loaded+`(document.querySelector('[data-testid="user-row"] img.avatar'))`)
		src := evaluate[string](u, `document.querySelector('[data-testid="user-row"] img.avatar').getAttribute('src')`)
		if !strings.HasSuffix(src, ".jpg") {
			t.Fatalf("user list picture %q", src)
		}
		u.screenshot("own-picture-user-list")
	})
}
