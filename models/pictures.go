package models

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // registers PNG with image.DecodeConfig and image.Decode
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers WebP with image.DecodeConfig and image.Decode
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"roster/routes"
)

// Profile picture audit actions. The events carry no image and no address of one.
const (
	AuditOwnPictureChanged = "user.picture_changed"
	AuditOwnPictureRemoved = "user.picture_removed"
)

// Bounds of an uploaded picture. The byte limit is what a person sends; the pixel limit is what
// decoding it would cost, read from the header before anything is decoded, so a small file that
// claims a huge image (a decompression bomb) is refused without allocating it.
const (
	MaxPictureBytes  = 5 << 20
	MaxPicturePixels = 40_000_000
	// PictureSize is the width and height of every stored picture, in pixels.
	PictureSize = 160
)

// pictureQuality is the JPEG quality of stored pictures: at 160×160 it keeps faces sharp in a
// few kilobytes.
const pictureQuality = 85

// pictureFormats are the formats an upload may be in, as image.DecodeConfig names them.
var pictureFormats = map[string]bool{"jpeg": true, "png": true, "webp": true}

// UserPicture is a user's profile picture: only the square JPEG made from their upload.
type UserPicture struct {
	UserID    int64 `gorm:"primaryKey;autoIncrement:false"`
	AccountID int64
	Image     []byte
	UpdatedAt time.Time
}

// PicturePath is the address a picture is served at. It names the content, so a new picture gets
// a new address and browsers may cache each one for good.
func PicturePath(userID int64, image []byte) string {
	sum := sha256.Sum256(image)
	return routes.Path(routes.RoutePicture, userID, hex.EncodeToString(sum[:8])+".jpg")
}

// NormalizePicture turns an upload into the picture Roster keeps: decoded, cropped to a centred
// square, scaled to PictureSize and encoded again as JPEG. Nothing of the file but its pixels
// survives, so metadata (EXIF, GPS) and whatever else it carried are dropped. Returns
// FieldErrors on "picture" for a file that is too large, not a JPEG, PNG or WebP image, or has
// too many pixels.
func NormalizePicture(data []byte) ([]byte, error) {
	if len(data) > MaxPictureBytes {
		return nil, FieldErrors{"picture": "That file is larger than 5 MB. Choose a smaller picture."}
	}
	if len(data) == 0 {
		return nil, FieldErrors{"picture": "Choose a picture to upload."}
	}
	notAnImage := FieldErrors{"picture": "That file is not a JPEG, PNG or WebP image."}
	config, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || !pictureFormats[format] || config.Width <= 0 || config.Height <= 0 {
		return nil, notAnImage
	}
	if int64(config.Width)*int64(config.Height) > MaxPicturePixels {
		return nil, FieldErrors{"picture": fmt.Sprintf("That picture has too many pixels (%d×%d); at most 40 megapixels.", config.Width, config.Height)}
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, notAnImage
	}
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	crop := image.Rect(0, 0, side, side).Add(b.Min).Add(image.Pt((b.Dx()-side)/2, (b.Dy()-side)/2))
	dst := image.NewRGBA(image.Rect(0, 0, PictureSize, PictureSize))
	// JPEG has no transparency: transparent pixels of a PNG or WebP show on white.
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: pictureQuality}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// SetOwnPicture makes an upload the profile picture of the user the request acts as (under
// "Act as", the impersonated user, recorded with both identities). The upload is normalised
// first (NormalizePicture) and only the result is kept. Returns FieldErrors on "picture" for an
// unacceptable file.
func (s *Store) SetOwnPicture(ctx context.Context, actor *Actor, upload []byte) error {
	if !actor.Allows(PermSignedIn) {
		return ErrForbidden
	}
	if err := actor.RefuseStateChange(); err != nil {
		return err // before the work of decoding: "View as" changes nothing
	}
	picture, err := NormalizePicture(upload)
	if err != nil {
		return err
	}
	path := PicturePath(actor.User.ID, picture)
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		var u User
		if err := lockNoKeyUpdate(tx).Select("id", "account_id").Take(&u, actor.User.ID).Error; err != nil {
			return notFound(err)
		}
		now := s.now()
		row := UserPicture{UserID: u.ID, AccountID: u.AccountID, Image: picture, UpdatedAt: now}
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "user_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"image", "updated_at"})}).Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"picture_url": path, "updated_at": now}).Error; err != nil {
			return err
		}
		actor.User.PictureURL = path
		return writeAudit(tx, auditRow(actor, AuditOwnPictureChanged, &u.ID, now, nil))
	})
}

// RemoveOwnPicture takes the profile picture of the user the request acts as away; their
// initials show instead. Removing a picture that is not there changes nothing and records
// nothing.
func (s *Store) RemoveOwnPicture(ctx context.Context, actor *Actor) error {
	if !actor.Allows(PermSignedIn) {
		return ErrForbidden
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		var u User
		if err := lockNoKeyUpdate(tx).Select("id", "picture_url").Take(&u, actor.User.ID).Error; err != nil {
			return notFound(err)
		}
		removed := tx.Where("user_id = ?", u.ID).Delete(&UserPicture{})
		if removed.Error != nil {
			return removed.Error
		}
		if u.PictureURL == "" && removed.RowsAffected == 0 {
			return nil
		}
		now := s.now()
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"picture_url": "", "updated_at": now}).Error; err != nil {
			return err
		}
		actor.User.PictureURL = ""
		return writeAudit(tx, auditRow(actor, AuditOwnPictureRemoved, &u.ID, now, nil))
	})
}

// Picture is a stored profile picture and the address it is served at now.
type Picture struct {
	Image []byte
	Path  string
}

// UserPictureOf reads the profile picture of a user in the actor's account. Returns ErrNotFound
// for a user without a picture and for users of other accounts.
func (s *Store) UserPictureOf(ctx context.Context, actor *Actor, userID int64) (*Picture, error) {
	if !actor.Allows(PermSignedIn) {
		return nil, ErrForbidden
	}
	var row UserPicture
	if err := s.db.WithContext(ctx).Where("user_id = ? AND account_id = ?", userID, actor.Account.ID).Take(&row).Error; err != nil {
		return nil, notFound(err)
	}
	return &Picture{Image: row.Image, Path: PicturePath(row.UserID, row.Image)}, nil
}

// deletePictures deletes the stored pictures of users whose picture is being erased.
func (s *Store) deletePictures(tx *gorm.DB, ids []int64) error {
	return tx.Where(s.idIn("user_id", ids)).Delete(&UserPicture{}).Error
}
