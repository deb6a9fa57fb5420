package proxy

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/foyerhq/foyer/store"
)

// trace runs Trace for a GET of url with header pairs hdr from client ip.
func trace(t *testing.T, h *Handler, url, ip string, hdr ...string) TraceReport {
	t.Helper()
	hh := http.Header{}
	for i := 0; i+1 < len(hdr); i += 2 {
		hh.Add(hdr[i], hdr[i+1])
	}
	rep, err := h.Trace(context.Background(), TraceRequest{URL: url, Header: hh, ClientIP: ip})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// stepOf returns the report's step named name.
func stepOf(rep TraceReport, name string) TraceStep {
	for _, s := range rep.Steps {
		if s.Step == name {
			return s
		}
	}
	return TraceStep{}
}

func TestTraceIdentification(t *testing.T) {
	// Ensure that Trace names the rule that identified the tenant for each rule, checks proposed tenants' credentials, and sends nothing to a backend.
	a, bl := newBackend(t, "acme"), newBackend(t, "blue")
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {a.URL}, "blue": {bl.URL}}))
	tok, id, hash, _ := store.NewAPIKeyToken()
	secret := []byte("a-secret-of-at-least-thirty-two-bytes!!")
	f.change(func(tx store.Tx) error {
		if err := tx.AddDomain(&store.Domain{Name: "shop.acme.test", Tenant: "acme", State: store.DomainActive}); err != nil {
			return err
		}
		if err := tx.AddTenantAlias("acme", "www-acme"); err != nil {
			return err
		}
		if err := tx.SetTenantPolicy("acme", store.Policy{"id-path": "/t/acme", "id-header": "true"}); err != nil {
			return err
		}
		if err := tx.CreateAPIKey(&store.APIKey{ID: id, Tenant: "acme", Name: "ci", Hash: hash}); err != nil {
			return err
		}
		if err := tx.SetJWTKey(&store.JWTKey{Tenant: "blue", Kind: store.JWTKeySecret, Data: secret}); err != nil {
			return err
		}
		return tx.SetTenantPolicy("blue", store.Policy{"jwt": "on", "jwt-alg": "HS256"})
	})
	jt, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"tenant": "blue", "exp": f.clock().Add(time.Hour).Unix()}).SignedString(secret)
	for _, c := range []struct {
		name, url            string
		hdr                  []string
		tenant, rule, detail string
		status               int
	}{
		{"host", "http://shop.acme.test/x", nil, "acme", "host", "custom domain shop.acme.test", 0},
		{"slug", "http://ACME.example.test:8080/x", nil, "acme", "slug", "slug host acme.example.test", 0},
		{"alias", "http://www-acme.example.test/x", nil, "acme", "alias", "alias host www-acme.example.test", 0},
		{"path", "http://example.test/t/acme/x", nil, "acme", "path", "id-path /t/acme (stripped before forwarding)", 0},
		{"header with key", "http://example.test/", []string{"X-Tenant-ID", "acme", "X-API-Key", tok}, "acme", "header", "", 0},
		{"header without key", "http://example.test/", []string{"X-Tenant-ID", "acme"}, "acme", "header", "", 401},
		{"jwt", "http://example.test/", []string{"Authorization", "Bearer " + jt}, "blue", "jwt", "", 0},
		{"unknown host", "http://nope.test/", nil, "", "none", "", 404},
		{"https slug", "https://acme.example.test/", nil, "acme", "slug", "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := trace(t, f.h, c.url, "")
			if len(c.hdr) > 0 {
				rep = trace(t, f.h, c.url, "", c.hdr...)
			}
			if rep.Tenant != c.tenant || rep.Rule != c.rule || rep.Status != c.status {
				t.Fatalf("tenant %q rule %q status %d, want %q %q %d: %+v", rep.Tenant, rep.Rule, rep.Status, c.tenant, c.rule, c.status, rep)
			}
			if d := stepOf(rep, "identify").Detail; c.detail != "" && d != c.detail {
				t.Fatalf("identify detail %q, want %q", d, c.detail)
			}
			if c.status == 0 && rep.Pick == "" {
				t.Fatalf("no pick: %+v", rep)
			}
		})
	}
	if rep := trace(t, f.h, "http://example.test/", "", "X-Tenant-ID", "acme", "X-API-Key", tok); stepOf(rep, "authenticate").Detail != "API key ci" {
		t.Fatalf("authenticate: %+v", stepOf(rep, "authenticate"))
	}
	if rep := trace(t, f.h, "https://acme.example.test/", ""); stepOf(rep, "tls").Verdict != TracePass {
		t.Fatalf("tls step: %+v", rep.Steps)
	}
	if n := a.hits.Load() + bl.hits.Load(); n != 0 {
		t.Fatalf("tracing sent %d requests to backends", n)
	}
	if used := f.h.Policy().UsedKeys(); len(used) != 0 {
		t.Fatalf("tracing recorded API key use: %v", used)
	}
}

