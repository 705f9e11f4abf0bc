package models

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	mathrand "math/rand/v2"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// SeedSpec describes an account to fill with realistic data: the demo account and the bulk data
// for benchmarks come from the same generator at different sizes.
type SeedSpec struct {
	AccountName string
	// Domain is the e-mail domain of every generated user.
	Domain         string
	Users          int
	Groups         int
	RecordsPerUser int
	// ActivityMonths is how far back generated activity reaches.
	ActivityMonths int
	Seed           uint64
}

// SeededAccount is what a seed run made: the account and how to sign in as its owner.
type SeededAccount struct {
	Account       Account
	OwnerEmail    string
	OwnerPassword string
	Users         int
	Records       int
}

// DemoSpec is the account `go run .` creates on an empty database: about sixty people across
// every status and role, three plans, five groups and a few hundred records with their history.
var DemoSpec = SeedSpec{AccountName: "Northwind Traders", Domain: "northwind.example", Users: 60, Groups: 5,
	RecordsPerUser: 6, ActivityMonths: 12, Seed: 20261122}

// BulkSpec sizes an account of n users for demos and benchmarks.
func BulkSpec(n int) SeedSpec {
	return SeedSpec{AccountName: fmt.Sprintf("Bulk %d", n), Domain: fmt.Sprintf("bulk%d.example", n), Users: n,
		Groups: max(5, n/500), RecordsPerUser: 1, ActivityMonths: 12, Seed: uint64(n)}
}

const seedBatchSize = 1000

var (
	seedFirstNames = []string{"Ada", "Ben", "Chloé", "Dmitri", "Elif", "Farah", "Gustav", "Hana", "Ivan", "Jonas",
		"Keiko", "Lena", "Mateo", "Nora", "Olu", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Uma", "Viktor",
		"Wen", "Ximena", "Yusuf", "Zoë", "Amara", "Björn", "Carmen", "Diego", "Esther", "Finn"}
	seedLastNames = []string{"Andersen", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hansen",
		"Ibrahim", "Jensen", "Kowalski", "Lindqvist", "Müller", "Novak", "O'Brien", "Petrov", "Quinn", "Rossi",
		"Schmidt", "Tanaka", "Ueda", "Virtanen", "Weber", "Xu", "Yılmaz", "Zimmermann"}
	seedGroupNames = []string{"Sales DACH", "Sales Nordics", "Customer Success", "Procurement", "Field Team West",
		"Field Team East", "Partnerships", "Inside Sales", "Renewals", "Enterprise Accounts"}
	seedTitles = map[string][]string{
		"deal":     {"Renewal", "Expansion", "New logo", "Upsell", "Pilot"},
		"contact":  {"Head of IT", "CFO", "Office manager", "Buyer", "Founder"},
		"lead":     {"Webinar sign-up", "Trade fair", "Inbound call", "Referral", "Cold outreach"},
		"activity": {"Call", "Demo", "Follow-up e-mail", "On-site visit", "Quote"},
		"pin":      {"Door knock", "Storefront", "Warehouse", "Depot", "Branch office"},
		"request":  {"Office chairs", "Laptops", "Cleaning services", "Printer toner", "Catering"},
	}
	seedCompanies = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Soylent"}
)

