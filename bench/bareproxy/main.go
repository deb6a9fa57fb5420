// Command bareproxy is the reference that bench/run.sh measures foyer against: a bare
// httputil.ReverseProxy (Rewrite, SetURL, SetXForwarded) doing round robin over -backends, with a
// transport tuned for keep-alive load so the baseline is fair. It does nothing else.
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9100", "address to listen on")
	backends := flag.String("backends", "http://127.0.0.1:9001", "comma-separated backend URLs")
	flag.Parse()

	var targets []*url.URL
	for _, s := range strings.Split(*backends, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" {
			log.Fatalf("bad backend %q: %v", s, err)
		}
		targets = append(targets, u)
	}

	var next atomic.Uint64 // round-robin cursor
	rp := &httputil.ReverseProxy{
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
	}
	srv := &http.Server{Addr: *addr, Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
