package handlers

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

func pngPicture(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// uploadPicture posts the /me picture form as a browser does, with the given CSRF token
// ("" for none).
func (b *browser) uploadPicture(token, fileName string, file []byte) response {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if token != "" {
		_ = w.WriteField("_csrf", token)
	}
	part, _ := w.CreateFormFile("picture", fileName)
	_, _ = part.Write(file)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.app.URL+"/me/picture", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

func TestPictureOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		owner := app.newBrowser(t)
		owner.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		var path string

		t.Run("RefusedWithoutCSRFToken", func(t *testing.T) {
			if res := owner.uploadPicture("", "me.png", pngPicture(t, 40, 40)); res.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", res.status)
			}
		})
		t.Run("UploadedAndShown", func(t *testing.T) {
			res := owner.uploadPicture(owner.csrf("/me"), "me.png", pngPicture(t, 300, 200))
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/me" {
				t.Fatalf("status %d location %q: %.300s", res.status, res.header.Get("Location"), res.body)
			}
			doc := owner.get("/me").doc(t)
			top := doc.Find(`.topbar img.avatar`)
			path = top.AttrOr("src", "")
			if !strings.HasPrefix(path, "/pictures/") || !strings.HasSuffix(path, ".jpg") {
				t.Fatalf("top bar picture %q", path)
			}
			row := owner.get("/settings/users").doc(t).Find(`[data-testid="user-row"] img.avatar`)
			if row.Length() != 1 || row.AttrOr("src", "") != path || row.AttrOr("loading", "") != "lazy" {
				t.Fatalf("user list shows %d pictures, src %q", row.Length(), row.AttrOr("src", ""))
			}
		})
		t.Run("ServedWithCacheHeaders", func(t *testing.T) {
			res := owner.get(path)
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			for name, want := range map[string]string{"Content-Type": "image/jpeg", "Cache-Control": "private, max-age=31536000, immutable",
				"X-Content-Type-Options": "nosniff"} {
				if got := res.header.Get(name); got != want {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
			config, format, err := image.DecodeConfig(strings.NewReader(res.body))
			if err != nil || format != "jpeg" || config.Width != models.PictureSize || config.Height != models.PictureSize {
				t.Fatalf("served %s %dx%d (%v)", format, config.Width, config.Height, err)
			}
		})
		t.Run("AnOlderAddressLeadsToTheCurrentOne", func(t *testing.T) {
			stale := path[:strings.LastIndex(path, "/")+1] + "0000000000000000.jpg"
			res := owner.get(stale)
			if res.status != http.StatusFound || res.header.Get("Location") != path {
				t.Fatalf("status %d location %q, want a redirect to %s", res.status, res.header.Get("Location"), path)
			}
		})
		t.Run("NotFoundFromAnotherAccount", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			stranger := app.newBrowser(t)
			stranger.mustSignIn(other.Owner.EmailAddress(), modelstest.Password)
			if res := stranger.get(path); res.status != http.StatusNotFound {
				t.Fatalf("status %d, want 404", res.status)
			}
		})
		t.Run("BadFilesAreRefusedBesideTheField", func(t *testing.T) {
			for name, file := range map[string][]byte{
				"That file is not a JPEG, PNG or WebP image.": []byte("name,email\nAda,ada@example.com\n"),
				"That file is larger than 5 MB.":              append(pngPicture(t, 10, 10), make([]byte, 6<<20)...),
			} {
				res := owner.uploadPicture(owner.csrf("/me"), "renamed.png", file)
				if res.status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", res.status)
				}
				if got := res.doc(t).Find(`[data-testid="error-picture"]`).Text(); !strings.HasPrefix(got, name) {
					t.Errorf("error beside the field %q, want %q", got, name)
				}
			}
		})
		t.Run("Removed", func(t *testing.T) {
			res := owner.submit("/me", "/me/picture/remove", url.Values{})
			if res.status != http.StatusSeeOther {
				t.Fatalf("status %d", res.status)
			}
			if res := owner.get(path); res.status != http.StatusNotFound {
				t.Fatalf("removed picture: status %d, want 404", res.status)
			}
			if doc := owner.get("/me").doc(t); doc.Find(`.topbar span.avatar`).Length() != 1 {
				t.Fatal("the top bar shows no initials after the picture was removed")
			}
		})
	})
}

// A full page of the user list with a picture on every row costs the page little: the pictures
// are addresses that load lazily, not data in the page, read by the list's one statement.
func TestPictureListPageStaysSmall(t *testing.T) {
	// perRow is what a picture may add to a row over the initials it replaces.
	const perRow = 60
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 150)
		owner := app.newBrowser(t)
		owner.mustSignIn(seeded.OwnerEmail, seeded.OwnerPassword)
		without := owner.get("/settings/users")
		modelstest.Must(t, store.DB().Exec("UPDATE users SET picture_url = '/pictures/' || id || '/0123456789abcdef.jpg' WHERE account_id = ?", seeded.Account.ID))
		with := owner.get("/settings/users")
		doc := with.doc(t)
		rows, pictures := doc.Find(`[data-testid="user-row"]`).Length(), doc.Find(`[data-testid="user-row"] img.avatar[loading="lazy"]`).Length()
		if rows != models.DefaultPageSize || pictures != rows {
			t.Fatalf("%d rows, %d lazy pictures; want %d of each", rows, pictures, models.DefaultPageSize)
		}
		t.Logf("a page of %d rows: %d bytes with initials, %d bytes with pictures", rows, len(without.body), len(with.body))
		if grown := len(with.body) - len(without.body); grown > perRow*(rows+1) {
			t.Fatalf("pictures add %d bytes to the page, more than %d a row", grown, perRow)
		}
		if len(with.body) > 40*1024 {
			t.Fatalf("a page where everyone has a picture is %d bytes, over 40 KB", len(with.body))
		}
	})
}