// Seed creates one account filled as spec says, in one transaction, and returns how to sign in
// as its owner. Every demo user shares the owner's password so that a demo can sign in as anyone.
func (s *Store) Seed(ctx context.Context, spec SeedSpec) (*SeededAccount, error) {
	password := RandomPassword()
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	g := &seedGenerator{spec: spec, rng: mathrand.New(mathrand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15)),
		history: mathrand.New(mathrand.NewPCG(spec.Seed^0x5eed1ed9e4, spec.Seed)), now: s.now(), hash: hash}
	result := &SeededAccount{OwnerPassword: password}
	err = s.transaction(ctx, func(tx *gorm.DB) error {
		return g.run(tx, result)
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

type seedGenerator struct {
	spec SeedSpec
	rng  *mathrand.Rand
	// history draws when past events happened (deactivations, seat purchases) from a stream of its
	// own, so that the people, records and activity drawn from rng stay as they were.
	history *mathrand.Rand
	now     time.Time
	hash    string
}

func (g *seedGenerator) run(tx *gorm.DB, result *SeededAccount) error {
	account := Account{Name: g.spec.AccountName, ImpersonationEnabled: true, ImpersonationMinutes: DefaultImpersonationMinutes, DeletionGraceDays: 14,
		CreatedAt: g.now.AddDate(0, -g.spec.ActivityMonths, 0)}
	if err := tx.Create(&account).Error; err != nil {
		return err
	}
	result.Account = account
	plans, err := g.createPlans(tx, account.ID)
	if err != nil {
		return err
	}
	users := g.buildUsers(account.ID, plans)
	// Managers and inviters come first in the list, so they are written first; everyone after them
	// is written with their manager already set, sparing a second pass over the users table.
	leaders := 0
	for leaders < len(users) && users[leaders].Role != RoleMember {
		leaders++
	}
	if err := tx.CreateInBatches(users[:leaders], seedBatchSize).Error; err != nil {
		return err
	}
	g.assignManagers(users, leaders)
	if leaders < len(users) {
		if err := tx.CreateInBatches(users[leaders:], seedBatchSize).Error; err != nil {
			return err
		}
	}
	result.OwnerEmail = users[0].EmailAddress()
	result.Users = len(users)
	if err := g.createSeatLedger(tx, account, plans, users); err != nil {
		return err
	}
	if err := g.createInvitations(tx, users); err != nil {
		return err
	}
	if err := g.createGroups(tx, account.ID, users); err != nil {
		return err
	}
	records, err := g.createRecords(tx, account.ID, users)
	if err != nil {
		return err
	}
	result.Records = records
	return writeAudit(tx, auditEntry{Account: account.ID, Actor: &users[0].ID, Action: AuditAccountCreated,
		Target: &users[0].ID, At: account.CreatedAt, Details: map[string]any{"account": account.Name, "seeded_users": len(users)}}.event())
}

func (g *seedGenerator) createPlans(tx *gorm.DB, accountID int64) ([]Plan, error) {
	n := g.spec.Users
	// Seats: enough for the active and invited people each plan gets, plus a few spare, so the demo
	// shows free seats and the cost of them.
	plans := []Plan{
		{Name: "Starter", SeatsPurchased: n*30/100 + 3, PriceCents: 1500},
		{Name: "Professional", SeatsPurchased: n*50/100 + 4, PriceCents: 3900},
		{Name: "Enterprise", SeatsPurchased: n*20/100 + 2, PriceCents: 7900},
	}
	for i := range plans {
		plans[i].AccountID, plans[i].Currency, plans[i].CreatedAt = accountID, "EUR", g.now.AddDate(0, -g.spec.ActivityMonths, 0)
	}
	return plans, tx.Create(&plans).Error
}

// roleFor spreads roles the way a real account has them: one owner, a few admins, some group
// administrators and managers, one support and one finance person, members for the rest.
func (g *seedGenerator) roleFor(i int) Role {
	n := g.spec.Users
	switch {
	case i == 0:
		return RoleOwner
	case i <= 2:
		return RoleAdmin
	case i < 3+g.spec.Groups:
		return RoleGroupAdmin
	case i < 3+g.spec.Groups+max(4, n/100):
		return RoleManager
	case i == 3+g.spec.Groups+max(4, n/100):
		return RoleSupport
	case i == 4+g.spec.Groups+max(4, n/100):
		return RoleFinance
	}
	return RoleMember
}

// statusFor keeps the people with special roles active and spreads members over the tabs: about
// 80% active, 12% inactive, 8% invited.
func (g *seedGenerator) statusFor(i int, role Role) UserStatus {
	if role != RoleMember {
		return StatusActive
	}
	switch r := i % 25; {
	case r < 3:
		return StatusInactive
	case r < 5:
		return StatusInvited
	}
	return StatusActive
}

func (g *seedGenerator) buildUsers(accountID int64, plans []Plan) []User {
	users := make([]User, g.spec.Users)
	planWeights := []int{30, 50, 20}
	// Seats are counted as they are handed out so that no plan ever holds more people than it has
	// seats. The inactive count too: each held a seat until they left, and the seat history
	// (createSeatLedger) must fit within the seats bought at every moment of the year.
	used := make([]int, len(plans))
	for i := range users {
		first := seedFirstNames[g.rng.IntN(len(seedFirstNames))]
		last := seedLastNames[g.rng.IntN(len(seedLastNames))]
		email := fmt.Sprintf("%s.%s.%d@%s", asciiLower(first), asciiLower(last), i+1, g.spec.Domain)
		if i == 0 {
			email = "owner@" + g.spec.Domain
		}
		role := g.roleFor(i)
		status := g.statusFor(i, role)
		created := g.now.Add(-time.Duration(g.rng.IntN(g.spec.ActivityMonths*30*24)+24) * time.Hour)
		u := User{AccountID: accountID, Email: &email, Name: first + " " + last, Role: role, Status: status,
			PasswordHash: g.hash, CreatedAt: created, UpdatedAt: created}
		if i == 0 {
			u.CreatedAt = g.now.AddDate(0, -g.spec.ActivityMonths, 0)
		}
		if status != StatusInvited {
			signedIn := g.now.Add(-time.Duration(g.rng.IntN(120*24)) * time.Hour)
			if status == StatusActive && i%7 != 0 {
				signedIn = g.now.Add(-time.Duration(g.rng.IntN(20*24)) * time.Hour)
			}
			u.LastSignInAt = &signedIn
		} else {
			// Invitations go out in the last days, so most links are still live and a few expired.
			u.PasswordHash = ""
			u.CreatedAt = g.now.Add(-time.Duration(g.history.IntN(9*24*60)+30) * time.Minute)
			u.UpdatedAt = u.CreatedAt
		}
		if status == StatusInactive {
			g.deactivate(&u)
		}
		p := pickWeighted(g.rng, planWeights)
		for tries := 0; tries < len(plans) && used[p] >= plans[p].SeatsPurchased; tries++ {
			p = (p + 1) % len(plans)
		}
		used[p]++
		u.PlanID = &plans[p].ID
		users[i] = u
	}
	return users
}

// deactivate dates an inactive user's departure between an hour after they joined and an hour
// ago, and keeps their last sign-in before it.
func (g *seedGenerator) deactivate(u *User) {
	from, to := u.CreatedAt.Add(time.Hour), g.now.Add(-time.Hour)
	at := from
	if minutes := int64(to.Sub(from) / time.Minute); minutes > 0 {
		at = from.Add(time.Duration(g.history.Int64N(minutes)) * time.Minute)
	}
	u.DeactivatedAt, u.UpdatedAt = &at, at
	if u.LastSignInAt != nil && u.LastSignInAt.After(at) {
		signedIn := at.Add(-time.Duration(g.history.Int64N(72*60)) * time.Minute)
		if signedIn.Before(u.CreatedAt) {
			signedIn = u.CreatedAt
		}
		u.LastSignInAt = &signedIn
	}
}

// assignManagers gives most members one of the managers, and every invited person the owner as
// inviter, before the members are written.
func (g *seedGenerator) assignManagers(users []User, leaders int) {
	var managers []int64
	for _, u := range users[:leaders] {
		if u.Role == RoleManager {
			managers = append(managers, u.ID)
		}
	}
	owner := users[0].ID
	for i := leaders; i < len(users); i++ {
		if len(managers) > 0 && i%3 != 0 {
			users[i].ManagerID = &managers[i%len(managers)]
		}
		if users[i].Status == StatusInvited {
			users[i].InvitedByID = &owner
		}
	}
}

// seatMove is one change to how many seats of a plan are held, for planning purchases ahead of it.
type seatMove struct {
	at    time.Time
	delta int
}

// createSeatLedger writes the seat history the seeded people imply, in bulk, so that summing the
// ledger up to any moment gives that moment's seats: everyone takes their seat (or, invited,
// reserves it) the day they joined, the inactive free theirs the day they left, and each plan is
// bought when the account opened and topped up twice during the year, always ahead of the people
// who need the seats. Summed to now, the ledger equals the plans and users as written.
func (g *seedGenerator) createSeatLedger(tx *gorm.DB, account Account, plans []Plan, users []User) error {
	owner := users[0].ID
	opened := account.CreatedAt
	index := make(map[int64]int, len(plans))
	for i, p := range plans {
		index[p.ID] = i
	}
	moves := make([][]seatMove, len(plans))
	people := make([]SeatLedgerEntry, 0, len(users)+len(users)/8)
	for i := range users {
		u := &users[i]
		if u.PlanID == nil || u.Status == StatusDeleted {
			continue
		}
		if u.CreatedAt.Before(opened) {
			opened = u.CreatedAt
		}
		p := index[*u.PlanID]
		moves[p] = append(moves[p], seatMove{at: u.CreatedAt, delta: 1})
		switch u.Status {
		case StatusInvited:
			people = append(people, seatEntry(u, 0, 1, SeatReasonInvited, &owner, u.CreatedAt))
			continue
		case StatusActive, StatusInactive:
			// Seeded people joined in one step; live ones reserve a seat first and take it on accepting.
			reason := SeatReasonAccepted
			if u.ID == owner {
				reason = SeatReasonCreated
			}
			people = append(people, seatEntry(u, 1, 0, reason, &u.ID, u.CreatedAt))
		}
		if u.Status == StatusInactive && u.DeactivatedAt != nil {
			people = append(people, seatEntry(u, -1, 0, SeatReasonDeactivated, &owner, *u.DeactivatedAt))
			moves[p] = append(moves[p], seatMove{at: *u.DeactivatedAt, delta: -1})
		}
	}
	entries := make([]SeatLedgerEntry, 0, 3*len(plans)+len(people))
	for i, p := range plans {
		purchases, err := g.purchases(p, moves[i], opened)
		if err != nil {
			return err
		}
		for _, purchase := range purchases {
			purchase.AccountID, purchase.PlanID, purchase.ActorID = account.ID, p.ID, &owner
			entries = append(entries, purchase)
		}
	}
	// In the order things happened, as live operations append them; purchases lead at equal times.
	entries = append(entries, people...)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].ChangedAt.Before(entries[j].ChangedAt) })
	return tx.CreateInBatches(entries, seedBatchSize).Error
}

