package store

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestResolvePolicy(t *testing.T) {
	// Ensure that overrides beat the plan, the plan beats the defaults,
	// values parse into typed fields, and burst follows the rate when unset.
	plan := Policy{"rate": "2.5", "allow": "10.0.0.0/8, 192.0.2.7", "hsts": "false", "queue-timeout": "3s"}
	over := Policy{"hsts": "true", "request-headers-set": "x-plan:pro, X-Env : prod", "response-headers-remove": "server"}
	p, err := ResolvePolicy(plan, over)
	if err != nil {
		t.Fatal(err)
	}
	wantAllow := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	if p.Rate != 2.5 || p.Burst != 3 || !p.HSTS || p.QueueTimeout != 3*time.Second || len(p.Allow) != 2 ||
		p.Allow[0] != wantAllow[0] || p.Allow[1] != wantAllow[1] || p.APIKeys != APIKeysOff || p.MaintenanceMessage == "" {
		t.Fatalf("resolved %+v", p)
	}
	if len(p.RequestSet) != 2 || p.RequestSet[0] != (Header{"X-Plan", "pro"}) || p.RequestSet[1] != (Header{"X-Env", "prod"}) ||
		len(p.ResponseRemove) != 1 || p.ResponseRemove[0] != "Server" {
		t.Fatalf("header rules %+v %+v", p.RequestSet, p.ResponseRemove)
	}
	ex := ExplainPolicy(plan, over)
	got := map[string]string{}
	for _, v := range ex {
		got[v.Key] = v.Source
	}
	if len(ex) != len(PolicyKeys) || got["rate"] != SourcePlan || got["hsts"] != SourceTenant || got["deny"] != SourceDefault {
		t.Fatalf("explain %v", got)
	}
}

func TestAPIKeyToken(t *testing.T) {
	// Ensure that tokens are unique, carry their ID, and hash as stored.
	seen := map[string]bool{}
	for range 100 {
		tok, id, hash, err := NewAPIKeyToken()
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := APIKeyID(tok); !ok || got != id || !validKeyID(id) || hash != HashAPIKey(tok) || !validHash(hash) ||
			len(tok) != len("fy_")+8+1+39 || seen[tok] {
			t.Fatalf("token %q id %q hash %q", tok, id, hash)
		}
		seen[tok] = true
	}
	for _, bad := range []string{"", "fy_", "fy_abcdefgh", "fx_abcdefgh_x", "fy_ABCDEFGH_x", "fy_abcdefg1_x", "fy_abcdefghx_"} {
		if _, ok := APIKeyID(bad); ok {
			t.Errorf("APIKeyID(%q) accepted it", bad)
		}
	}
}

// FuzzPolicyValue checks that no value of any key panics, and that every
// accepted value also resolves.
func FuzzPolicyValue(f *testing.F) {
	for _, s := range []string{"0", "1.5", "-1", "NaN", "Inf", "1e309", "10.0.0.0/8,::1", "::ffff:10.0.0.1/104", "X-A:1,X-B:2",
		"x\x00y", "true", "required", "1s", strings.Repeat(",", 100), "fe80::1%eth0"} {
		for i := range PolicyKeys {
			f.Add(i, s)
		}
	}
	f.Fuzz(func(t *testing.T, i int, v string) {
		if i < 0 || i >= len(PolicyKeys) {
			return
		}
		p := Policy{PolicyKeys[i].Key: v}
		if p.Validate() != nil {
			return
		}
		if _, err := ResolvePolicy(nil, p); err != nil {
			t.Fatalf("%s=%q validates but does not resolve: %v", PolicyKeys[i].Key, v, err)
		}
	})
}
