package proxy

import (
	"net/http"
	"strconv"
	"unsafe"
)

// connStrings is where the engine keeps the strings and header value
// slices of a connection's requests, so that a request allocates nothing
// of its own (issue 9's target: zero allocations per request).
//
// Strings are carved from an append-only chunk: bytes are copied in once
// and never written again, so a string stays valid after its request
// (the access-log record keeps the host, path and request ID until its
// batch is written) without a copy per request. A full chunk is left to
// the garbage collector, which frees it once no string points into it,
// and a new one is made: one allocation per stringChunk bytes of heads
// (about 40 small requests), instead of one per request. What it costs:
// up to stringChunk bytes per open connection, and a queued record may
// keep its chunk alive until its batch is written (at most the access
// log's flush interval).
//
// The one-value slices (ones) are for header values foyer sets during a
// request (X-Request-Id both ways, X-Foyer-Tenant to the backend); they are
// reused by the next request, as the header maps they go in are: nothing
// keeps a request's or answer's header map past its handler on this path.
type connStrings struct {
	chunk []byte
	ones  [6]string
	used  int
}

// stringChunk is the size of a string chunk; a longer string gets an
// allocation of its own.
const stringChunk = 4096

// str returns b as a string that stays valid after the request.
func (s *connStrings) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > stringChunk/2 {
		return string(b)
	}
	if cap(s.chunk)-len(s.chunk) < len(b) {
		s.chunk = make([]byte, 0, stringChunk)
	}
	i := len(s.chunk)
	s.chunk = append(s.chunk, b...)
	return unsafe.String(&s.chunk[i], len(b)) // never written again: see connStrings
}

// newID returns a new request ID (requestID's form) as a string of the
// chunk.
func (s *connStrings) newID(seq uint64) string {
	var b [48]byte
	id := append(b[:0], idPrefix...)
	id = append(id, '-')
	return s.str(strconv.AppendUint(id, seq, 36))
}

// one returns a slice holding v for a header map of the current request;
// its backing array is reused by the next request.
func (s *connStrings) one(v string) []string {
	if s.used == len(s.ones) {
		return []string{v}
	}
	i := s.used
	s.used++
	s.ones[i] = v
	return s.ones[i : i+1 : i+1]
}

// nextRequest makes the one-value slices free for the next request.
func (s *connStrings) nextRequest() {
	clear(s.ones[:s.used])
	s.used = 0
}

// setOne sets h[key] (key in canonical form) to the one value v: a slice
// of the connection's (connStrings.one) when ew, the fast engine's
// writer, is not nil, else a new one, as Header.Set makes.
func setOne(ew *engineWriter, h http.Header, key, v string) {
	if ew != nil {
		h[key] = ew.ec.strs.one(v)
		return
	}
	h[key] = []string{v}
}
