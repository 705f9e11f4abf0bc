package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

const sessionSecretKey = "session_secret"

// SessionSecret returns the secret kept in the database, generating and saving one on first use,
// so that a server started without ROSTER_SESSION_SECRET keeps people signed in across restarts.
func (s *Store) SessionSecret(ctx context.Context) (string, error) {
	var setting AppSetting
	err := s.read(ctx).Where("key = ?", sessionSecretKey).Take(&setting).Error
	if err == nil {
		return setting.Value, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	generated := AppSetting{Key: sessionSecretKey, Value: hex.EncodeToString(buf)}
	// Two servers starting at once must agree on one secret: the first insert wins, both read it.
	if err := s.read(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&generated).Error; err != nil {
		return "", err
	}
	if err := s.read(ctx).Where("key = ?", sessionSecretKey).Take(&setting).Error; err != nil {
		return "", err
	}
	return setting.Value, nil
}
