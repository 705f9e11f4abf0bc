package handlers

import (
	"strings"
	"testing"

	"github.com/gorilla/securecookie"
)

func TestSessionCookiesRoundTripAsJSON(t *testing.T) {
	hashKey, blockKey := []byte(strings.Repeat("h", 64)), []byte(strings.Repeat("b", 32))
	codecs := newSessionCodecs(hashKey, blockKey)
	values := map[any]any{sessionTokenKey: "token-1", "_flash": []any{"Deactivated Ada.", "Undo within 30 days."}}
	encoded, err := securecookie.EncodeMulti(sessionCookieName, values, codecs...)
	if err != nil {
		t.Fatal(err)
	}
	decoded := map[any]any{}
	if err := securecookie.DecodeMulti(sessionCookieName, encoded, &decoded, codecs...); err != nil {
		t.Fatal(err)
	}
	if decoded[sessionTokenKey] != "token-1" {
		t.Errorf("token = %v", decoded[sessionTokenKey])
	}
	flashes, _ := decoded["_flash"].([]any)
	if len(flashes) != 2 || flashes[1] != "Undo within 30 days." {
		t.Errorf("flashes = %#v", decoded["_flash"])
	}
	// Only the JSON codec reads it: the cookie really is JSON, not gob.
	if err := codecs[1].Decode(sessionCookieName, encoded, &map[any]any{}); err == nil {
		t.Error("the new cookie decoded as gob")
	}
}

func TestSessionCookiesWrittenAsGobStillSignIn(t *testing.T) {
	hashKey, blockKey := []byte(strings.Repeat("h", 64)), []byte(strings.Repeat("b", 32))
	before, err := securecookie.New(hashKey, blockKey).Encode(sessionCookieName, map[any]any{sessionTokenKey: "token-2"})
	if err != nil {
		t.Fatal(err)
	}
	decoded := map[any]any{}
	if err := securecookie.DecodeMulti(sessionCookieName, before, &decoded, newSessionCodecs(hashKey, blockKey)...); err != nil {
		t.Fatal(err)
	}
	if decoded[sessionTokenKey] != "token-2" {
		t.Errorf("token = %v", decoded[sessionTokenKey])
	}
}

func TestSessionCookieValuesOfOtherKindsAreRefused(t *testing.T) {
	if _, err := (sessionValuesSerializer{}).Serialize(map[any]any{"n": 3}); err == nil {
		t.Error("a number was written")
	}
	if err := (sessionValuesSerializer{}).Deserialize([]byte(`{"n": 3}`), &map[any]any{}); err == nil {
		t.Error("a number was read")
	}
}
