package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// policyGet sends GET / for host with optional headers (name, value...)
// and returns the answer with its body read.
func policyGet(t *testing.T, d *daemon, host string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", d.url("http")+"/", nil)
	req.Host = host
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// Ensure, against the real binary, that an API key made by the CLI is
// required and accepted, that a rate limit from a plan answers 429 with its
// headers, that a plan change applies live to every tenant on it, and
// that keys' last use is flushed on stop without a revision or audit entry.
func TestE2ETrafficPolicy(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.Header.Get("X-Foyer-Tenant"))
	}))
	defer be.Close()
	d.must("settings", "set", "base-domain", "example.test")
	for _, slug := range []string{"acme", "beta"} {
		d.must("tenant", "add", slug)
		d.must("backend", "add", slug, be.URL)
	}

	tok, errOut, code := d.run("apikey", "create", "acme", "ci", "--expires", "720h")
	tok = strings.TrimSpace(tok)
	if code != 0 || !strings.HasPrefix(tok, "fy_") || !strings.Contains(errOut, "not shown again") {
		t.Fatalf("apikey create: %d %q %q", code, tok, errOut)
	}
	d.must("policy", "set", "acme", "api-keys=required")
	d.applied()
	if resp, _ := policyGet(t, d, "acme.example.test"); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("without a key: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, body := policyGet(t, d, "acme.example.test", "Authorization", "Bearer "+tok); resp.StatusCode != 200 || body != "hello acme" {
		t.Fatalf("with the key: %d %q", resp.StatusCode, body)
	}

	d.must("plan", "add", "free", "rate=0.001", "burst=2")
	d.must("policy", "set", "beta", "--plan", "free")
	d.applied()
	for i := range 2 {
		if resp, _ := policyGet(t, d, "beta.example.test"); resp.StatusCode != 200 {
			t.Fatalf("beta request %d within the burst: %d", i, resp.StatusCode)
		}
	}
	resp, body := policyGet(t, d, "beta.example.test")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || resp.Header.Get("RateLimit-Limit") != "2" ||
		resp.Header.Get("RateLimit-Remaining") != "0" || resp.Header.Get("RateLimit-Reset") == "" || !strings.Contains(body, "too many requests") {
		t.Fatalf("beta over its rate: %d %v %q", resp.StatusCode, resp.Header, body)
	}

	d.must("policy", "set", "acme", "--plan", "free", "rate=0", "api-keys=off")
	d.must("plan", "set", "free", "maintenance=true", "maintenance-message=back at noon")
	d.applied()
	for _, host := range []string{"acme.example.test", "beta.example.test"} {
		if resp, body := policyGet(t, d, host); resp.StatusCode != 503 || !strings.Contains(body, "back at noon") {
			t.Fatalf("%s after the plan change: %d %q", host, resp.StatusCode, body)
		}
	}
	d.must("plan", "set", "free", "maintenance=")
	d.applied()
	if resp, _ := policyGet(t, d, "acme.example.test"); resp.StatusCode != 200 {
		t.Fatalf("acme after maintenance ended (its rate=0 override wins): %d", resp.StatusCode)
	}
	if _, errOut, code := d.run("plan", "rm", "free"); code != 1 || !strings.Contains(errOut, "acme, beta") {
		t.Fatalf("plan rm while used: %d %q", code, errOut)
	}

	var before api.Status
	d.mustJSON(&before, "status")
	audit := d.must("audit", "--json")
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	d2 := startDaemon(t, dir)
	var ks []api.APIKey
	d2.mustJSON(&ks, "apikey", "list", "acme")
	if len(ks) != 1 || ks[0].LastUsed.IsZero() {
		t.Fatalf("keys after a stop: %+v; want last use recorded", ks)
	}
	var after api.Status
	d2.mustJSON(&after, "status")
	if after.Revision != before.Revision || d2.must("audit", "--json") != audit {
		t.Fatalf("the last-use flush changed the revision (%d -> %d) or the audit trail", before.Revision, after.Revision)
	}
}
