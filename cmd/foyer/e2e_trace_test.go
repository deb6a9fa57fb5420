package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

func TestE2ETrace(t *testing.T) {
	// Ensure that `foyer trace` explains identification, policy and the pick through the whole binary, sends nothing to a backend and validates -H.
	d := startDaemon(t, t.TempDir())
	var hits atomic.Int64
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	}))
	defer be.Close()
	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "acme")
	d.must("backend", "add", "acme", be.URL)
	d.must("policy", "set", "acme", "id-header=true", "rate=5", "burst=1")
	d.applied()

	out := d.must("trace", "http://acme.example.test/x")
	wantLines(t, out, "GET http://acme.example.test/x from 127.0.0.1 (host acme.example.test)")
	for _, want := range []string{"identify", "tenant acme by slug", "rate", "1.0 of 1 tokens", "pool default (round_robin):", "<- pick", "result: forwarded to " + be.URL} {
		if !strings.Contains(out, want) {
			t.Fatalf("trace output lacks %q:\n%s", want, out)
		}
	}
	var rep api.TraceReport
	d.mustJSON(&rep, "trace", "http://example.test/", "-H", "X-Tenant-ID: acme", "--from", "203.0.113.7")
	if rep.Tenant != "acme" || rep.Rule != "header" || rep.Status != 401 || rep.ClientIP != "203.0.113.7" {
		t.Fatalf("header without key: %+v", rep)
	}
	d.mustJSON(&rep, "trace", "http://nope.test/")
	if rep.Rule != "none" || rep.Status != 404 {
		t.Fatalf("unknown host: %+v", rep)
	}
	if _, errOut, code := d.run("trace", "http://acme.example.test/", "-H", "no-colon"); code == 0 || !strings.Contains(errOut, "Name: value") {
		t.Fatalf("a bad -H: %d %q", code, errOut)
	}
	if _, errOut, code := d.run("trace", "acme.example.test/"); code == 0 || !strings.Contains(errOut, "http://") {
		t.Fatalf("a URL without scheme: %d %q", code, errOut)
	}
	if hits.Load() != 0 {
		t.Fatalf("tracing sent %d requests to the backend", hits.Load())
	}
	if code, body := hostGet(t, http.DefaultClient, d.url("http")+"/", "acme.example.test"); code != 200 || body != "ok" {
		t.Fatalf("a real request after the traces (the one token is still there): %d %q", code, body)
	}
}
