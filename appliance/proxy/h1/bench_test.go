package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// browserGET is a typical browser GET: about 400 bytes, 10 headers.
const browserGET = "GET /products/item-42?ref=home&utm=x HTTP/1.1\r\n" +
	"Host: shop.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Connection: keep-alive\r\n" +
	"Referer: https://shop.example.com/\r\n" +
	"Cookie: session=3f9a1c2b7d; theme=dark\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"\r\n"

// browserResponse is a typical small response head.
const browserResponse = "HTTP/1.1 200 OK\r\n" +
	"Date: Fri, 27 Nov 2026 07:00:00 GMT\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Length: 5120\r\n" +
	"Cache-Control: private, max-age=0\r\n" +
	"Vary: Accept-Encoding\r\n" +
	"Set-Cookie: session=3f9a1c2b7d; Path=/; HttpOnly\r\n" +
	"Server: app\r\n" +
	"\r\n"

// Ensure that the benchmark's request is the shape it claims to be.
func TestBrowserGETShape(t *testing.T) {
	var r Request
	if err := ParseRequest([]byte(browserGET), Limits{MaxHeadBytes: 8192, MaxHeaders: 100, MaxURIBytes: 4096}, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Fields) != 10 || len(browserGET) < 380 || len(browserGET) > 460 {
		t.Fatalf("%d fields, %d bytes", len(r.Fields), len(browserGET))
	}
}

// BenchmarkParseRequest parses a browser-like GET with the limits the
// engine would use.
func BenchmarkParseRequest(b *testing.B) {
	buf := []byte(browserGET)
	lim := Limits{MaxHeadBytes: 8192, MaxHeaders: 100, MaxURIBytes: 4096}
	var r Request
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ParseRequest(buf, lim, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseResponse parses a small response head.
func BenchmarkParseResponse(b *testing.B) {
	buf := []byte(browserResponse)
	lim := Limits{MaxHeadBytes: 8192, MaxHeaders: 100}
	var r Response
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ParseResponse(buf, lim, false, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChunkedReader decodes a 64 KiB body sent as 16 chunks of
// 4 KiB, through a reused bufio.Reader, into a 32 KiB buffer.
func BenchmarkChunkedReader(b *testing.B) {
	var body []byte
	chunk := bytes.Repeat([]byte("x"), 4096)
	for range 16 {
		body = AppendChunk(body, chunk)
	}
	body = AppendLastChunk(body)
	rd := bytes.NewReader(body)
	br := bufio.NewReaderSize(rd, 16<<10)
	p := make([]byte, 32<<10)
	var c ChunkedReader
	b.SetBytes(16 * 4096)
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		br.Reset(rd)
		c.Reset(br)
		for {
			_, err := c.Read(p)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkNetHTTPReadRequest is the same request through net/http's
// parser, for comparison with BenchmarkParseRequest.
func BenchmarkNetHTTPReadRequest(b *testing.B) {
	rd := strings.NewReader(browserGET)
	br := bufio.NewReader(rd)
	b.SetBytes(int64(len(browserGET)))
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(browserGET)
		br.Reset(rd)
		if _, err := http.ReadRequest(br); err != nil {
			b.Fatal(err)
		}
	}
}
