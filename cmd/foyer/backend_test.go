package main

import (
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that backends are added to the default or a named pool with a
// weight, listed, and removed, each write confirmed and stored.
func TestBackendCommands(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("tenant", "add", "acme")
	if out := f.mustCLI("backend", "add", "acme", "http://127.0.0.1:9001"); out != "backend http://127.0.0.1:9001 added to acme/default\n" {
		t.Fatalf("backend add: %q", out)
	}
	if out := f.mustCLI("backend", "add", "acme", "http://127.0.0.1:9002", "--pool", "api", "--weight", "5"); out != "backend http://127.0.0.1:9002 added to acme/api (note: only the default pool gets traffic until path rules are built)\n" {
		t.Fatalf("backend add --pool: %q", out)
	}
	wantLines(t, f.mustCLI("backend", "list", "acme"),
		"POOL     URL                    WEIGHT  HEALTH   SINCE  LAST ERROR",
		"api      http://127.0.0.1:9002  5       unknown  -      -",
		"default  http://127.0.0.1:9001  1       unknown  -      -")
	f.mustFail("not found", "backend", "rm", "acme", "http://127.0.0.1:9002") // it is in pool api, not default
	if out := f.mustCLI("backend", "rm", "acme", "http://127.0.0.1:9002", "--pool", "api"); out != "backend http://127.0.0.1:9002 removed from acme/api\n" {
		t.Fatalf("backend rm: %q", out)
	}
	var bs []api.Backend
	f.mustJSON(&bs, "backend", "list", "acme")
	if len(bs) != 1 || bs[0].URL != "http://127.0.0.1:9001" || bs[0].Pool != "default" || bs[0].Weight != 1 {
		t.Fatalf("backend list --json: %+v", bs)
	}
	if stored, _ := f.store.ListBackends(t.Context(), "acme"); len(stored) != 1 {
		t.Fatalf("store backends: %+v", stored)
	}
}

// Ensure that a refused backend names the field at fault.
func TestBackendRefused(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("tenant", "add", "acme")
	f.mustFail("backend.url", "backend", "add", "acme", "ftp://127.0.0.1:21")
	f.mustFail("backend.weight", "backend", "add", "acme", "http://127.0.0.1:8", "--weight", "5000")
	f.mustFail("not found", "backend", "list", "nobody")
}
