package main

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that, against a running daemon, `foyer stats` shows the tenants
// that had traffic with their numbers (table, --tenant and --json) and
// that the ops listener's /metrics counts the same requests.
func TestE2EStats(t *testing.T) {
	d := startDaemon(t, shortTempDir(t))
	lnA, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	be := namedServer(t, lnA, "a")
	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "acme")
	d.must("tenant", "add", "idle")
	d.must("backend", "add", "acme", be.URL)
	d.applied()
	c := &http.Client{Timeout: 5 * time.Second}
	for range 5 {
		if code, _ := hostGet(t, c, d.url("http")+"/", "acme.example.test"); code != 200 {
			t.Fatalf("status %d, want 200", code)
		}
	}
	var st api.Stats
	deadline := time.Now().Add(5 * time.Second) // the daemon publishes once a second
	for {
		d.mustJSON(&st, "stats", "--json")
		if len(st.Tenants) == 1 && st.Tenants[0].Requests == 5 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(st.Tenants) != 1 || st.Tenants[0].Tenant != "acme" || st.Tenants[0].Requests != 5 || st.Tenants[0].Status[2] != 5 {
		t.Fatalf("stats --json: %+v, want acme alone with 5 requests answered 2xx", st)
	}
	if out := d.must("stats"); !strings.Contains(out, "TENANT") || !strings.Contains(out, "acme") || strings.Contains(out, "idle") {
		t.Errorf("stats table:\n%s", out)
	}
	out := d.must("stats", "--tenant", "acme")
	for _, want := range []string{"5  (1xx 0, 2xx 5", be.URL} {
		if !strings.Contains(out, want) {
			t.Errorf("stats --tenant acme lacks %q:\n%s", want, out)
		}
	}
	if out := d.must("stats", "--tenant", "idle"); !strings.Contains(out, "no traffic") {
		t.Errorf("stats --tenant idle:\n%s", out)
	}
	_, body := hostGet(t, c, d.url("ops")+"/metrics", "")
	if !strings.Contains(body, `foyer_http_requests_total{tenant="acme",code_class="2xx"} 5`) {
		t.Errorf("/metrics lacks acme's 5 requests:\n%.2000s", body)
	}
}
