package models

import (
	"github.com/alexedwards/argon2id"
)

// passwordParams are OWASP's recommended argon2id settings (19 MiB, 2 iterations, 1 lane).
var passwordParams = &argon2id.Params{
	Memory:      19 * 1024,
	Iterations:  2,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// MinPasswordLength follows NIST SP 800-63B for memorised secrets.
const MinPasswordLength = 12

// HashPassword returns an encoded argon2id hash of password.
func HashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, passwordParams)
}

// dummyPasswordHash is compared against when no user matches, so that a sign-in for an unknown
// address takes as long as one for a known address.
var dummyPasswordHash, _ = HashPassword("no user has this password")

func passwordMatches(password, hash string) bool {
	if hash == "" {
		hash = dummyPasswordHash
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}
