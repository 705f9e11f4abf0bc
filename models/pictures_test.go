package models_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// testPicture is a w×h image with a gradient, so scaling has something to do.
func testPicture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return img
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testPicture(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exifMarker is in the EXIF segment of jpegWithEXIF and must never reach a stored picture.
const exifMarker = "GPS 52.5200N 13.4050E"

// jpegWithEXIF is a JPEG whose APP1 segment carries EXIF with a position, as phones write it.
func jpegWithEXIF(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testPicture(w, h), nil); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00"), exifMarker...)
	segment := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(segment[2:], uint16(len(payload)+2))
	segment = append(segment, payload...)
	plain := b.Bytes()
	return append(append(append([]byte{}, plain[:2]...), segment...), plain[2:]...)
}

// tinyWebP is a 1×1 lossless WebP.
func tinyWebP(t *testing.T) []byte {
	t.Helper()
	data, err := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// pngHeaderOnly is the start of a PNG that claims to be w×h: signature and IHDR, enough for
// image.DecodeConfig, and nothing behind it, as a decompression bomb would begin.
func pngHeaderOnly(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8 bits per channel, RGBA
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)))
	chunk = append(chunk, "IHDR"...)
	chunk = append(chunk, ihdr...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append([]byte("\x89PNG\r\n\x1a\n"), chunk...)
}

func assertStoredPicture(t *testing.T, picture []byte) {
	t.Helper()
	config, format, err := image.DecodeConfig(bytes.NewReader(picture))
	if err != nil || format != "jpeg" || config.Width != models.PictureSize || config.Height != models.PictureSize {
		t.Fatalf("stored picture: %s %dx%d (%v), want a %d×%d JPEG", format, config.Width, config.Height, err, models.PictureSize, models.PictureSize)
	}
	if bytes.Contains(picture, []byte("Exif")) || bytes.Contains(picture, []byte(exifMarker)) {
		t.Fatal("the stored picture kept the upload's EXIF segment")
	}
}

func TestPictureNormalisation(t *testing.T) {
	t.Run("AcceptsJPEGWithoutItsEXIF", func(t *testing.T) {
		upload := jpegWithEXIF(t, 640, 480)
		if !bytes.Contains(upload, []byte(exifMarker)) {
			t.Fatal("the fixture carries no EXIF; the test proves nothing")
		}
		picture, err := models.NormalizePicture(upload)
		if err != nil {
			t.Fatal(err)
		}
		assertStoredPicture(t, picture)
	})
	t.Run("AcceptsPNG", func(t *testing.T) {
		picture, err := models.NormalizePicture(pngOf(t, 300, 900))
		if err != nil {
			t.Fatal(err)
		}
		assertStoredPicture(t, picture)
	})
	t.Run("AcceptsWebP", func(t *testing.T) {
		picture, err := models.NormalizePicture(tinyWebP(t))
		if err != nil {
			t.Fatal(err)
		}
		assertStoredPicture(t, picture)
	})
	refusals := []struct {
		name, upload, want string
	}{
		{"RefusesTextRenamedPNG", "name,email\nAda,ada@example.com\n", "not a JPEG, PNG or WebP"},
		{"RefusesSixMegabytes", string(append(pngOf(t, 10, 10), make([]byte, 6<<20)...)), "larger than 5 MB"},
		{"RefusesDecompressionBomb", string(pngHeaderOnly(10000, 10000)), "too many pixels"},
		{"RefusesEmptyFile", "", "Choose a picture"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := models.NormalizePicture([]byte(tt.upload))
			var fields models.FieldErrors
			if !errors.As(err, &fields) || !strings.Contains(fields["picture"], tt.want) {
				t.Fatalf("got %v, want FieldErrors on picture saying %q", err, tt.want)
			}
			if !errors.Is(err, models.ErrInvalid) {
				t.Fatalf("%v is not ErrInvalid", err)
			}
		})
	}
}

