package models

import "gorm.io/gorm"

// otherActiveOwners answers the one question behind every "the account keeps an active owner"
// rule — deactivation, deletion, role changes, account transfers: how many active owners remain
// besides leaving?
//
// It counts the account's active owners other than leaving. Called inside a change, the answer
// holds until commit: change holds the account lock, and every operation that can take an owner
// away (a role change, deactivation, deletion, transfer, provisioning) is a change of that
// account, so two admins demoting or deactivating two different owners at once run one after the
// other and the second sees the first's result. Outside a transaction (the wizard's preview) it
// is a snapshot that the operation checks again.
func (s *Store) otherActiveOwners(db *gorm.DB, accountID int64, leaving []int64) (int64, error) {
	q := db.Model(&User{}).Where("account_id = ? AND role = ? AND status = ?", accountID, RoleOwner, StatusActive)
	if len(leaving) > 0 {
		q = q.Where(s.idNotIn("id", leaving))
	}
	var owners int64
	err := q.Count(&owners).Error
	return owners, err
}