// purchases buys plan p's seats in three steps — when the account opened, about a third and about
// two thirds into the time since — each covering, with some room to spare, every seat held until
// the next step. The steps add up to p.SeatsPurchased.
func (g *seedGenerator) purchases(p Plan, moves []seatMove, opened time.Time) ([]SeatLedgerEntry, error) {
	span := g.now.Sub(opened)
	jitter := func() time.Duration {
		if span < 24*time.Hour {
			return 0
		}
		return time.Duration(g.history.Int64N(int64(span/12))) - span/24
	}
	steps := []time.Time{opened, opened.Add(span/3 + jitter()), opened.Add(2*span/3 + jitter())}
	// The most seats held from each step until the next; at equal times the releases go first.
	sort.Slice(moves, func(i, j int) bool {
		if !moves[i].at.Equal(moves[j].at) {
			return moves[i].at.Before(moves[j].at)
		}
		return moves[i].delta < moves[j].delta
	})
	peaks := make([]int, len(steps))
	held, step := 0, 0
	for _, m := range moves {
		for step+1 < len(steps) && !m.at.Before(steps[step+1]) {
			step++
			peaks[step] = held
		}
		held += m.delta
		peaks[step] = max(peaks[step], held)
	}
	for step+1 < len(steps) {
		step++
		peaks[step] = held
	}
	for _, peak := range peaks {
		if peak > p.SeatsPurchased {
			return nil, fmt.Errorf("seed: plan %s holds %d seats at its peak but has only %d", p.Name, peak, p.SeatsPurchased)
		}
	}
	var entries []SeatLedgerEntry
	bought := 0
	for i, at := range steps {
		level := p.SeatsPurchased
		if i < len(steps)-1 {
			// Bought in fives, with about 5% to spare, never beyond what the plan has today.
			level = min(p.SeatsPurchased, max(bought, (peaks[i]+max(1, peaks[i]/20)+4)/5*5))
		}
		if level == bought && i > 0 {
			continue
		}
		reason := SeatReasonPurchased
		if i == 0 {
			reason = SeatReasonCreated
		}
		entries = append(entries, SeatLedgerEntry{PurchasedChange: level - bought, Reason: reason, ChangedAt: at})
		bought = level
	}
	return entries, nil
}

