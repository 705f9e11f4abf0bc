package handlers

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"roster/static"
)

// Pages refer to static files by content-hashed names, served for a year without revalidation,
// precompressed in the best encoding the browser takes.
func TestStaticFilesAreHashedCachedAndCompressed(t *testing.T) {
	e, err := New(nil, Config{SessionSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, headers ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	login := get("/login")
	urls := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(login.Body.String(), -1)
	if len(urls) == 0 {
		t.Fatalf("the sign-in page links no static file:\n%s", login.Body.String())
	}
	for _, name := range []string{"app.css", "app.js", "htmx.min.js"} {
		path := static.Path(name)
		if !regexp.MustCompile(`^/static/[a-z.]+\.[0-9a-f]{16}\.(css|js)$`).MatchString(path) {
			t.Fatalf("%s is served as %s, want a content-hashed name", name, path)
		}
		want, _ := fs.ReadFile(static.Files, name)
		for _, tc := range []struct {
			accept, encoding string
			decode           func(io.Reader) (io.Reader, error)
		}{
			{"gzip, deflate, br, zstd", "br", func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }},
			{"gzip", "gzip", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
			{"br;q=0, gzip;q=0.5", "gzip", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
			{"", "", func(r io.Reader) (io.Reader, error) { return r, nil }},
		} {
			rec := get(path, "Accept-Encoding", tc.accept)
			h := rec.Header()
			if rec.Code != http.StatusOK || h.Get("Content-Encoding") != tc.encoding || !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding") ||
				h.Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Fatalf("%s with Accept-Encoding %q: %d, %v", path, tc.accept, rec.Code, h)
			}
			r, err := tc.decode(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s with Accept-Encoding %q: the body is not %s (%v)", path, tc.accept, name, err)
			}
			if tc.encoding != "" && rec.Body.Len() >= len(want) {
				t.Fatalf("%s in %s is %d bytes, not smaller than %d", path, tc.encoding, rec.Body.Len(), len(want))
			}
		}
		etag := get(path).Header().Get("ETag")
		if rec := get(path, "If-None-Match", etag); rec.Code != http.StatusNotModified {
			t.Fatalf("%s with its ETag: %d, want 304", path, rec.Code)
		}
		if rec := get("/static/"+name, "Accept-Encoding", "gzip"); rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-cache" {
			t.Fatalf("%s under its own name: %d, %v", name, rec.Code, rec.Header())
		}
	}
	for _, u := range urls {
		if rec := get(u[1]); rec.Code != http.StatusOK {
			t.Fatalf("%s linked from a page: %d", u[1], rec.Code)
		}
	}
	if rec := get("/static/nothing.0123456789abcdef.css"); rec.Code != http.StatusNotFound {
		t.Fatalf("an unknown file: %d, want 404", rec.Code)
	}
}
