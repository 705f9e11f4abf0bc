package handlers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/labstack/echo/v4"

	"roster/static"
)

// asset is one embedded file, ready to send as it is, gzipped or brotli-compressed.
type asset struct {
	contentType string
	etag        string
	raw, gz, br []byte
}

// assets are compressed once per process, when the server is built, so a page
// view costs the server nothing more than its HTML.
var assets = sync.OnceValue(func() map[string]*asset {
	all := map[string]*asset{}
	entries, _ := fs.ReadDir(static.Files, ".")
	for _, entry := range entries {
		raw, err := fs.ReadFile(static.Files, entry.Name())
		if err != nil || entry.IsDir() {
			continue
		}
		sum := sha256.Sum256(raw)
		a := &asset{contentType: mime.TypeByExtension(path.Ext(entry.Name())), etag: `"` + hex.EncodeToString(sum[:8]) + `"`, raw: raw}
		if a.contentType == "" {
			a.contentType = http.DetectContentType(raw)
		}
		var buf bytes.Buffer
		gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = gz.Write(raw)
		_ = gz.Close()
		if buf.Len() < len(raw) {
			a.gz = bytes.Clone(buf.Bytes())
		}
		buf.Reset()
		// A window just over the largest file (64 KB): the default 4 MB one costs about 100 MB of heap
		// at this quality and compresses these files no better.
		br := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 16})
		_, _ = br.Write(raw)
		_ = br.Close()
		if buf.Len() < len(raw) {
			a.br = bytes.Clone(buf.Bytes())
		}
		all[entry.Name()] = a
		// Each compression's working memory is garbage once done: collect it before the next
		// one, and hand it back to the system at the end, so start-up does not leave the
		// process bigger than it serves.
		runtime.GC()
	}
	debug.FreeOSMemory()
	return all
})

// serveStatic sends an embedded file. Under its content-hashed name (see static.Path, which
// the pages use) it may be cached for a year without asking again; under its own name, for
// links from before a release, it is revalidated by ETag. The smallest encoding the client
// accepts is sent.
func serveStatic(c echo.Context) error {
	name := c.Param("*")
	cache := "no-cache"
	if original, ok := static.Unhash(name); ok {
		name, cache = original, "public, max-age=31536000, immutable"
	}
	a, ok := assets()[name]
	if !ok {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", cache)
	h.Set("ETag", a.etag)
	h.Add("Vary", "Accept-Encoding")
	if match := c.Request().Header.Get("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		return c.NoContent(http.StatusNotModified)
	}
	body := a.raw
	accepts := acceptedEncodings(c.Request().Header.Get("Accept-Encoding"))
	switch {
	case a.br != nil && accepts["br"]:
		body = a.br
		h.Set("Content-Encoding", "br")
	case a.gz != nil && accepts["gzip"]:
		body = a.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if c.Request().Method == http.MethodHead {
		h.Set(echo.HeaderContentType, a.contentType)
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, a.contentType, body)
}

// acceptedEncodings are the codings an Accept-Encoding header allows: listed, and not with q=0.
func acceptedEncodings(header string) map[string]bool {
	accepted := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := strings.TrimSpace(params)
		if v, ok := strings.CutPrefix(q, "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f <= 0 {
				continue
			}
		}
		accepted[strings.ToLower(strings.TrimSpace(coding))] = true
	}
	return accepted
}
