package h1_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing/iotest"

	"github.com/foyerhq/foyer/appliance/proxy/h1"
)

// A connection loop reads until the head is whole, then reads the body
// by the framing the head declares.
func Example() {
	// conn delivers the request a few bytes at a time, as a network might.
	conn := iotest.HalfReader(strings.NewReader("POST /upload HTTP/1.1\r\nHost: acme.example\r\n" +
		"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"))
	lim := h1.Limits{MaxHeadBytes: 8192, MaxHeaders: 100, MaxURIBytes: 4096}

	buf := make([]byte, 0, 8192) // a per-connection buffer, reused
	var req h1.Request
	for {
		n, rerr := conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		err := h1.ParseRequest(buf, lim, &req)
		if err == nil {
			break
		}
		var refusal *h1.Error
		if errors.As(err, &refusal) {
			fmt.Println("answer", refusal.Status, "and close:", refusal.Reason)
			return
		}
		if rerr != nil { // err is h1.ErrIncomplete and no more is coming
			fmt.Println("connection ended inside the head")
			return
		}
	}
	fmt.Printf("%s %s host %s chunked %v\n", req.Method, req.Path, req.Host, req.Chunked)

	// The body starts at HeadLen: first what the buffer already holds.
	br := bufio.NewReader(io.MultiReader(bytes.NewReader(buf[req.HeadLen:]), conn))
	var body h1.ChunkedReader
	body.Reset(br)
	data, err := io.ReadAll(&body)
	fmt.Printf("%q %v\n", data, err)

	out := h1.AppendChunk(nil, data)
	out = h1.AppendLastChunk(out)
	fmt.Printf("%q\n", out)
	// Output:
	// POST /upload host acme.example chunked true
	// "hello world" <nil>
	// "b\r\nhello world\r\n0\r\n\r\n"
}
