package proxy

import (
	"bufio"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"sync"
	"time"

	"github.com/foyerhq/foyer/appliance/proxy/h1"
)

// urlHolder is the connection's reused request URL.
type urlHolder struct{ u url.URL }

// chunkedTE is the TransferEncoding of a chunked request (shared; nothing
// in foyer changes it).
var chunkedTE = []string{"chunked"}

// resetRequestFromTemplate empties ec.hr for the next request, keeping
// its context: the engine reuses one http.Request per connection (a
// struct copy carries the unexported context without WithContext's
// allocation).
func (ec *engineConn) resetRequestFromTemplate() { *ec.hr = *ec.tmpl }

// buildRequest fills ec.hr from the parsed head and moves ec.start past
// the head. All its strings are cut from one string copy of the head
// (made in the connection's string chunk, fast_strings.go), so nothing
// aliases the read buffer once the handler returns. It returns the body
// (nil: none).
func (ec *engineConn) buildRequest() (*engineBody, bool) {
	q := &ec.req
	base := ec.start
	ec.strs.nextRequest()
	head := ec.strs.str(ec.buf[base : base+q.HeadLen])
	sub := func(b []byte) string {
		if b == nil {
			return ""
		}
		i := cap(ec.buf) - cap(b) - base
		if i < 0 || i+len(b) > len(head) {
			return string(b)
		}
		return head[i : i+len(b)]
	}
	ec.resetRequestFromTemplate()
	r := ec.hr
	r.Method = sub(q.Method)
	r.RequestURI = sub(q.Target)
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	r.Host = sub(q.Host)
	r.RemoteAddr, r.TLS, r.Close = ec.remote, ec.tls, q.Close
	ec.url.u = url.URL{}
	if plainPath(q.Path) {
		ec.url.u.Path, ec.url.u.RawQuery = sub(q.Path), sub(q.Query)
	} else {
		u, err := url.ParseRequestURI(r.RequestURI)
		if err != nil {
			return nil, false
		}
		ec.url.u = *u
	}
	r.URL = &ec.url.u
	h := ec.reqHdr
	clear(h)
	// The value slices share one backing array per connection, reused by
	// the next request (like the map): nothing keeps a request's header
	// past its handler (the record step copies strings, which stay valid).
	if cap(ec.vals) < len(q.Fields) {
		ec.vals = make([]string, len(q.Fields)+8)
	}
	vals := ec.vals[:len(q.Fields)]
	for i, f := range q.Fields {
		k := textproto.CanonicalMIMEHeaderKey(sub(f.Name))
		if k == "Host" {
			continue
		}
		vals[i] = sub(f.Value)
		if old, ok := h[k]; ok {
			h[k] = append(old, vals[i])
		} else {
			h[k] = vals[i : i+1 : i+1]
		}
	}
	r.Header = h
	ec.start += q.HeadLen
	r.Body, r.ContentLength = http.NoBody, 0
	switch {
	case q.Chunked:
		r.ContentLength, r.TransferEncoding = -1, chunkedTE
	case q.ContentLength > 0:
		r.ContentLength = q.ContentLength
	default:
		return nil, true
	}
	b := &engineBody{ec: ec, left: q.ContentLength, chunked: q.Chunked}
	if q.Chunked {
		if ec.br == nil {
			ec.br = bufio.NewReaderSize(ioReader{ec}, 4096)
		} else {
			ec.br.Reset(ioReader{ec})
		}
		b.cr.Reset(ec.br)
		b.rawStart = ec.rawIn
	}
	r.Body = b
	return b, true
}

// plainPath reports whether p needs no unescaping: net/http's URL.Path
// of such a path is p itself.
func plainPath(p []byte) bool {
	if len(p) == 0 || p[0] != '/' {
		return false
	}
	for _, c := range p {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '/' || c == '-' || c == '.' || c == '_' || c == '~' || c == '!' || c == '$' || c == '&' ||
			c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' || c == '=' || c == ':' || c == '@':
		default:
			return false
		}
	}
	return true
}

// engineBody is a request body read from the client connection: a
// Content-Length body (left bytes to go) or a chunked one (decoded by
// h1.ChunkedReader, which refuses an invalid chunk before returning any
// of its bytes). Reads after the request ended fail, so a reader that
// outlives the handler never eats the next request.
type engineBody struct {
	ec       *engineConn
	mu       sync.Mutex // guards everything below
	left     int64
	chunked  bool
	cr       h1.ChunkedReader
	done     bool  // the request ended
	err      error // a read error (the connection cannot go on)
	eof      bool
	trailers bool  // a chunked body carried trailers (not forwarded)
	rawStart int64 // ec.rawIn when a chunked body began
	decoded  int64 // chunked data bytes returned
}

// maxChunkOverhead bounds the framing bytes (size lines, extensions) of a
// chunked body beyond its data bytes, as net/http does: a body of tiny
// chunks with long extensions is refused.
const maxChunkOverhead = 16 << 10

var errChunkOverhead = &h1.Error{Status: http.StatusBadRequest, Reason: "too much chunked framing for the data"}

func (b *engineBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return 0, errBodyClosed
	}
	if b.err != nil {
		return 0, b.err
	}
	if b.eof {
		return 0, io.EOF
	}
	if b.chunked {
		n, err := b.cr.Read(p)
		b.decoded += int64(n)
		consumed := b.ec.rawIn - int64(b.ec.br.Buffered()) - b.rawStart
		if consumed-b.decoded > maxChunkOverhead+b.decoded {
			n, err = 0, errChunkOverhead
		}
		if err == io.EOF {
			b.eof, b.trailers = true, b.cr.Trailers()
		} else if err != nil {
			b.err = err
		}
		return n, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ec.read(p)
	b.left -= int64(n)
	if b.left == 0 {
		b.eof = true
		return n, io.EOF
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

// buffered reports whether more of the body can be read without waiting
// for the client (the chunked case; the fast forwarder sends what is
// buffered with the head).
func (b *engineBody) buffered() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	ec := b.ec
	return !b.done && !b.eof && b.err == nil && (ec.start < ec.end || ec.br != nil && ec.br.Buffered() > 0)
}

// Close implements io.Closer; the engine ends the body itself (end).
func (b *engineBody) Close() error { return nil }

// end closes the body when its request ends: what the handler left unread
// of a Content-Length body is read and dropped when it is small. It
// reports whether the connection may serve another request.
func (b *engineBody) end() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	if b.chunked || b.err != nil {
		return false // a chunked request ends its connection (see limits.go)
	}
	if b.left == 0 {
		return true
	}
	if b.left > maxDiscard {
		return false
	}
	b.ec.setReadDeadline(deadline(max(b.ec.e.conf.ReadHeaderTimeout, time.Second)))
	var scratch [4096]byte
	for b.left > 0 {
		n, err := b.ec.read(scratch[:min(int64(len(scratch)), b.left)])
		b.left -= int64(n)
		if err != nil && b.left > 0 {
			return false
		}
	}
	return true
}
