package modelstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"sync"
	"testing"

	"roster/models"
)

// Password is the password of every owner NewAccount makes.
const Password = "correct horse battery staple"

// Account is a fresh account for one test, with its owner signed in as Actor. Tests share their
// package's database and stay apart by each making accounts of their own.
type Account struct {
	Account *models.Account
	Owner   *models.User
	Actor   *models.Actor
}

// NewAccount opens a new account whose owner has a unique e-mail address.
func NewAccount(t testing.TB, store *models.Store) *Account {
	t.Helper()
	ctx := context.Background()
	email := "owner-" + unique() + "@example.com"
	account, owner, err := store.CreateAccount(ctx, models.NewAccount{AccountName: "Test " + unique(), OwnerName: "Olivia Owner",
		OwnerEmail: email, OwnerPassword: Password, PlanName: "Standard", Seats: 10, PriceCents: 2500})
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
	return &Account{Account: account, Owner: owner, Actor: &models.Actor{User: owner, Account: account}}
}

// Seeded makes an account filled by the seed generator at the given size.
func Seeded(t testing.TB, store *models.Store, users int) *models.SeededAccount {
	t.Helper()
	spec := models.BulkSpec(users)
	spec.AccountName += " " + unique()
	spec.Domain = unique() + "." + spec.Domain
	seeded, err := store.Seed(context.Background(), spec)
	if err != nil {
		t.Fatalf("seed %d users: %v", users, err)
	}
	return seeded
}

// ActorFor signs in as the seeded account's owner without a password check.
func ActorFor(t testing.TB, store *models.Store, seeded *models.SeededAccount) *models.Actor {
	t.Helper()
	actor, _, err := store.SignIn(context.Background(), seeded.OwnerEmail, seeded.OwnerPassword, "127.0.0.1", "test")
	if err != nil {
		t.Fatalf("sign in as seeded owner: %v", err)
	}
	return actor
}

func unique() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var (
	benchMu       sync.Mutex
	benchAccounts = map[*models.Store]map[int]*models.SeededAccount{}
)

// BenchAccount seeds an account of n users once per store and package run, for benchmarks that
// need realistic volume. Set ROSTER_BENCH_USERS to change n from the caller's default.
func BenchAccount(tb testing.TB, store *models.Store, n int) *models.SeededAccount {
	tb.Helper()
	if v, err := strconv.Atoi(os.Getenv("ROSTER_BENCH_USERS")); err == nil && v > 0 {
		n = v
	}
	benchMu.Lock()
	defer benchMu.Unlock()
	if benchAccounts[store] == nil {
		benchAccounts[store] = map[int]*models.SeededAccount{}
	}
	if seeded, ok := benchAccounts[store][n]; ok {
		return seeded
	}
	seeded := Seeded(tb, store, n)
	// Statistics and visibility maps, as autovacuum keeps them on a live database.
	if store.IsPostgres() {
		if err := store.DB().Exec("VACUUM ANALYZE").Error; err != nil {
			tb.Fatal(err)
		}
	}
	benchAccounts[store][n] = seeded
	return seeded
}
