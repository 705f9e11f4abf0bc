package models

import "gorm.io/gorm"

// loadReach looks up which of the users are within a scoped actor's reach (their groups'
// members, their reports), so that Actor.Reaches, CanViewUser and CanActOn can answer for
// them. Account-wide actors need no lookup. One query, whatever the number of users.
func (s *Store) loadReach(db *gorm.DB, actor *Actor, users []User) error {
	if actor == nil || actor.ReachesAccount() || len(users) == 0 {
		return nil
	}
	ids := make([]int64, len(users))
	for i := range users {
		ids[i] = users[i].ID
	}
	conditions, args := actor.reachConditions("id")
	q := db.Model(&User{}).Where(s.idIn("id", ids)).Where("account_id = ?", actor.Account.ID)
	for i, condition := range conditions {
		q = q.Where(condition, args[i])
	}
	var reached []int64
	if err := q.Pluck("id", &reached).Error; err != nil {
		return err
	}
	if actor.reach == nil {
		actor.reach = make(map[int64]bool, len(reached))
	}
	for _, id := range reached {
		actor.reach[id] = true
	}
	return nil
}

// reachScope limits a users query to the users the actor reaches; idColumn names the users' ID
// column in that query.
func reachScope(actor *Actor, idColumn string) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		conditions, args := actor.reachConditions(idColumn)
		for i, condition := range conditions {
			db = db.Where(condition, args[i])
		}
		return db
	}
}

// requireReach answers ErrNotFound unless the actor reaches every one of users (or is that
// user): for a scoped actor, people outside their groups or reports do not exist, just like
// people of another account.
func (s *Store) requireReach(db *gorm.DB, actor *Actor, users []User) error {
	if err := s.loadReach(db, actor, users); err != nil {
		return err
	}
	for i := range users {
		if users[i].ID != actor.User.ID && !actor.Reaches(&users[i]) {
			return ErrNotFound
		}
	}
	return nil
}
