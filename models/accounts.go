package models

import (
	"context"
	"net/mail"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Field limits shared by every form that names a person or an account.
const (
	MaxNameLength = 120
)

// NewAccount is what it takes to open an account: its name, its first owner and the plan the
// owner's seat comes from.
type NewAccount struct {
	AccountName   string
	OwnerName     string
	OwnerEmail    string
	OwnerPassword string
	PlanName      string
	Seats         int
	PriceCents    int64
}

// Validate returns a message per field that is not acceptable.
func (n NewAccount) Validate() FieldErrors {
	errs := FieldErrors{}
	if msg := validateName(n.AccountName); msg != "" {
		errs["account"] = msg
	}
	if msg := validateName(n.OwnerName); msg != "" {
		errs["name"] = msg
	}
	if msg := ValidateEmail(n.OwnerEmail); msg != "" {
		errs["email"] = msg
	}
	if utf8.RuneCountInString(n.OwnerPassword) < MinPasswordLength {
		errs["password"] = "Use at least 12 characters."
	} else if len(n.OwnerPassword) > maxPasswordLength {
		errs["password"] = "Use at most 1024 characters."
	}
	if msg := validateName(n.PlanName); msg != "" {
		errs["plan"] = msg
	}
	if n.Seats < 1 || n.Seats > 1_000_000 {
		errs["seats"] = "Buy between 1 and 1,000,000 seats."
	}
	if n.PriceCents < 0 {
		errs["price"] = "The price cannot be negative."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ValidateEmail returns a message when address is not a plain e-mail address, or "".
func ValidateEmail(address string) string {
	address = strings.TrimSpace(address)
	if address == "" {
		return "Enter an e-mail address."
	}
	if len(address) > maxEmailLength {
		return "Use at most 254 characters."
	}
	parsed, err := mail.ParseAddress(address)
	if err != nil || parsed.Address != address || !strings.Contains(address[strings.LastIndex(address, "@")+1:], ".") {
		return "Enter an e-mail address like name@example.com."
	}
	return ""
}

// CreateAccount opens an account with its owner and first plan, in one transaction, and starts
// the plan's seat ledger with the seats bought and the owner's. Returns
// FieldErrors when the input is not acceptable.
func (s *Store) CreateAccount(ctx context.Context, n NewAccount) (*Account, *User, error) {
	if errs := n.Validate(); errs != nil {
		return nil, nil, errs
	}
	hash, err := HashPassword(n.OwnerPassword)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	account := &Account{Name: strings.TrimSpace(n.AccountName), ImpersonationEnabled: true, ImpersonationMinutes: DefaultImpersonationMinutes,
		DeletionGraceDays: 14, CreatedAt: now}
	email := NormalizeEmail(n.OwnerEmail)
	owner := &User{Email: &email, Name: strings.TrimSpace(n.OwnerName), Role: RoleOwner, Status: StatusActive,
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	err = s.transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(account).Error; err != nil {
			return err
		}
		plan := &Plan{AccountID: account.ID, Name: strings.TrimSpace(n.PlanName), SeatsPurchased: n.Seats,
			PriceCents: n.PriceCents, Currency: "EUR", CreatedAt: now}
		if err := tx.Create(plan).Error; err != nil {
			return err
		}
		owner.AccountID, owner.PlanID = account.ID, &plan.ID
		if err := tx.Create(owner).Error; err != nil {
			return err
		}
		// The seat ledger starts with the purchase and the owner taking the first seat.
		if err := recordSeatChanges(tx, []SeatLedgerEntry{
			{AccountID: account.ID, PlanID: plan.ID, PurchasedChange: plan.SeatsPurchased, Reason: SeatReasonCreated, ActorID: &owner.ID, ChangedAt: now},
			seatEntry(owner, 1, 0, SeatReasonCreated, &owner.ID, now),
		}); err != nil {
			return err
		}
		return writeAudit(tx, auditEntry{Account: account.ID, Actor: &owner.ID, Action: AuditAccountCreated, Target: &owner.ID, At: now,
			Details: map[string]any{"account": account.Name, "plan": plan.Name, "seats": plan.SeatsPurchased}}.event())
	})
	if err != nil {
		return nil, nil, err
	}
	return account, owner, nil
}

// CountAccounts tells how many accounts exist, so that start-up knows whether the database is new.
func (s *Store) CountAccounts(ctx context.Context) (int64, error) {
	var n int64
	err := s.read(ctx).Model(&Account{}).Count(&n).Error
	return n, err
}