// A picture's address names its user and the start of its SHA-256: stored picture URLs and
// browsers' caches hold it, so it must not change.
func TestPicturePathNamesUserAndContent(t *testing.T) {
	if got, want := models.PicturePath(7, []byte("x")), "/pictures/7/2d711642b726b044.jpg"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPictureUploadAndRemoval(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		other := modelstest.NewAccount(t, store)

		t.Run("StoredAndAddressedByContent", func(t *testing.T) {
			if err := store.SetOwnPicture(ctx, acc.Actor, jpegWithEXIF(t, 200, 200)); err != nil {
				t.Fatal(err)
			}
			u := reload(t, store, acc.Owner.ID)
			picture, err := store.UserPictureOf(ctx, acc.Actor, acc.Owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			assertStoredPicture(t, picture.Image)
			if u.PictureURL == "" || u.PictureURL != picture.Path || u.PictureURL != models.PicturePath(u.ID, picture.Image) {
				t.Fatalf("picture_url %q, served at %q", u.PictureURL, picture.Path)
			}
			var events int64
			modelstest.Must(t, store.DB().Model(&models.AuditEvent{}).Where("action = ? AND target_user_id = ?", models.AuditOwnPictureChanged, u.ID).Count(&events))
			if events != 1 {
				t.Fatalf("%d audit events for the upload, want 1", events)
			}
		})
		t.Run("ANewPictureGetsANewAddress", func(t *testing.T) {
			before := reload(t, store, acc.Owner.ID).PictureURL
			if err := store.SetOwnPicture(ctx, acc.Actor, pngOf(t, 120, 80)); err != nil {
				t.Fatal(err)
			}
			if after := reload(t, store, acc.Owner.ID).PictureURL; after == before || after == "" {
				t.Fatalf("address %q after replacing %q", after, before)
			}
		})
		t.Run("AnotherAccountCannotFetchIt", func(t *testing.T) {
			if _, err := store.UserPictureOf(ctx, other.Actor, acc.Owner.ID); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
		})
		t.Run("RefusedUploadChangesNothing", func(t *testing.T) {
			before := reload(t, store, acc.Owner.ID).PictureURL
			var fields models.FieldErrors
			if err := store.SetOwnPicture(ctx, acc.Actor, pngHeaderOnly(10000, 10000)); !errors.As(err, &fields) || fields["picture"] == "" {
				t.Fatalf("got %v, want FieldErrors on picture", err)
			}
			if after := reload(t, store, acc.Owner.ID).PictureURL; after != before {
				t.Fatalf("address changed to %q", after)
			}
		})
		t.Run("ViewAsIsRefused", func(t *testing.T) {
			viewer := *acc.Actor
			viewer.Impersonation = &models.Impersonation{Mode: models.ImpersonateView, RealUser: acc.Owner, UserID: acc.Owner.ID}
			var viewOnly models.ViewOnlyError
			if err := store.SetOwnPicture(ctx, &viewer, pngOf(t, 20, 20)); !errors.As(err, &viewOnly) {
				t.Fatalf("upload under View as: %v", err)
			}
			if err := store.RemoveOwnPicture(ctx, &viewer); !errors.As(err, &viewOnly) {
				t.Fatalf("removal under View as: %v", err)
			}
		})
		t.Run("Removed", func(t *testing.T) {
			if err := store.RemoveOwnPicture(ctx, acc.Actor); err != nil {
				t.Fatal(err)
			}
			if u := reload(t, store, acc.Owner.ID); u.PictureURL != "" {
				t.Fatalf("picture_url %q after removal", u.PictureURL)
			}
			if _, err := store.UserPictureOf(ctx, acc.Actor, acc.Owner.ID); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
			var events int64
			modelstest.Must(t, store.DB().Model(&models.AuditEvent{}).Where("action = ? AND target_user_id = ?", models.AuditOwnPictureRemoved, acc.Owner.ID).Count(&events))
			if events != 1 {
				t.Fatalf("%d audit events for the removal, want 1", events)
			}
		})
	})
}

// pictureOf gives u a stored picture, uploaded as themselves.
func pictureOf(t *testing.T, store *models.Store, acc *modelstest.Account, u *models.User) {
	t.Helper()
	actor := &models.Actor{User: u, Account: acc.Account}
	if err := store.SetOwnPicture(context.Background(), actor, pngOf(t, 64, 64)); err != nil {
		t.Fatal(err)
	}
}

func storedPictures(t *testing.T, store *models.Store, userID int64) int64 {
	t.Helper()
	var n int64
	modelstest.Must(t, store.DB().Model(&models.UserPicture{}).Where("user_id = ?", userID).Count(&n))
	return n
}

func TestPictureErasedWithPersonalData(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		t.Run("PrivacyEditRemovesTheRow", func(t *testing.T) {
			u := leaver(t, store, acc, "Pim Picture", models.StatusActive)
			pictureOf(t, store, acc, u)
			modelstest.Must(t, store.DB().Model(u).Update("status", models.StatusInactive))
			if err := store.EditInactiveUserPrivacy(ctx, acc.Actor, u.ID, models.PrivacyEdit{Name: u.Name, RemovePicture: true}); err != nil {
				t.Fatal(err)
			}
			if n := storedPictures(t, store, u.ID); n != 0 || reload(t, store, u.ID).PictureURL != "" {
				t.Fatalf("%d stored pictures left after removing it", n)
			}
		})
		t.Run("AnonymisationRemovesTheRow", func(t *testing.T) {
			u := leaver(t, store, acc, "Ana Anonymous", models.StatusActive)
			pictureOf(t, store, acc, u)
			if n := storedPictures(t, store, u.ID); n != 1 {
				t.Fatalf("%d stored pictures before, want 1", n)
			}
			modelstest.Must(t, store.DB().Model(u).Update("status", models.StatusInactive))
			if _, err := store.ScheduleDeletion(ctx, acc.Actor, []int64{u.ID}, models.DeleteAnonymise, true); err != nil {
				t.Fatal(err)
			}
			if n := storedPictures(t, store, u.ID); n != 0 {
				t.Fatalf("%d stored pictures left after anonymising", n)
			}
		})
	})
}
