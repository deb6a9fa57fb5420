package main

import (
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that pool set changes only the flags given, pool list shows the
// settings, refusals name the field, and drain/undrain are stored.
func TestPoolCommands(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("tenant", "add", "acme")
	f.mustCLI("backend", "add", "acme", "http://127.0.0.1:9001")
	out := f.mustCLI("pool", "set", "acme", "default", "--algorithm", "header_hash", "--hash-key", "X-User", "--sticky")
	if out != "pool acme/default: header_hash(X-User), sticky\n" {
		t.Fatalf("pool set: %q", out)
	}
	f.mustCLI("pool", "set", "acme", "default", "--health-path", "/healthz", "--health-interval", "5s", "--max-fails", "3", "--slow-start", "30s")
	var ps []api.Pool
	f.mustJSON(&ps, "pool", "list", "acme")
	if len(ps) != 1 || ps[0].Algorithm != "header_hash" || ps[0].HashKey != "X-User" || !ps[0].Sticky ||
		ps[0].HealthPath != "/healthz" || ps[0].HealthInterval != "5s" || ps[0].MaxFails != 3 || ps[0].Cooldown != "10s" || ps[0].SlowStart != "30s" {
		t.Fatalf("pool list --json: %+v", ps)
	}
	wantLines(t, f.mustCLI("pool", "list", "acme"),
		"POOL     ALGORITHM            STICKY  HEALTH CHECK               EJECT         SLOW START",
		"default  header_hash(X-User)  true    /healthz every 5s 200-399  3 fails, 10s  30s")
	// A shorter interval pulls the default timeout (2s) down with it.
	f.mustCLI("pool", "set", "acme", "default", "--health-interval", "1s")
	f.mustCLI("pool", "set", "acme", "default", "--health-interval", "5s")
	f.mustFail("pool.health_timeout", "pool", "set", "acme", "default", "--health-timeout", "6s")
	f.mustFail("pool.algorithm", "pool", "set", "acme", "default", "--algorithm", "random")
	f.mustFail("pool.health_status", "pool", "set", "acme", "default", "--health-status", "500-200")
	f.mustFail("not found", "pool", "set", "nobody", "default", "--algorithm", "first")
	f.mustCLI("pool", "set", "acme", "api", "--algorithm", "first") // creates the pool

	if out := f.mustCLI("backend", "drain", "acme", "http://127.0.0.1:9001"); !strings.Contains(out, "drained") {
		t.Fatalf("drain: %q", out)
	}
	wantLines(t, f.mustCLI("backend", "list", "acme"), "default  http://127.0.0.1:9001  1       draining  -      -")
	f.mustCLI("backend", "undrain", "acme", "http://127.0.0.1:9001")
	if bs, _ := f.store.ListBackends(t.Context(), "acme"); len(bs) != 1 || bs[0].Drained {
		t.Fatalf("after undrain: %+v", bs)
	}
	f.mustFail("not found", "backend", "drain", "acme", "http://127.0.0.1:9009")
}
