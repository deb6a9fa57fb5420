package proxy

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/appliance/proxy/h1"
)

// flushAt is the body size past which the engine writer sends what it
// has; a smaller answer goes out in one write with its head, with a
// Content-Length.
const flushAt = 16 << 10

// engineWriter is the engine's http.ResponseWriter, one per connection,
// reused. It assembles the head and the start of the body in one buffer
// and writes them with one call; a body that outgrows the buffer, or is
// flushed before the handler returns, is sent chunked (or by
// Content-Length when the handler set one).
type engineWriter struct {
	ec          *engineConn
	hdr         http.Header
	out         []byte // what is not sent yet: body bytes, and the head before them once built
	headBuf     []byte // the other buffer writeHead builds in (the two trade places)
	status      int
	wroteHeader bool
	headSent    bool
	head        bool  // the request was HEAD
	closeAfter  bool  // the connection ends after this answer
	chunked     bool  // the body is sent chunked
	cl          int64 // the Content-Length the handler set; -1: none
	clUp        bool  // cl is the backend's (not in hdr): writeHead sends it
	written     int64 // body bytes accepted
	err         error // a write to the client failed
	// upstream, when set by the fast forwarder, holds the upstream
	// answer's header lines to copy as they are (fast_forward.go).
	upstream []h1.Field
}

// reset readies w for the next request.
func (w *engineWriter) reset(closeAfter bool) {
	clear(w.hdr)
	w.out = w.out[:0]
	w.status, w.wroteHeader, w.headSent, w.head = 0, false, false, false
	w.closeAfter, w.chunked, w.cl, w.clUp, w.written, w.err, w.upstream = closeAfter, false, -1, false, 0, nil, nil
}

// Header implements http.ResponseWriter.
func (w *engineWriter) Header() http.Header { return w.hdr }

// WriteHeader implements http.ResponseWriter. Informational answers are
// not sent (the engine hands 100-continue and upgrades to net/http).
func (w *engineWriter) WriteHeader(code int) {
	if w.wroteHeader || code < 200 {
		return
	}
	w.status, w.wroteHeader = code, true
	if v := w.hdr["Content-Length"]; len(v) == 1 {
		if n, err := strconv.ParseInt(v[0], 10, 64); err == nil && n >= 0 {
			w.cl = n
		}
	}
}

// bodyAllowed reports whether the answer may carry a body.
func (w *engineWriter) bodyAllowed() bool {
	return !w.head && w.status != http.StatusNoContent && w.status != http.StatusNotModified
}

// Write implements http.ResponseWriter.
func (w *engineWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.err != nil {
		return 0, w.err
	}
	if !w.bodyAllowed() {
		if w.head {
			return len(p), nil
		}
		return 0, http.ErrBodyNotAllowed
	}
	w.written += int64(len(p))
	if w.headSent && w.chunked {
		w.out = h1.AppendChunk(w.out, p)
	} else {
		w.out = append(w.out, p...)
	}
	if len(w.out) >= flushAt {
		w.flush(false)
	}
	return len(p), w.err
}

// Flush implements http.Flusher.
func (w *engineWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.flush(false)
}

// FlushError flushes and says why it could not (http.ResponseController).
func (w *engineWriter) FlushError() error {
	w.Flush()
	return w.err
}

// SetReadDeadline sets the client connection's read deadline
// (http.ResponseController; the body limits use it).
func (w *engineWriter) SetReadDeadline(t time.Time) error {
	w.ec.rdl = t
	return w.ec.conn.SetReadDeadline(t)
}

// SetWriteDeadline sets the client connection's write deadline.
func (w *engineWriter) SetWriteDeadline(t time.Time) error { return w.ec.conn.SetWriteDeadline(t) }

// commitHead builds the head now (the fast forwarder's header lines alias
// a buffer about to be reused); it is sent with the first body bytes.
func (w *engineWriter) commitHead() {
	if w.wroteHeader && !w.headSent && w.err == nil {
		w.writeHead(false)
	}
}

// errAborted ends an answer cut short: the connection closes without the
// body's end, so the client sees it incomplete.
var errAborted = errors.New("engine: answer aborted")

// abort sends what is buffered and ends the answer without its end.
func (w *engineWriter) abort() {
	if w.wroteHeader {
		w.flush(false)
	}
	if w.err == nil {
		w.err = errAborted
	}
	w.closeAfter = true
}

// finish ends the answer once the handler returned.
func (w *engineWriter) finish() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.err != nil {
		return
	}
	if !w.headSent {
		w.writeHead(true)
	} else if w.chunked {
		w.out = h1.AppendLastChunk(w.out)
	}
	if w.cl >= 0 && w.written != w.cl && w.bodyAllowed() {
		w.closeAfter = true // the body is short (or long): the framing is broken
	}
	w.send()
}