// createInvitations gives every invited person the invitation they were sent; a third of them
// were reminded two days later. Nobody knows their links: the tokens were never printed.
func (g *seedGenerator) createInvitations(tx *gorm.DB, users []User) error {
	owner := users[0].ID
	var invitations []Invitation
	for i, u := range users {
		if u.Status != StatusInvited {
			continue
		}
		inv := Invitation{AccountID: u.AccountID, UserID: u.ID, TokenHash: hashToken(newToken()), InvitedByID: &owner,
			SentAt: u.CreatedAt, ExpiresAt: u.CreatedAt.Add(InvitationLifetime)}
		if reminded := u.CreatedAt.Add(48 * time.Hour); i%3 == 0 && reminded.Before(g.now) {
			inv.RemindedAt, inv.Reminders, inv.ExpiresAt = &reminded, 1, reminded.Add(InvitationLifetime)
		}
		invitations = append(invitations, inv)
	}
	if len(invitations) == 0 {
		return nil
	}
	return tx.CreateInBatches(invitations, seedBatchSize).Error
}

func (g *seedGenerator) createGroups(tx *gorm.DB, accountID int64, users []User) error {
	var owners []int64
	for _, u := range users {
		if u.Role == RoleGroupAdmin {
			owners = append(owners, u.ID)
		}
	}
	groups := make([]Group, 0, g.spec.Groups)
	for i := 0; i < g.spec.Groups && i < len(owners); i++ {
		name := seedGroupNames[i%len(seedGroupNames)]
		if i >= len(seedGroupNames) {
			name = fmt.Sprintf("%s %d", name, i/len(seedGroupNames)+1)
		}
		groups = append(groups, Group{AccountID: accountID, Name: name, OwnerID: owners[i], CreatedAt: g.now.AddDate(0, -g.spec.ActivityMonths, 0)})
	}
	if len(groups) == 0 {
		return nil
	}
	if err := tx.CreateInBatches(groups, seedBatchSize).Error; err != nil {
		return err
	}
	members := make([]GroupMember, 0, len(users))
	for i, u := range users {
		if u.Role == RoleOwner || u.Role == RoleAdmin || u.Role == RoleFinance {
			continue
		}
		group := groups[i%len(groups)]
		if u.Role == RoleGroupAdmin {
			for _, candidate := range groups {
				if candidate.OwnerID == u.ID {
					group = candidate
				}
			}
		}
		members = append(members, GroupMember{GroupID: group.ID, UserID: u.ID, AccountID: accountID, CreatedAt: u.CreatedAt})
		// Every fifth person also belongs to a second group.
		if i%5 == 0 && len(groups) > 1 {
			second := groups[(i+1)%len(groups)]
			if second.ID != group.ID {
				members = append(members, GroupMember{GroupID: second.ID, UserID: u.ID, AccountID: accountID, CreatedAt: u.CreatedAt})
			}
		}
	}
	return tx.CreateInBatches(members, seedBatchSize).Error
}

