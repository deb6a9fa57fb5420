package proxy

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"html"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// writeError answers with foyer's own small error page: JSON when the
// client asks for it, HTML otherwise. Both carry the request ID so an
// operator can find the request.
func writeError(w http.ResponseWriter, r *http.Request, id string, status int, msg string) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if status == http.StatusMisdirectedRequest {
		h.Set("Connection", "close")
	}
	text := http.StatusText(status)
	if wantsJSON(r) {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(struct {
			Status    int    `json:"status"`
			Error     string `json:"error"`
			Message   string `json:"message"`
			RequestID string `json:"request_id"`
		}{status, text, msg, id})
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	title := strconv.Itoa(status) + " " + text
	_, _ = w.Write([]byte("<!doctype html><meta charset=utf-8><title>" + title + "</title>" +
		"<h1>" + title + "</h1><p>" + html.EscapeString(msg) + "</p>" +
		"<p><small>foyer &middot; request " + html.EscapeString(id) + "</small></p>\n"))
}

// WriteError answers with foyer's error page for a request refused before the proxy saw it.
func WriteError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeError(w, r, requestID(w, r), status, msg)
}

func wantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

// idPrefix makes request IDs unique across restarts; idSeq within one.
var (
	idPrefix = func() string {
		var b [6]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:])
	}()
	idSeq atomic.Uint64
)

// requestID returns the client's X-Request-Id when it is sane (1 to 128
// visible ASCII characters), else a new one (made without an allocation
// on the fast engine).
func requestID(w http.ResponseWriter, r *http.Request) string {
	return requestIDOn(engineWriterOf(w), r)
}

// requestIDOn is requestID when the caller has looked up the fast
// engine's writer (nil: none).
func requestIDOn(ew *engineWriter, r *http.Request) string {
	if v := r.Header.Get("X-Request-Id"); validID(v) {
		return v
	}
	if ew != nil {
		return ew.ec.strs.newID(idSeq.Add(1))
	}
	return idPrefix + "-" + strconv.FormatUint(idSeq.Add(1), 36)
}

func validID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
