package proxy

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/policy"
	"github.com/foyerhq/foyer/appliance/proxy/h1"
	"github.com/foyerhq/foyer/store"
)

// smallBody is the largest request body sent in the same write as its
// head (read whole first, so the request can be sent again on a fresh
// connection when a pooled one turns out closed).
const smallBody = 16 << 10

// upstreamLimits bound a backend's response head.
var upstreamLimits = h1.Limits{MaxHeadBytes: upstreamBuf, MaxHeaders: 500}

// fastForwarder is the round trip of a request that came through the
// Engine to a plain-HTTP backend: on the client connection's goroutine,
// over a LIFO pool of idle connections per backend, with the h1 parser
// reading the response. stdForwarder.Forward calls it in place of
// ReverseProxy, inside the same retry loop, answering through the same
// outcome writer and upstreamError, so statuses, retries, breaker and
// health reports and access-log records are those of the standard path.
type fastForwarder struct {
	f     *stdForwarder
	pools *pools
	// header is the server-wide response-header timeout (nanoseconds).
	header int64
}

// engineWriterOf finds the engine's writer under w's wrappers (record,
// policy, limits); nil when the request came through net/http.
func engineWriterOf(w http.ResponseWriter) *engineWriter {
	for {
		switch x := w.(type) {
		case *engineWriter:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}

// errUpstreamClosed is a pooled connection the backend had closed.
var errUpstreamClosed = errors.New("the backend closed the connection before answering")

// attempt is what one round trip knows about its progress.
type attempt struct {
	ew         *engineWriter
	uc         *upConn
	replayable bool // the whole request is in the head buffer
	bodyLeft   bool // the request body is still to be streamed
}

// serve forwards r to up and answers through o. It returns having
// answered, or having told upstreamError (which may mark o for a retry
// on another backend).
func (ff *fastForwarder) serve(o *outcome, r *http.Request, up *balance.Upstream, ew *engineWriter, req *Request) {
	ec := ew.ec
	a := attempt{ew: ew}
	out := ff.appendHead(ec.upOut[:0], r, up)
	hasBody := r.Body != nil && r.Body != http.NoBody
	switch {
	case !hasBody:
		a.replayable = true
	case r.ContentLength > 0 && r.ContentLength <= smallBody:
		n := len(out)
		out = slices.Grow(out, int(r.ContentLength))[:n+int(r.ContentLength)]
		if _, err := io.ReadFull(r.Body, out[n:]); err != nil {
			ec.upOut = out[:0]
			ff.bodyError(o, r, err)
			return
		}
		a.replayable = true
	case r.ContentLength < 0:
		var err error
		out, err = ff.firstChunks(&a, r, out)
		if err != nil {
			ec.upOut = out[:0]
			ff.bodyError(o, r, err)
			return
		}
	default:
		a.bodyLeft = true
	}
	ec.upOut = out[:0]
	pool := ff.pools.pool(up)
	var err error
	for try := 0; ; try++ {
		a.uc, err = ff.conn(r, up, pool, try > 0)
		if err != nil {
			ff.fail(o, r, up, err)
			return
		}
		var stale bool
		stale, err = ff.send(&a, r, out)
		if err == nil {
			err = ff.readHead(&a, r)
			stale = err != nil && a.uc.reused && a.replayable && nothingReceived(a.uc, err) && idempotent(r.Method)
		}
		if err == nil {
			break
		}
		a.uc.c.Close()
		if stale && try == 0 {
			continue // the keep-alive race: once more on a fresh connection
		}
		var he *h1.Error
		if errors.As(err, &he) && he.Status == http.StatusBadRequest {
			ff.bodyError(o, r, err)
			return
		}
		ff.fail(o, r, up, err)
		return
	}
	ff.answer(&a, o, r, req, pool)
}

// firstChunks reads a chunked body's first chunk, and what else of it the
// client has sent, before the backend is contacted, so a body that is
// invalid from the start never opens a request there; a body that ends
// within smallBody is sent whole with its head (and can be sent again).
func (ff *fastForwarder) firstChunks(a *attempt, r *http.Request, out []byte) ([]byte, error) {
	eb, _ := unwrapBody(r.Body)
	buf := a.ew.ec.scratch[:smallBody]
	got := 0
	for got < len(buf) {
		n, err := r.Body.Read(buf[got:])
		got += n
		if err == io.EOF {
			a.replayable = true
			break
		}
		if err != nil {
			return out, err
		}
		if eb == nil || !eb.buffered() {
			a.bodyLeft = true
			break
		}
	}
	if got == len(buf) {
		a.bodyLeft = true
	}
	if got > 0 {
		out = h1.AppendChunk(out, buf[:got])
	}
	if a.replayable {
		out = h1.AppendLastChunk(out)
	}
	return out, nil
}

// unwrapBody finds the engine's body under the steps' wrappers it knows
// (record, retry, max-body, limits); nil when it cannot see through one.
func unwrapBody(b io.ReadCloser) (*engineBody, bool) {
	for range 8 {
		switch x := b.(type) {
		case *engineBody:
			return x, true
		case *countingBody:
			b = x.ReadCloser
		case *sentBody:
			b = x.ReadCloser
		case interface{ Unwrap() io.ReadCloser }:
			b = x.Unwrap()
		default:
			return nil, false
		}
	}
	return nil, false
}

// fail hands an upstream error to the standard path's handling. Its log
// line names the backend by r.URL.Host, which ReverseProxy's outbound
// request carries; the engine's request URL gets it here (nothing else
// reads its Host).
func (ff *fastForwarder) fail(o *outcome, r *http.Request, up *balance.Upstream, err error) {
	r.URL.Host = up.URL.Host
	ff.f.upstreamError(o, r, err)
}

// conn takes an idle connection of up's pool, or dials one (always when
// fresh is set).
func (ff *fastForwarder) conn(r *http.Request, up *balance.Upstream, pool *upPool, fresh bool) (*upConn, error) {
	if pool != nil && !fresh {
		if uc := pool.get(time.Now()); uc != nil {
			return uc, nil
		}
	}
	timeout := time.Duration(ff.pools.dial.Load())
	if l, ok := r.Context().Value(limitsKey{}).(*limits); ok && l.connect > 0 {
		timeout = l.connect
	}
	return dial(r.Context(), hostPort(up), timeout)
}

// send writes the head (and a small body) and streams the rest of the
// body. stale reports a pooled connection that failed before any byte
// was taken.
func (ff *fastForwarder) send(a *attempt, r *http.Request, out []byte) (stale bool, err error) {
	uc := a.uc
	if dl, ok := r.Context().Deadline(); ok {
		_ = uc.c.SetWriteDeadline(dl)
		uc.wdl = true
	} else if uc.wdl { // cleared only when an earlier request set one
		_ = uc.c.SetWriteDeadline(time.Time{})
		uc.wdl = false
	}
	n, err := uc.c.Write(out)
	if err != nil {
		return n == 0 && uc.reused && a.replayable, err
	}
	if !a.bodyLeft {
		return false, nil
	}
	a.bodyLeft = false
	return false, ff.streamBody(a, r)
}

// errClientBody marks an error reading the client's body (not the
// backend's fault).
type errClientBody struct{ err error }

func (e *errClientBody) Error() string { return e.err.Error() }
func (e *errClientBody) Unwrap() error { return e.err }

// streamBody copies the request body to the backend: a chunked body is
// decoded (an invalid chunk is refused before any of its bytes are
// sent) and framed again.
func (ff *fastForwarder) streamBody(a *attempt, r *http.Request) error {
	ec := a.ew.ec
	chunked := r.ContentLength < 0
	buf := ec.scratch[:smallBody]
	for {
		n, rerr := r.Body.Read(buf)
		if n > 0 {
			p := buf[:n]
			if chunked {
				ec.upOut = h1.AppendChunk(ec.upOut[:0], p)
				p = ec.upOut
			}
			if _, err := a.uc.c.Write(p); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return &errClientBody{rerr}
		}
	}
	if chunked {
		if _, err := a.uc.c.Write(h1.AppendLastChunk(ec.upOut[:0])); err != nil {
			return err
		}
	}
	return nil
}

// nothingReceived reports an error that means the backend closed the
// connection without answering a byte.
func nothingReceived(uc *upConn, err error) bool {
	if uc.br.Buffered() > 0 {
		return false
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, errUpstreamClosed)
}

// readHead reads the response head (past any 1xx) under the
// response-header timeout.
func (ff *fastForwarder) readHead(a *attempt, r *http.Request) error {
	uc := a.uc
	d := time.Duration(atomic.LoadInt64(&ff.header))
	if l, ok := r.Context().Value(limitsKey{}).(*limits); ok && l.header > 0 && (d <= 0 || l.header < d) {
		d = l.header
	}
	dl := deadline(d)
	if cdl, ok := r.Context().Deadline(); ok && (dl.IsZero() || cdl.Before(dl)) {
		dl = cdl
	}
	head := r.Method == http.MethodHead
	for {
		// A long wait is cut in clientCheck slices, to notice a client
		// that went away (net/http's background read does this for the
		// standard path): the request is then cancelled (499).
		step, probe := dl, false
		if dl.IsZero() || time.Until(dl) > clientCheck {
			step, probe = time.Now().Add(clientCheck), true
		}
		_ = uc.c.SetReadDeadline(step)
		err := ff.parseHead(uc, head)
		if probe && isTimeout(err) {
			if a.ew.ec.clientGone() {
				return context.Canceled
			}
			continue
		}
		if err != nil {
			return err
		}
		switch {
		case uc.resp.Status == http.StatusSwitchingProtocols:
			return errors.New("the backend switched protocols for a request that asked for no upgrade")
		case uc.resp.Status < 200:
			_, _ = uc.br.Discard(uc.resp.HeadLen) // 1xx: not forwarded
			continue
		}
		return nil
	}
}

// clientCheck is how often a request waiting for its backend's answer
// checks that its client is still there.
const clientCheck = time.Second

func isTimeout(err error) bool {
	if err == nil {
		return false // before errors.As: its target would escape, an allocation per call
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// parseHead reads until the buffer holds a whole head and parses it.
func (ff *fastForwarder) parseHead(uc *upConn, head bool) error {
	for {
		if n := uc.br.Buffered(); n > 0 {
			b, _ := uc.br.Peek(n)
			err := h1.ParseResponse(b, upstreamLimits, head, &uc.resp)
			if err != h1.ErrIncomplete {
				return err
			}
			if n == uc.br.Size() {
				return errors.New("the backend's response head is larger than " + strconv.Itoa(upstreamBuf) + " bytes")
			}
		}
		if _, err := uc.br.Peek(uc.br.Buffered() + 1); err != nil {
			if err == io.EOF && uc.br.Buffered() == 0 {
				return errUpstreamClosed
			}
			return err
		}
	}
}

// answer copies the response to the client: status through o (so the
// outcome, policy and record steps see it), the backend's header lines
// as bytes, and the body. The connection goes back to the pool only when
// both messages ended cleanly.
func (ff *fastForwarder) answer(a *attempt, o *outcome, r *http.Request, req *Request, pool *upPool) {
	uc, ew := a.uc, a.ew
	resp := &uc.resp
	ff.copyFields(ew, r, req, resp)
	if !resp.NoBody && resp.ContentLength >= 0 {
		ew.cl, ew.clUp = resp.ContentLength, true
	}
	o.WriteHeader(resp.Status)
	ew.commitHead() // the head is built now: the fields alias uc's buffer
	if !ew.headSent {
		// A step held the answer back (limits.go, after a body timeout):
		// its own answer must not carry the backend's lines.
		ew.upstream, ew.cl, ew.clUp = nil, -1, false
	}
	_, _ = uc.br.Discard(resp.HeadLen)
	if dl, ok := r.Context().Deadline(); ok {
		_ = uc.c.SetReadDeadline(dl)
	} else {
		_ = uc.c.SetReadDeadline(time.Time{})
	}
	whole := ff.copyBody(a, o, resp)
	if whole && !resp.Close && pool != nil && ew.err == nil {
		pool.put(uc, time.Now())
		return
	}
	uc.c.Close()
	if !whole {
		// The client sees the answer cut, and the steps see what they see
		// on the standard path: ReverseProxy panics with ErrAbortHandler
		// (no health report, the breaker's ticket released).
		ew.abort()
		panic(http.ErrAbortHandler)
	}
}

// copyBody streams the response body; true when it arrived whole (to
// its framing's end, or to the backend's close for a body framed by
// it) and the client took it.
func (ff *fastForwarder) copyBody(a *attempt, o *outcome, resp *h1.Response) bool {
	uc, ew := a.uc, a.ew
	if resp.NoBody {
		return true
	}
	var src io.Reader = uc.br
	left := resp.ContentLength
	switch {
	case resp.Chunked:
		uc.cr.Reset(uc.br)
		src = &uc.cr
	case left < 0: // until the backend closes: so does the client connection
		ew.closeAfter = true
		resp.Close = true
	}
	stream := resp.ContentLength < 0
	buf := ew.ec.scratch[:smallBody]
	for left != 0 {
		p := buf
		if left > 0 && int64(len(p)) > left {
			p = p[:left]
		}
		n, err := src.Read(p)
		if n > 0 {
			if left > 0 {
				left -= int64(n)
			}
			if _, werr := o.Write(p[:n]); werr != nil {
				return false
			}
			if stream && uc.br.Buffered() < 4096 {
				// A stream: what arrived goes out before a read that may
				// wait (what is buffered may be only the chunk framing).
				ew.Flush()
			}
		}
		if err == io.EOF {
			return left <= 0
		}
		if err != nil {
			return false
		}
	}
	return true
}

// copyFields gives ew the backend's header lines to copy as bytes:
// without hop-by-hop fields (and those Connection names), without the
// framing (the engine writer frames the body), and without the fields
// the tenant's response rules remove or set (the policy writer sets them
// in the header map) or HSTS replaces.
func (ff *fastForwarder) copyFields(ew *engineWriter, r *http.Request, req *Request, resp *h1.Response) {
	e := req.Tenant.Effective
	hsts := e.HSTS && policy.IsHTTPS(r, *ff.f.trusted.Load())
	conn := resp.Get("Connection")
	fields := ew.ec.upFields[:0]
	for _, f := range resp.Fields {
		switch {
		case hopByHop(f.Name), inTokens(conn, f.Name):
			continue
		case equalFold(f.Name, "Content-Length") && !resp.NoBody:
			continue
		case hsts && equalFold(f.Name, "Strict-Transport-Security"):
			continue
		case listed(f.Name, e.ResponseRemove) || setListed(f.Name, e):
			continue
		}
		fields = append(fields, f)
	}
	ew.ec.upFields = fields
	ew.upstream = fields
}

// hopByHop reports the fields that end at each hop (RFC 9110 7.6.1, and
// those net/http's ReverseProxy drops).
func hopByHop(name []byte) bool {
	switch len(name) {
	case 2:
		return equalFold(name, "Te")
	case 7:
		return equalFold(name, "Trailer") || equalFold(name, "Upgrade")
	case 10:
		return equalFold(name, "Connection") || equalFold(name, "Keep-Alive")
	case 16:
		return equalFold(name, "Proxy-Connection")
	case 17:
		return equalFold(name, "Transfer-Encoding")
	case 18:
		return equalFold(name, "Proxy-Authenticate")
	case 19:
		return equalFold(name, "Proxy-Authorization")
	}
	return false
}

// equalFold compares ASCII case-insensitively without allocating.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c, d := b[i], s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// inTokens reports whether the comma-separated list v names name.
func inTokens(v, name []byte) bool {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		tok := v[:i]
		for len(tok) > 0 && (tok[0] == ' ' || tok[0] == '\t') {
			tok = tok[1:]
		}
		for len(tok) > 0 && (tok[len(tok)-1] == ' ' || tok[len(tok)-1] == '\t') {
			tok = tok[:len(tok)-1]
		}
		if len(tok) == len(name) && equalFold(name, string(tok)) {
			return true
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
	return false
}

func listed(name []byte, keys []string) bool {
	for _, k := range keys {
		if equalFold(name, k) {
			return true
		}
	}
	return false
}

// setListed reports a field the tenant's response rules set.
func setListed(name []byte, e *store.EffectivePolicy) bool {
	for _, hv := range e.ResponseSet {
		if equalFold(name, hv.Name) {
			return true
		}
	}
	return false
}

// bodyError answers a request whose client body could not be read: 400
// for an invalid chunked body (nothing invalid reached the backend), else
// as the standard path does (413 past max-body; 408 via the limits step
// for a body that timed out; 502 otherwise).
func (ff *fastForwarder) bodyError(o *outcome, r *http.Request, err error) {
	var he *h1.Error
	if errors.As(err, &he) {
		// The client's fault: the backend's health and the breaker are not
		// told (the standard path blames the backend with a 502 here).
		o.ResponseWriter.Header().Set("Connection", "close")
		writeError(o, r, r.Header.Get(headerRequestID), http.StatusBadRequest, "the request body is malformed ("+he.Reason+")")
		return
	}
	ff.f.upstreamError(o, r, err)
}

// appendHead appends the request head for up: the request line, Host,
// the client's fields without hop-by-hop ones, the forwarding fields as
// the standard path's rewrite sets them, and the body's framing.
func (ff *fastForwarder) appendHead(b []byte, r *http.Request, up *balance.Upstream) []byte {
	b = append(b, r.Method...)
	b = append(b, ' ')
	b = appendTarget(b, r, up)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, r.Host...)
	b = append(b, "\r\n"...)
	h := r.Header
	conn := h["Connection"]
	for k, vs := range h {
		if skipOutbound(k) || len(conn) > 0 && hasToken(conn, k) {
			continue
		}
		for _, v := range vs {
			b = appendField(b, k, v)
		}
	}
	trusted := ff.f.trustedPeer(r.RemoteAddr)
	if trusted {
		for _, v := range h["Forwarded"] {
			b = appendField(b, "Forwarded", v)
		}
	}
	b = append(b, "X-Forwarded-For: "...)
	if trusted {
		for _, v := range h["X-Forwarded-For"] {
			b = append(b, v...)
			b = append(b, ", "...)
		}
	}
	b = append(b, clientIP(r.RemoteAddr)...)
	b = append(b, "\r\n"...)
	fh, fp := r.Host, "http"
	if r.TLS != nil {
		fp = "https"
	}
	if trusted {
		if v := h.Get("X-Forwarded-Host"); v != "" {
			fh = v
		}
		if v := h.Get("X-Forwarded-Proto"); v != "" {
			fp = v
		}
	}
	b = appendField(b, "X-Forwarded-Host", fh)
	b = appendField(b, "X-Forwarded-Proto", fp)
	switch {
	case r.ContentLength > 0:
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, r.ContentLength, 10)
		b = append(b, "\r\n"...)
	case r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	case r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch:
		b = append(b, "Content-Length: 0\r\n"...)
	}
	return append(b, "\r\n"...)
}

// skipOutbound reports the client fields not copied to the backend:
// hop-by-hop ones, the forwarding ones foyer sets, and the framing.
func skipOutbound(k string) bool {
	switch k {
	case "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te",
		"Trailer", "Transfer-Encoding", "Upgrade", "Content-Length", "Host",
		"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto":
		return true
	}
	return false
}

// appendTarget appends the request target as ReverseProxy's SetURL makes
// it: the backend URL's path joined with the request's, and the queries
// joined.
func appendTarget(b []byte, r *http.Request, up *balance.Upstream) []byte {
	t, u := up.URL, r.URL
	p := u.EscapedPath()
	if t.Path != "" {
		p = singleJoiningSlash(t.EscapedPath(), p)
	}
	if p == "" {
		p = "/"
	}
	b = append(b, p...)
	switch {
	case t.RawQuery == "" && u.RawQuery == "":
	case t.RawQuery == "" || u.RawQuery == "":
		b = append(b, '?')
		b = append(b, t.RawQuery...)
		b = append(b, u.RawQuery...)
	default:
		b = append(b, '?')
		b = append(b, t.RawQuery...)
		b = append(b, '&')
		b = append(b, u.RawQuery...)
	}
	return b
}

func singleJoiningSlash(a, b string) string {
	aslash, bslash := strings.HasSuffix(a, "/"), strings.HasPrefix(b, "/")
	switch {
	case aslash && bslash:
		return a + b[1:]
	case !aslash && !bslash:
		return a + "/" + b
	}
	return a + b
}

// configure takes the upstream settings (the standard transport's).
func (ff *fastForwarder) configure(c transportConf) {
	ff.pools.max.Store(int64(c.idle))
	ff.pools.dial.Store(int64(c.dial))
	atomic.StoreInt64(&ff.header, int64(c.header))
}