// flush sends the head (if not sent yet) and the buffered body.
func (w *engineWriter) flush(final bool) {
	if w.err != nil {
		return
	}
	if !w.headSent {
		w.writeHead(final)
	}
	w.send()
}

func (w *engineWriter) send() {
	if len(w.out) == 0 || w.err != nil {
		w.out = w.out[:0]
		return
	}
	_, w.err = w.ec.conn.Write(w.out)
	w.out = w.out[:0]
	if w.err != nil {
		w.closeAfter = true
	}
}

// writeHead puts the head before the buffered body in out. final says
// the handler returned, so the body is whole and gets a Content-Length.
func (w *engineWriter) writeHead(final bool) {
	body := w.out
	h := w.hdr
	if w.ec.e.stopped.Load() {
		w.closeAfter = true
	}
	if len(h["Connection"]) > 0 {
		if hasToken(h["Connection"], "close") {
			w.closeAfter = true
		}
		delete(h, "Connection")
	}
	delete(h, "Transfer-Encoding")
	delete(h, "Trailer")
	framing := ""
	switch {
	case !w.bodyAllowed(), w.cl >= 0: // no body, or the handler's Content-Length
	case final:
		framing = "len"
	default:
		w.chunked, framing = true, "chunked"
	}
	buf := w.headBuf[:0]
	buf = append(buf, "HTTP/1.1 "...)
	buf = strconv.AppendInt(buf, int64(w.status), 10)
	buf = append(buf, ' ')
	buf = append(buf, http.StatusText(w.status)...)
	buf = append(buf, "\r\n"...)
	if _, ok := h["Date"]; !ok && !hasField(w.upstream, "Date") {
		buf = append(buf, "Date: "...)
		buf = append(buf, httpDate()...)
		buf = append(buf, "\r\n"...)
	}
	for k, vs := range h {
		for _, v := range vs {
			buf = appendField(buf, k, v)
		}
	}
	for _, f := range w.upstream {
		buf = append(buf, f.Name...)
		buf = append(buf, ": "...)
		buf = append(buf, f.Value...)
		buf = append(buf, "\r\n"...)
	}
	if w.clUp && w.bodyAllowed() {
		buf = append(buf, "Content-Length: "...)
		buf = strconv.AppendInt(buf, w.cl, 10)
		buf = append(buf, "\r\n"...)
	}
	switch framing {
	case "len":
		buf = append(buf, "Content-Length: "...)
		buf = strconv.AppendInt(buf, int64(len(body)), 10)
		buf = append(buf, "\r\n"...)
	case "chunked":
		buf = append(buf, "Transfer-Encoding: chunked\r\n"...)
	}
	if w.closeAfter {
		buf = append(buf, "Connection: close\r\n"...)
	}
	buf = append(buf, "\r\n"...)
	if w.chunked && len(body) > 0 {
		buf = h1.AppendChunk(buf, body)
	} else {
		buf = append(buf, body...)
	}
	w.headBuf = w.out[:0] // the two buffers trade places
	w.out = buf
	w.headSent = true
}

// hasField reports whether fields hold one named name.
func hasField(fields []h1.Field, name string) bool {
	for _, f := range fields {
		if equalFold(f.Name, name) {
			return true
		}
	}
	return false
}

// appendField appends "k: v\r\n", turning any CR or LF in v into a space
// (as net/http does).
func appendField(buf []byte, k, v string) []byte {
	buf = append(buf, k...)
	buf = append(buf, ": "...)
	if strings.ContainsAny(v, "\r\n") {
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c == '\r' || c == '\n' {
				c = ' '
			}
			buf = append(buf, c)
		}
	} else {
		buf = append(buf, v...)
	}
	return append(buf, "\r\n"...)
}

// hasToken reports whether a comma-separated header holds tok (ASCII
// case-insensitive).
func hasToken(vs []string, tok string) bool {
	for _, v := range vs {
		for v != "" {
			var part string
			part, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(part), tok) {
				return true
			}
		}
	}
	return false
}

// dateCache holds the Date header's value for the current second.
var dateCache atomic.Pointer[dateEntry]

type dateEntry struct {
	sec int64
	val string
}

// httpDate is the current time in the Date header's format; it allocates
// once a second.
func httpDate() string {
	now := time.Now()
	sec := now.Unix()
	if d := dateCache.Load(); d != nil && d.sec == sec {
		return d.val
	}
	d := &dateEntry{sec: sec, val: now.UTC().Format(http.TimeFormat)}
	dateCache.Store(d)
	return d.val
}
