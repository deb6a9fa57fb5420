package main

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Ensure that the real binary's HTTPS listener refuses TLS 1.1 and a CBC
// suite, negotiates TLS 1.3 with the hybrid key exchange by default and
// an AEAD suite over TLS 1.2, and sends HSTS on HTTPS answers by default
// (never over plain HTTP, and not once the tenant turns it off).
func TestE2ETLSParamsAndHSTS(t *testing.T) {
	d := startDaemon(t, shortTempDir(t))
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer backend.Close()
	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "acme")
	d.must("backend", "add", "acme", backend.URL)
	pool := importCert(t, d, "acme.example.test")
	d.applied()
	addr := d.status.Listeners["https"]
	handshake := func(cfg *tls.Config) (tls.ConnectionState, error) {
		cfg.ServerName, cfg.RootCAs = "acme.example.test", pool
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
		if err != nil {
			return tls.ConnectionState{}, err
		}
		defer c.Close()
		return c.ConnectionState(), nil
	}
	if _, err := handshake(&tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}); err == nil ||
		!strings.Contains(err.Error(), "protocol version") {
		t.Errorf("TLS 1.1 client: %v, want a protocol version alert", err)
	}
	for _, id := range []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA} {
		if _, err := handshake(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{id}}); err == nil {
			t.Errorf("%s accepted", tls.CipherSuiteName(id))
		}
	}
	st, err := handshake(&tls.Config{})
	if err != nil || st.Version != tls.VersionTLS13 || st.CurveID != tls.X25519MLKEM768 {
		t.Errorf("default client: %v, %s with %v; want TLS 1.3 with X25519MLKEM768", err, tls.VersionName(st.Version), st.CurveID)
	}
	st, err = handshake(&tls.Config{MaxVersion: tls.VersionTLS12})
	if err != nil || st.Version != tls.VersionTLS12 || !strings.Contains(tls.CipherSuiteName(st.CipherSuite), "ECDHE") ||
		strings.Contains(tls.CipherSuiteName(st.CipherSuite), "CBC") {
		t.Errorf("TLS 1.2 client: %v, %s", err, tls.CipherSuiteName(st.CipherSuite))
	}

	hsts := func(url string) string {
		t.Helper()
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "acme.example.test"}}}
		req, _ := http.NewRequest("GET", url, nil)
		req.Host = "acme.example.test"
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", url, resp.StatusCode)
		}
		return resp.Header.Get("Strict-Transport-Security")
	}
	if got := hsts(d.url("https") + "/"); got != "max-age=31536000" {
		t.Errorf("HSTS over HTTPS by default: %q, want max-age=31536000 (no includeSubDomains, no preload)", got)
	}
	if got := hsts(d.url("http") + "/"); got != "" {
		t.Errorf("HSTS over plain HTTP: %q, want none", got)
	}
	d.must("policy", "set", "acme", "hsts=false")
	d.applied()
	if got := hsts(d.url("https") + "/"); got != "" {
		t.Errorf("HSTS with hsts=false: %q, want none", got)
	}
}
