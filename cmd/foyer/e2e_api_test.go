package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// apiClient calls the daemon's HTTPS API as a SaaS would: plain net/http,
// the exported internal-CA root as the only trusted root, URLs naming
// the api-host; every connection goes to the listener on 127.0.0.1.
type apiClient struct {
	t    *testing.T
	hc   *http.Client
	base string // https://api-host:port
}

func newAPIClient(t *testing.T, rootPEM, host, addr string) *apiClient {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(rootPEM)) {
		t.Fatalf("foyer ca export-root printed no certificate:\n%s", rootPEM)
	}
	_, port, _ := net.SplitHostPort(addr)
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &apiClient{t: t, hc: &http.Client{Transport: tr, Timeout: 20 * time.Second}, base: "https://" + host + ":" + port}
}

// call sends method path with a JSON body (or none) and the bearer token,
// and returns the status, the answer's headers and its body.
func (c *apiClient) call(token, method, path, body string) (int, http.Header, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// Ensure that a SaaS can onboard a customer's domain over the HTTPS API
// with a tenant token: the listener comes up live on api-listen with an
// internal-CA certificate for api-host, the token adds a domain, polls its
// status and removes it; another tenant's domain is 403; the audit names
// the token; a revoked token is 401.
func TestHTTPSAPIOnboarding(t *testing.T) {
	d := startDaemon(t, t.TempDir())
	d.must("settings", "set", "internal-ca", "on")
	d.must("settings", "set", "api-host", "api.saas.test")
	d.must("tenant", "add", "acme")
	d.must("tenant", "add", "beta")
	d.must("domain", "add", "beta", "shop.beta.test")
	d.must("settings", "set", "api-listen", "127.0.0.1:0")
	var addr string
	deadline := time.Now().Add(10 * time.Second)
	for addr == "" {
		var st api.Status
		d.mustJSON(&st, "status")
		addr = st.Listeners["api"]
		if addr == "" && time.Now().After(deadline) {
			t.Fatalf("no api listener in status: %v", st.Listeners)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out := d.must("status"); !strings.Contains(out, "api "+addr) {
		t.Errorf("foyer status does not show the api listener %s:\n%s", addr, out)
	}

	tokOut, tokErr, code := d.run("token", "create", "acme-dash", "--role", "tenant:acme")
	tok := strings.TrimSpace(tokOut)
	if code != 0 || !strings.HasPrefix(tok, "fyt_") || !strings.Contains(tokErr, "cannot be shown again") {
		t.Fatalf("token create: exit %d, stdout %q, stderr %q", code, tokOut, tokErr)
	}
	c := newAPIClient(t, d.must("ca", "export-root"), "api.saas.test", addr)

	// 1. Add the customer's domain.
	code, _, body := c.call(tok, "POST", "/v1/tenants/acme/domains", `{"name":"shop.customer.test"}`)
	var dom api.Domain
	if code != http.StatusCreated || json.Unmarshal([]byte(body), &dom) != nil || dom.Setup == nil || dom.Setup.TXTName != "_foyer-challenge.shop.customer.test" {
		t.Fatalf("add domain: %d %s", code, body)
	}
	// 2. Poll its status.
	code, _, body = c.call(tok, "GET", "/v1/domains/shop.customer.test", "")
	if code != http.StatusOK || json.Unmarshal([]byte(body), &dom) != nil || dom.State != "pending_dns" || dom.Tenant != "acme" {
		t.Fatalf("poll domain: %d %s", code, body)
	}
	// Another tenant's domain, and another tenant's routes: 403.
	for _, p := range [][2]string{{"GET", "/v1/domains/shop.beta.test"}, {"DELETE", "/v1/domains/shop.beta.test"}, {"GET", "/v1/tenants/beta"}, {"GET", "/v1/tenants"}} {
		if code, _, body := c.call(tok, p[0], p[1], ""); code != http.StatusForbidden || !strings.Contains(body, "limited to tenant acme") {
			t.Errorf("%s %s with acme's token: %d %s, want 403", p[0], p[1], code, body)
		}
	}
	// 3. Remove it.
	if code, _, body := c.call(tok, "DELETE", "/v1/domains/shop.customer.test", ""); code != http.StatusNoContent {
		t.Fatalf("remove domain: %d %s", code, body)
	}

	var page api.List[api.AuditEntry]
	d.mustJSON(&page, "audit")
	entries := page.Items
	var byToken int
	for _, e := range entries {
		if strings.Contains(strings.Join(e.Actions, " "), tok[strings.LastIndexByte(tok, '_')+1:]) {
			t.Fatalf("the audit holds the token's secret: %+v", e)
		}
		if e.Actor == "token acme-dash via https-api" {
			byToken++
		}
	}
	if byToken != 2 {
		t.Errorf("audit has %d entries by token acme-dash via https-api, want 2 (add, remove):\n%+v", byToken, entries)
	}
	var toks []api.APIToken
	d.mustJSON(&toks, "token", "list")
	if len(toks) != 1 || toks[0].Name != "acme-dash" || toks[0].Role != "tenant:acme" || toks[0].LastUsed.IsZero() {
		t.Errorf("token list: %+v, want acme-dash used", toks)
	}

	d.must("token", "revoke", "acme-dash")
	code, hdr, body := c.call(tok, "GET", "/v1/tenants/acme", "")
	if code != http.StatusUnauthorized || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("revoked token: %d (WWW-Authenticate %q) %s, want 401", code, hdr.Get("WWW-Authenticate"), body)
	}
}
