package views

import (
	"time"

	"roster/models"
)

// SectionProvisioning marks Settings > Account > Provisioning in the navigation.
const SectionProvisioning = "provisioning"

// ProvisioningView is Settings > Account > Provisioning: SCIM tokens and the provisioning defaults.
type ProvisioningView struct {
	Chrome
	Flashes []string
	// BaseURL is the SCIM base URL an identity provider is given.
	BaseURL string
	// NewToken is a token just made, shown this once, and its name.
	NewToken, NewTokenName string
	Tokens                 []models.ProvisioningToken
	Plans                  []models.Plan
	Settings               models.ProvisioningSettings
	// TokenName keeps what was typed into the create form.
	TokenName string
	Errors    map[string]string
}

// DefaultHandoverView is the default hand-over form on Settings > Account.
type DefaultHandoverView struct {
	CSRFToken string
	Handover  models.DefaultHandover
	// FallbackEmail keeps what was typed.
	FallbackEmail string
	Errors        map[string]string
}

func deleteModeLabel(m models.DeletionMode) string {
	switch m {
	case models.DeleteWithHistory:
		return "Anonymise and delete their activity, after the grace period"
	}
	return "Anonymise after the grace period (records and history stay)"
}

func tokenTime(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}
