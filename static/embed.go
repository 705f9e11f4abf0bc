// Package static holds the files the browser loads as they are: the vendored htmx and the style
// sheet, embedded so that the binary is all a deployment needs.
package static

import "embed"

// Files are served under /static/.
//
//go:embed htmx.min.js app.css app.js
var Files embed.FS
