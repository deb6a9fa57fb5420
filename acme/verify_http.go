package acme

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// SelfTestPath is where foyer's HTTP listener answers the self-test:
// GET /.well-known/foyer/<token> returns the process's nonce.
const SelfTestPath = "/.well-known/foyer/"

// SelfTest answers the HTTP self-test with a nonce drawn once per
// process, so a check can tell this foyer from a CDN or another server.
type SelfTest struct{ nonce string }

// NewSelfTest draws a fresh nonce.
func NewSelfTest() *SelfTest { return &SelfTest{nonce: rand.Text()} }

// Nonce is what the self-test path answers.
func (s *SelfTest) Nonce() string { return s.nonce }

// Wrap answers the self-test path before routing and passes every other
// request to next.
func (s *SelfTest) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, SelfTestPath) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Cache-Control", "no-store")
			io.WriteString(w, s.nonce)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkHTTP fetches http://DOMAIN:PORT/.well-known/foyer/<token> from
// the addresses DNS gave and checks this foyer answered.
func checkHTTP(ctx context.Context, in VerifyInput, addrs []netip.Addr) Check {
	c := Check{Name: "http"}
	port := in.HTTPPort
	if port == 0 {
		port = 80
	}
	u := "http://" + in.Domain + SelfTestPath + in.Token
	if port != 80 {
		u = "http://" + net.JoinHostPort(in.Domain, strconv.Itoa(port)) + SelfTestPath + in.Token
	}
	if len(addrs) == 0 {
		c.Detail, c.Hint = "GET "+u+": no address to connect to", "point the domain here first"
		return c
	}
	tr := &http.Transport{DisableKeepAlives: true, Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			d := net.Dialer{Timeout: in.Timeout}
			return d.DialContext(ctx, network, net.JoinHostPort(addrs[0].String(), strconv.Itoa(port)))
		}}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: in.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	resp, err := hc.Do(req)
	if err != nil {
		c.Detail, c.Hint = "GET "+u+": "+err.Error(), fmt.Sprintf("port %d of %s must reach foyer's HTTP listener", port, addrs[0])
		return c
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK || string(body) != in.Nonce {
		c.Detail = fmt.Sprintf("GET %s: %s from another server", u, resp.Status)
		c.Hint = "something else answers for the domain (a CDN proxy, an old server): point it straight at this box"
		return c
	}
	c.OK, c.Detail = true, "GET "+u+" reached this foyer"
	return c
}
