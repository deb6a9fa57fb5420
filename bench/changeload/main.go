// Command changeload is the load generator of bench/run.sh's config-change phase. It sends GET
// requests at a steady total -rate over keep-alive connections, rotating the Host (and, over
// HTTPS, the SNI) over the tenants t0.test .. t<n-1>.test, for -duration, and counts every request
// exactly: a request fails when it gets a connection or protocol error, a timeout, or a status
// outside 2xx. It prints one summary line on stdout,
//
//	requests=N ok=N failed=N non2xx=N errors=N retried=N max_ms=N
//
// where max_ms is the slowest request's time (a reload that stalls without failing shows there)
// and retried counts the requests Go's client sent twice: a GET whose reused keep-alive connection
// the server closed before answering is retried on a new connection without a word to the caller,
// so it does not fail here, but a client that does not retry (wrk, most non-browser clients) would
// have seen an error.
// and, on stderr, the failures' first and last time (seconds from the start) and a few samples.
// It only ever dials -addr (a 127.0.0.1 address); host names are never resolved.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"sort"
	"sync"
	"time"
)

// tally counts outcomes; mu guards every field.
type tally struct {
	mu          sync.Mutex
	requests    int
	ok          int
	non2xx      int
	errors      int
	retried     int
	first, last time.Duration
	max         time.Duration // slowest request
	samples     map[string]int
}

func (t *tally) add(at, took time.Duration, conns, status int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests++
	if conns > 1 {
		t.retried++
	}
	t.max = max(t.max, took)
	var what string
	switch {
	case err != nil:
		t.errors++
		what = err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			what = ue.Err.Error() // without the URL, so one cause is one sample
		}
	case status < 200 || status > 299:
		t.non2xx++
		what = fmt.Sprintf("status %d", status)
	default:
		t.ok++
		return
	}
	if t.non2xx+t.errors == 1 {
		t.first = at
	}
	t.last = at
	if len(t.samples) < 10 || t.samples[what] > 0 {
		t.samples[what]++
	}
}

func main() {
	addr := flag.String("addr", "", "the proxy's 127.0.0.1:PORT (required)")
	scheme := flag.String("scheme", "http", "http or https")
	caFile := flag.String("ca", "", "PEM CA to verify the proxy's certificates with (https; empty: no verification)")
	tenants := flag.Int("tenants", 100, "rotate over t0.test .. t<n-1>.test")
	rate := flag.Float64("rate", 500, "requests per second in total (1 to 20000)")
	conns := flag.Int("conns", 20, "concurrent senders, each pacing rate/conns (1 to 500)")
	duration := flag.Duration("duration", 10*time.Second, "how long to send (at most 5m)")
	timeout := flag.Duration("timeout", 5*time.Second, "time limit of one request")
	flag.Parse()
	if *addr == "" || (*scheme != "http" && *scheme != "https") || *rate < 1 || *rate > 20000 ||
		*conns < 1 || *conns > 500 || *duration <= 0 || *duration > 5*time.Minute || *tenants < 1 {
		flag.Usage()
		os.Exit(2)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || net.ParseIP(host) == nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("changeload: -addr %q must be a loopback IP:PORT", *addr)
	}
	client := &http.Client{Transport: transport(*addr, *caFile, *conns), Timeout: *timeout}
	t := &tally{samples: map[string]int{}}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	start := time.Now()
	every := time.Duration(float64(time.Second) * float64(*conns) / *rate)
	var wg sync.WaitGroup
	for w := 0; w < *conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			send(ctx, client, t, start, every, w, *conns, *tenants, *scheme, *addr)
		}(w)
	}
	wg.Wait()
	report(t)
}

// send is one sender: every interval, a GET to the next tenant of its share, until ctx ends.
func send(ctx context.Context, c *http.Client, t *tally, start time.Time, every time.Duration,
	w, conns, tenants int, scheme, addr string) {
	_, port, _ := net.SplitHostPort(addr)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := w; ; i += conns {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		u := fmt.Sprintf("%s://t%d.test:%s/", scheme, i%tenants, port)
		conns := 0 // connections the request was sent on: more than one is a retry
		trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { conns++ }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			http.MethodGet, u, nil)
		sent := time.Now()
		resp, err := c.Do(req)
		status := 0
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
		}
		t.add(time.Since(start), time.Since(sent), conns, status, err)
	}
}

// transport dials addr whatever the URL's host (so tN.test needs no resolver) and, over HTTPS,
// sends the URL's host as SNI; connections are kept alive per host.
func transport(addr, caFile string, conns int) *http.Transport {
	tc := &tls.Config{InsecureSkipVerify: true}
	if caFile != "" {
		pemData, err := os.ReadFile(caFile)
		if err != nil {
			log.Fatalf("changeload: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			log.Fatalf("changeload: no certificate in %s", caFile)
		}
		tc = &tls.Config{RootCAs: pool}
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		TLSClientConfig:     tc,
		MaxIdleConns:        conns * 100,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
	}
}

// report prints the summary line and the failures.
func report(t *tally) {
	t.mu.Lock()
	defer t.mu.Unlock()
	failed := t.non2xx + t.errors
	fmt.Printf("requests=%d ok=%d failed=%d non2xx=%d errors=%d retried=%d max_ms=%.0f\n",
		t.requests, t.ok, failed, t.non2xx, t.errors, t.retried, float64(t.max)/float64(time.Millisecond))
	if failed == 0 {
		return
	}
	fmt.Fprintf(os.Stderr, "failures from %.2fs to %.2fs after the start\n", t.first.Seconds(), t.last.Seconds())
	keys := make([]string, 0, len(t.samples))
	for k := range t.samples {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return t.samples[keys[i]] > t.samples[keys[j]] })
	for _, k := range keys {
		fmt.Fprintf(os.Stderr, "  %6d x %s\n", t.samples[k], k)
	}
}
