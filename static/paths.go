package static

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// names maps each file's content-hashed name (app.3f2a1c9d.css) to its own name (app.css), and
// Path gives the hashed URL: a page refers to the exact bytes it was built with, so the files can
// be cached for good.
var names = sync.OnceValue(func() map[string]string {
	hashed := map[string]string{}
	entries, _ := fs.ReadDir(Files, ".")
	for _, entry := range entries {
		data, _ := fs.ReadFile(Files, entry.Name())
		hashed[hashedName(entry.Name(), data)] = entry.Name()
	}
	return hashed
})

var paths = sync.OnceValue(func() map[string]string {
	byName := map[string]string{}
	for hashed, name := range names() {
		byName[name] = "/static/" + hashed
	}
	return byName
})

// Path is the URL of the embedded file name under its content-hashed name.
func Path(name string) string {
	if p, ok := paths()[name]; ok {
		return p
	}
	return "/static/" + name
}

// Unhash is the embedded file a content-hashed name stands for.
func Unhash(hashed string) (string, bool) {
	name, ok := names()[hashed]
	return name, ok
}

// hashedName puts the first 8 bytes of the content's SHA-256 before the extension; for
// htmx.min.js that is htmx.min.<hash>.js.
func hashedName(name string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:8]) + ext
}
