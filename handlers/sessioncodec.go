package handlers

import (
	"encoding/json"
	"fmt"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// newSessionCodecs signs and encrypts cookies with hashKey and blockKey. New cookies hold their
// values as JSON, which decodes on every request at a fraction of gob's cost (gob describes its
// types anew in each cookie); cookies written as gob before still decode, through the second
// codec, until they are next saved.
func newSessionCodecs(hashKey, blockKey []byte) []securecookie.Codec {
	current := securecookie.New(hashKey, blockKey).SetSerializer(sessionValuesSerializer{})
	earlier := securecookie.New(hashKey, blockKey)
	return []securecookie.Codec{current, earlier}
}

// sessionValuesSerializer writes a session's values — strings, and the flash messages, a list of
// strings — as a JSON object.
type sessionValuesSerializer struct{}

func (sessionValuesSerializer) Serialize(src any) ([]byte, error) {
	values, ok := src.(map[any]any)
	if !ok {
		return nil, fmt.Errorf("session values: want a map, got %T", src)
	}
	object := make(map[string]any, len(values))
	for key, value := range values {
		name, ok := key.(string)
		if !ok {
			return nil, fmt.Errorf("session values: key %v is not a string", key)
		}
		switch v := value.(type) {
		case string:
			object[name] = v
		case []any:
			texts := make([]string, len(v))
			for i, item := range v {
				if texts[i], ok = item.(string); !ok {
					return nil, fmt.Errorf("session values: %s holds a %T", name, item)
				}
			}
			object[name] = texts
		default:
			return nil, fmt.Errorf("session values: %s holds a %T", name, value)
		}
	}
	return json.Marshal(object)
}

func (sessionValuesSerializer) Deserialize(src []byte, dst any) error {
	values, ok := dst.(*map[any]any)
	if !ok {
		return fmt.Errorf("session values: want a map to fill, got %T", dst)
	}
	var object map[string]json.RawMessage
	if err := json.Unmarshal(src, &object); err != nil {
		return err
	}
	for name, raw := range object {
		var text string
		if err := json.Unmarshal(raw, &text); err == nil {
			(*values)[name] = text
			continue
		}
		var texts []string
		if err := json.Unmarshal(raw, &texts); err != nil {
			return fmt.Errorf("session values: %s is neither text nor a list of texts", name)
		}
		list := make([]any, len(texts))
		for i, t := range texts {
			list[i] = t
		}
		(*values)[name] = list
	}
	return nil
}

var _ securecookie.Serializer = sessionValuesSerializer{}

// cookieStoreWith is a cookie store over codecs; gorilla's constructor only makes gob codecs.
func cookieStoreWith(codecs []securecookie.Codec) *sessions.CookieStore {
	return &sessions.CookieStore{Codecs: codecs, Options: &sessions.Options{}}
}