// createRecords gives people who have worked here records of every kind, with the history of how
// they came to own them and the activity that created them.
func (g *seedGenerator) createRecords(tx *gorm.DB, accountID int64, users []User) (int, error) {
	var workers []User
	for _, u := range users {
		if u.Status != StatusInvited && u.Role != RoleFinance {
			workers = append(workers, u)
		}
	}
	if len(workers) == 0 {
		return 0, nil
	}
	total := 0
	records := make([]Record, 0, seedBatchSize)
	flush := func() error {
		if len(records) == 0 {
			return nil
		}
		if err := tx.Create(&records).Error; err != nil {
			return err
		}
		history := make([]RecordOwnershipChange, 0, len(records))
		activities := make([]Activity, 0, 2*len(records))
		for _, r := range records {
			history = append(history, RecordOwnershipChange{AccountID: accountID, RecordID: r.ID, ToUserID: r.OwnerID,
				ChangedByID: &r.CreatedByID, Reason: "created", ChangedAt: r.CreatedAt})
			id := r.ID
			activities = append(activities, Activity{AccountID: accountID, UserID: r.CreatedByID, Kind: ActivityRecordCreated, RecordID: &id, OccurredAt: r.CreatedAt})
			if r.Kind == "deal" && !r.IsOpen {
				activities = append(activities, Activity{AccountID: accountID, UserID: r.OwnerID, Kind: ActivityDealWon, RecordID: &id, OccurredAt: r.UpdatedAt})
			} else if g.rng.IntN(4) == 0 {
				activities = append(activities, Activity{AccountID: accountID, UserID: r.OwnerID, Kind: ActivityComment, RecordID: &id, OccurredAt: r.UpdatedAt})
			}
		}
		if err := tx.CreateInBatches(history, seedBatchSize).Error; err != nil {
			return err
		}
		if err := tx.CreateInBatches(activities, seedBatchSize/2).Error; err != nil {
			return err
		}
		total += len(records)
		records = records[:0]
		return nil
	}
	span := time.Duration(g.spec.ActivityMonths*30*24) * time.Hour
	for i, owner := range workers {
		count := g.spec.RecordsPerUser
		if i%4 == 0 {
			count *= 2
		}
		for j := 0; j < count; j++ {
			kind := RecordKinds[(i+j)%len(RecordKinds)]
			created := g.now.Add(-time.Duration(g.rng.Int64N(int64(span))))
			if created.Before(owner.CreatedAt) {
				created = owner.CreatedAt.Add(time.Duration(g.rng.IntN(72)) * time.Hour)
			}
			if created.After(g.now) {
				created = g.now.Add(-time.Hour)
			}
			title := fmt.Sprintf("%s — %s", seedTitles[kind][g.rng.IntN(len(seedTitles[kind]))], seedCompanies[g.rng.IntN(len(seedCompanies))])
			records = append(records, Record{AccountID: accountID, Kind: kind, Title: title, IsOpen: g.rng.IntN(3) != 0,
				OwnerID: owner.ID, CreatedByID: owner.ID, CreatedAt: created, UpdatedAt: created.Add(time.Duration(g.rng.IntN(240)) * time.Hour)})
			if len(records) == seedBatchSize {
				if err := flush(); err != nil {
					return 0, err
				}
			}
		}
	}
	return total, flush()
}

func pickWeighted(rng *mathrand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func asciiLower(s string) string {
	replacer := strings.NewReplacer("é", "e", "ë", "e", "ü", "u", "ö", "o", "ı", "i", "í", "i", "'", "", "ç", "c")
	return strings.ToLower(replacer.Replace(s))
}

// RandomPassword makes a password strong enough to print once and change later.
func RandomPassword() string {
	buf := make([]byte, 12)
	if _, err := rand.Read(buf); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}
