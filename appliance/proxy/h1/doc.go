// Package h1 is a strict HTTP/1.1 message-head parser and chunked codec
// for foyer's fast forward engine.
//
// It works in place on the caller's read buffer: ParseRequest and
// ParseResponse scan the bytes by offset, keep every returned slice
// aliased to that buffer (valid until the buffer is reused), and allocate
// nothing on the success path. Refusals are package-level *Error values,
// so they allocate nothing either.
//
// The parser is stricter than net/http: it refuses the request shapes
// that let two HTTP implementations disagree about where a message ends
// (Content-Length with Transfer-Encoding, duplicate or list-valued
// Content-Length, any Transfer-Encoding but a single chunked, obs-fold,
// whitespace before the colon, bare LF or CR, control characters), and
// the chunked decoder validates a chunk's size line before it returns a
// byte of that chunk. An *Error always means "answer Status and close
// the connection".
//
// The package imports only the standard library.
package h1