func TestTraceRefusals(t *testing.T) {
	// Ensure that Trace reports the check that would refuse with its status: suspended, IP denied, missing API key, rate limited.
	b := newBackend(t, "b")
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {b.URL}, "gone": {b.URL}}, "gone"))
	if rep := trace(t, f.h, "http://gone.example.test/", ""); rep.Status != 503 || stepOf(rep, "suspended").Verdict != TraceRefuse {
		t.Fatalf("suspended: %+v", rep)
	}
	f.change(setPolicy("acme", "deny", "10.0.0.0/8", "api-keys", "required"))
	rep := trace(t, f.h, "http://acme.example.test/", "10.1.2.3")
	if rep.Status != 403 || stepOf(rep, "ip").Verdict != TraceRefuse || stepOf(rep, "api-key").Status != 401 {
		t.Fatalf("IP denied: %+v", rep)
	}
	rep = trace(t, f.h, "http://acme.example.test/", "192.0.2.1")
	if rep.Status != 401 || stepOf(rep, "ip").Verdict != TracePass || stepOf(rep, "rate").Verdict != TraceOff {
		t.Fatalf("missing API key: %+v", rep)
	}
	f.change(setPolicy("acme", "rate", "1", "burst", "1", "api-keys", "", "deny", ""))
	srv := frontend(t, f.h)
	defer srv.Close()
	if resp, _ := do(t, srv, "GET", "acme.example.test"); resp.StatusCode != 200 {
		t.Fatalf("first request: %d", resp.StatusCode)
	}
	if rep := trace(t, f.h, "http://acme.example.test/", ""); rep.Status != 429 || stepOf(rep, "rate").Verdict != TraceRefuse {
		t.Fatalf("rate limited: %+v", rep)
	}
	if b.hits.Load() != 1 {
		t.Fatalf("backend hits %d, want 1 (the real request only)", b.hits.Load())
	}
}

func TestTraceTakesNoToken(t *testing.T) {
	// Ensure that tracing does not take rate-limit tokens: with exactly one token left, many traces later a real request still passes.
	b := newBackend(t, "b")
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {b.URL}}))
	f.change(setPolicy("acme", "rate", "1", "burst", "2", "ip-rate", "1", "ip-burst", "2", "max-in-flight", "1"))
	srv := frontend(t, f.h)
	defer srv.Close()
	if resp, _ := do(t, srv, "GET", "acme.example.test"); resp.StatusCode != 200 {
		t.Fatalf("first request: %d", resp.StatusCode)
	}
	for range 10 {
		rep := trace(t, f.h, "http://acme.example.test/", "127.0.0.1")
		if rep.Status != 0 {
			t.Fatalf("trace: %+v", rep)
		}
	}
	if s := stepOf(trace(t, f.h, "http://acme.example.test/", "127.0.0.1"), "rate"); s.Detail != "1.0 of 2 tokens" {
		t.Fatalf("rate step: %+v", s)
	}
	if resp, _ := do(t, srv, "GET", "acme.example.test"); resp.StatusCode != 200 {
		t.Fatalf("the real request after the traces: %d", resp.StatusCode)
	}
	if resp, _ := do(t, srv, "GET", "acme.example.test"); resp.StatusCode != 429 {
		t.Fatalf("the bucket should now be empty: %d", resp.StatusCode)
	}
	if running, _ := f.h.Policy().InFlight(f.h.Table().Tenants()[0].ID); running != 0 {
		t.Fatalf("slots held after traces: %d", running)
	}
}

func TestTraceKeepsRotation(t *testing.T) {
	// Ensure that a trace predicts round robin's next pick and does not move the rotation.
	b1, b2, b3 := newBackend(t, "b1"), newBackend(t, "b2"), newBackend(t, "b3")
	h := setup(t, tenants("example.test", map[string][]string{"acme": {b1.URL, b2.URL, b3.URL}}))
	srv := frontend(t, h)
	defer srv.Close()
	byURL := map[string]string{b1.URL: "b1", b2.URL: "b2", b3.URL: "b3"}
	for i := range 4 {
		rep := trace(t, h, "http://acme.example.test/", "")
		trace(t, h, "http://acme.example.test/", "")
		if !rep.Exact || rep.Algorithm != "round_robin" || len(rep.Backends) != 3 {
			t.Fatalf("report: %+v", rep)
		}
		_, body := get(t, srv, "acme.example.test", nil)
		if want := byURL[rep.Pick] + " /p"; body != want {
			t.Fatalf("request %d went to %q, trace predicted %q", i, body, want)
		}
	}
}
