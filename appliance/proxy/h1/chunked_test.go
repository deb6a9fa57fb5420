package h1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// validChunked are well-formed chunked bodies and what they decode to.
var validChunked = []struct {
	name, body, data string
	trailers         bool
}{
	{"empty", "0\r\n\r\n", "", false},
	{"one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", false},
	{"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", false},
	{"upper hex", "A\r\n0123456789\r\n0\r\n\r\n", "0123456789", false},
	{"leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello", false},
	{"extension", "5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello", false},
	{"quoted extension", "5;a=\"x y;z\"\t;b\r\nhello\r\n0\r\n\r\n", "hello", false},
	{"trailers", "5\r\nhello\r\n0\r\nX-Sum: abc\r\nX-Two:\r\n\r\n", "hello", true},
	{"CRLF in data", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n", false},
	{"binary data", "3\r\n\x00\xff\n\r\n0\r\n\r\n", "\x00\xff\n", false},
}

// readAllSmall reads r to the end with a small buffer so that chunk
// data spans several Reads.
func readAllSmall(r io.Reader, size int) ([]byte, error) {
	var out []byte
	p := make([]byte, size)
	for {
		n, err := r.Read(p)
		out = append(out, p[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// Ensure that valid chunked bodies decode to their data and io.EOF
// however the bytes arrive: one at a time, split in two at every byte
// boundary, and read into buffers of several sizes.
func TestChunkedReaderValid(t *testing.T) {
	for _, tc := range validChunked {
		t.Run(tc.name, func(t *testing.T) {
			var c ChunkedReader
			check := func(how string, br *bufio.Reader, size int) {
				t.Helper()
				c.Reset(br)
				got, err := readAllSmall(&c, size)
				if err != nil || string(got) != tc.data || c.Trailers() != tc.trailers {
					t.Fatalf("%s, buffer %d: got %q, %v, trailers %v; want %q, trailers %v",
						how, size, got, err, c.Trailers(), tc.data, tc.trailers)
				}
			}
			for _, size := range []int{1, 3, 64} {
				check("one byte at a time", bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(tc.body)), 16), size)
				for i := range len(tc.body) + 1 {
					mr := io.MultiReader(iotest.HalfReader(strings.NewReader(tc.body[:i])), strings.NewReader(tc.body[i:]))
					check("split at "+string(rune('0'+i%10)), bufio.NewReaderSize(mr, 16), size)
				}
			}
			// Bytes after the body stay in the bufio.Reader for the next message.
			br := bufio.NewReader(strings.NewReader(tc.body + "NEXT"))
			check("followed by more", br, 64)
			if rest, _ := io.ReadAll(br); string(rest) != "NEXT" {
				t.Fatalf("after the body: %q, want NEXT", rest)
			}
		})
	}
}

// Ensure that malformed chunked bodies are a 400 *Error, that the error
// sticks, and that no data byte of the chunk with the bad size line is
// ever returned (the data before it is).
func TestChunkedReaderRefusals(t *testing.T) {
	const secret = "SECRET"
	for _, tc := range []struct{ name, body, before string }{
		{"non-hex size", "g\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"hex then junk", "6x\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"empty size", "\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"0x prefix", "0x6\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"negative", "-6\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"plus sign", "+6\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"leading space", " 6\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"trailing space", "6 \r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"tab before ext", "6\t;x\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"overflow", "8000000000000000\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"overflow long", "100000000000000000\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"bare LF after size", "6\n" + secret + "\r\n0\r\n\r\n", ""},
		{"bare CR after size", "6\r" + secret + "\r\n0\r\n\r\n", ""},
		{"bare LF after ext", "6;a\n" + secret + "\r\n0\r\n\r\n", ""},
		{"control in ext", "6;a\x00\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"ext too long", "6;" + strings.Repeat("a", maxChunkExt+1) + "\r\n" + secret + "\r\n0\r\n\r\n", ""},
		{"second chunk bad", "3\r\nabc\r\nZ\r\n" + secret + "\r\n0\r\n\r\n", "abc"},
		{"missing CRLF after data", "3\r\nabcX\r\n6\r\n" + secret + "\r\n0\r\n\r\n", "abc"},
		{"bare LF after data", "3\r\nabc\n6\r\n" + secret + "\r\n0\r\n\r\n", "abc"},
		{"data longer than size", "3\r\nabcd\r\n0\r\n\r\n", "abc"},
		{"bare LF after last chunk", "3\r\nabc\r\n0\n\r\n", "abc"},
		{"trailer without colon", "0\r\nX\r\n\r\n", ""},
		{"trailer empty name", "0\r\n: v\r\n\r\n", ""},
		{"trailer space before colon", "0\r\nX : v\r\n\r\n", ""},
		{"trailer control", "0\r\nX: \x01\r\n\r\n", ""},
		{"trailer bare LF", "0\r\nX: v\n\r\n", ""},
		{"trailer final bare LF", "0\r\n\n", ""},
		{"trailers too large", "0\r\nX: " + strings.Repeat("v", maxTrailerBytes) + "\r\n\r\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, oneByte := range []bool{false, true} {
				var src io.Reader = strings.NewReader(tc.body)
				if oneByte {
					src = iotest.OneByteReader(src)
				}
				var c ChunkedReader
				c.Reset(bufio.NewReaderSize(src, 16))
				var got []byte
				p := make([]byte, 64)
				var err error
				for err == nil {
					var n int
					n, err = c.Read(p)
					if n > 0 && err != nil {
						t.Fatalf("Read returned %d bytes with error %v", n, err)
					}
					got = append(got, p[:n]...)
				}
				var e *Error
				if !errors.As(err, &e) || e.Status != 400 {
					t.Fatalf("oneByte=%v: error %v, want a 400 *Error", oneByte, err)
				}
				if string(got) != tc.before || bytes.Contains(got, []byte(secret)) {
					t.Fatalf("oneByte=%v: returned %q before the error, want %q", oneByte, got, tc.before)
				}
				if n, err2 := c.Read(p); n != 0 || err2 != err {
					t.Fatalf("error did not stick: %d, %v", n, err2)
				}
			}
		})
	}
}

// Ensure that a body cut short is io.ErrUnexpectedEOF wherever it is cut.
func TestChunkedReaderTruncated(t *testing.T) {
	body := "5;x=y\r\nhello\r\n0\r\nX: y\r\n\r\n"
	for i := range len(body) {
		var c ChunkedReader
		c.Reset(bufio.NewReaderSize(strings.NewReader(body[:i]), 16))
		if _, err := io.ReadAll(&c); err != io.ErrUnexpectedEOF {
			t.Fatalf("cut at %d (%q): %v, want io.ErrUnexpectedEOF", i, body[:i], err)
		}
	}
}

// Ensure that AppendChunk and AppendLastChunk frame data as the decoder
// reads it, that empty data appends nothing, and that decoding does not
// allocate.
func TestAppendChunk(t *testing.T) {
	var b []byte
	b = AppendChunk(b, []byte("hello"))
	b = AppendChunk(b, nil)
	b = AppendChunk(b, bytes.Repeat([]byte("x"), 300))
	b = AppendLastChunk(b)
	want := "5\r\nhello\r\n12c\r\n" + strings.Repeat("x", 300) + "\r\n0\r\n\r\n"
	if string(b) != want {
		t.Fatalf("framed %q", b)
	}
	var c ChunkedReader
	rd := bytes.NewReader(b)
	br := bufio.NewReader(rd)
	p := make([]byte, 128)
	allocs := testing.AllocsPerRun(20, func() {
		rd.Reset(b)
		br.Reset(rd)
		c.Reset(br)
		for {
			if _, err := c.Read(p); err != nil {
				if err != io.EOF {
					t.Fatal(err)
				}
				return
			}
		}
	})
	if allocs != 0 {
		t.Fatalf("decoding allocates %v times", allocs)
	}
}
