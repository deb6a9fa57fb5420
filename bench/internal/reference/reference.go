// Package reference holds the two references bench/run.sh measures foyer against, shared by
// bench/backend, bench/bareproxy and bench/baretls so the HTTP and HTTPS rows compare the very
// same code: the backend's answer and a bare httputil.ReverseProxy.
package reference

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// MaxSize is the largest ?size= the backend answers.
const MaxSize = 16 << 20

var (
	hello     = []byte("hello, world\n")
	helloLen  = []string{strconv.Itoa(len(hello))}
	plainText = []string{"text/plain; charset=utf-8"}
	filler    = []byte(strings.Repeat("x", MaxSize))
)

// Backend answers every request with 200 and "hello, world\n", or with ?size=N bytes of 'x'
// (N <= MaxSize). Its headers are preset slices, so answering allocates next to nothing.
func Backend(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Content-Type"] = plainText
	if r.URL.RawQuery == "" {
		h["Content-Length"] = helloLen
		w.Write(hello)
		return
	}
	n, err := strconv.Atoi(r.URL.Query().Get("size"))
	if err != nil || n < 0 || n > MaxSize {
		http.Error(w, "size must be an integer in [0, 16777216]", http.StatusBadRequest)
		return
	}
	h["Content-Length"] = []string{strconv.Itoa(n)}
	w.Write(filler[:n])
}

// Proxy returns a bare httputil.ReverseProxy (Rewrite, SetURL, SetXForwarded) doing round robin
// over the comma-separated backend URLs, with a transport tuned for keep-alive load so the
// baseline is fair. It does nothing else.
func Proxy(backends string) (http.Handler, error) {
	var targets []*url.URL
	for _, s := range strings.Split(backends, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("bad backend %q: %v", s, err)
		}
		targets = append(targets, u)
	}
	var next atomic.Uint64 // round-robin cursor
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(targets[(next.Add(1)-1)%uint64(len(targets))])
			pr.SetXForwarded()
		},
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     90 * time.Second,
		},
	}, nil
}
