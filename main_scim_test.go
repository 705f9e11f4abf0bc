package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"roster/models"
)

// `roster scim-token` prints one new token on its own line, which then opens the SCIM API.
func TestSCIMTokenCommand(t *testing.T) {
	useDatabase(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"create-owner", "--account", "Acme", "--name", "Ada Admin", "--email", "ada@acme.example"}, &out); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"scim-token", "--account-id", "999", "--name", "Okta"}, &out); err == nil {
		t.Error("a token for an unknown account must be refused")
	}
	if err := run(ctx, []string{"scim-token", "--account-id", "1"}, &out); err == nil {
		t.Error("a token without a name must be refused")
	}
	out.Reset()
	if err := run(ctx, []string{"scim-token", "--account-id", "1", "--name", "Okta"}, &out); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^roster_scim_[0-9a-f]{64}\n$`).MatchString(out.String()) {
		t.Fatalf("scim-token printed %q", out.String())
	}
	store, err := models.Open(ctx, databaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	actor, err := store.AuthenticateProvisioning(ctx, strings.TrimSpace(out.String()))
	if err != nil || actor.Account.ID != 1 || actor.User.Name != "Provisioning: Okta" {
		t.Fatalf("the printed token does not authenticate: %v %+v", err, actor)
	}
}
