// Command baretls is the HTTPS reference of bench/run.sh. With -backends it is bareproxy over TLS:
// a bare httputil.ReverseProxy (Rewrite, SetURL, SetXForwarded, round robin) with the same
// transport as bench/bareproxy. Without -backends it answers itself like bench/backend ("hello,
// world\n", or ?size=N bytes), the ceiling of the HTTPS rows. Either way it serves the HOST.crt /
// HOST.key pairs of -certs (from bench/certgen), chosen by SNI from a map, over HTTP/1.1 and HTTP/2.
package main

import (
	"crypto/tls"
	"flag"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

const maxSize = 16 << 20

var (
	hello  = []byte("hello, world\n")
	filler = []byte(strings.Repeat("x", maxSize))
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9443", "address to listen on")
	certs := flag.String("certs", "certs", "directory of HOST.crt and HOST.key pairs")
	backends := flag.String("backends", "", "comma-separated backend URLs (empty: answer directly)")
	flag.Parse()

	byName, err := loadCerts(*certs)
	if err != nil {
		log.Fatalf("baretls: %v", err)
	}
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			return byName[strings.ToLower(hello.ServerName)], nil
		},
	}
	var h http.Handler = http.HandlerFunc(direct)
	if *backends != "" {
		h = proxy(*backends)
	}
	srv := &http.Server{Handler: h, TLSConfig: cfg, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("baretls: %v", err)
	}
	log.Fatal(srv.ServeTLS(ln, "", ""))
}

// loadCerts reads every HOST.crt with its HOST.key in dir, keyed by HOST.
func loadCerts(dir string) (map[string]*tls.Certificate, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.crt"))
	if err != nil {
		return nil, err
	}
	m := make(map[string]*tls.Certificate, len(files))
	for _, f := range files {
		host := strings.TrimSuffix(filepath.Base(f), ".crt")
		if host == "ca" {
			continue
		}
		c, err := tls.LoadX509KeyPair(f, strings.TrimSuffix(f, ".crt")+".key")
		if err != nil {
			return nil, err
		}
		m[host] = &c
	}
	if len(m) == 0 {
		return nil, os.ErrNotExist
	}
	return m, nil
}

// proxy returns a round-robin httputil.ReverseProxy over the comma-separated backend URLs.
func proxy(backends string) http.Handler {
	var targets []*url.URL
	for _, s := range strings.Split(backends, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" {
			log.Fatalf("baretls: bad backend %q: %v", s, err)
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
	}
}

// direct answers like bench/backend: the fixed body, or ?size=N bytes.
func direct(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if r.URL.RawQuery == "" {
		w.Header().Set("Content-Length", strconv.Itoa(len(hello)))
		w.Write(hello)
		return
	}
	n, err := strconv.Atoi(r.URL.Query().Get("size"))
	if err != nil || n < 0 || n > maxSize {
		http.Error(w, "size must be an integer in [0, 16777216]", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(n))
	w.Write(filler[:n])
}
