package main

import (
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// Ensure that the CLI's list of policy keys (for help) is store.PolicyKeys.
func TestPolicyKeyList(t *testing.T) {
	if got, want := strings.Join(policyKeyList, ","), strings.Join(store.PolicyKeyNames(), ","); got != want {
		t.Fatalf("policyKeyList = %s\nstore has      %s", got, want)
	}
}

// Ensure that policy set, unset and show work through the daemon, that
// show names where each value comes from, and that a plan's keys sit
// under a tenant's overrides.
func TestPolicyCommands(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("tenant", "add", "acme")
	f.mustCLI("plan", "add", "free", "rate=10", "burst=20")
	out := f.mustCLI("policy", "set", "acme", "rate=50", "deny=10.0.0.0/8", "--plan", "free")
	if out != "policy of acme: plan free, overrides deny=10.0.0.0/8 rate=50\n" {
		t.Fatalf("policy set: %q", out)
	}
	show := f.mustCLI("policy", "show", "acme")
	if !strings.HasPrefix(show, "tenant acme, plan free\n") {
		t.Fatalf("policy show: %q", show)
	}
	for _, want := range []string{"rate  *50  *tenant", "burst  *20  *plan", "hsts  *true  *default"} {
		found := false
		for _, l := range strings.Split(show, "\n") {
			if matched(want, l) {
				found = true
			}
		}
		if !found {
			t.Errorf("policy show lacks %q:\n%s", want, show)
		}
	}
	f.mustCLI("policy", "unset", "acme", "rate")
	var p api.TenantPolicy
	f.mustJSON(&p, "policy", "show", "acme")
	if p.Plan != "free" || len(p.Overrides) != 1 || p.Overrides["deny"] != "10.0.0.0/8" {
		t.Fatalf("policy show --json: %+v", p)
	}
	for _, v := range p.Effective {
		if v.Key == "rate" && (v.Value != "10" || v.Source != "plan") {
			t.Fatalf("rate after unset: %+v", v)
		}
	}
	f.mustFail(`unknown policy key "colour"`, "policy", "set", "acme", "colour=blue")
	f.mustFail("rate", "policy", "set", "acme", "rate=fast")
	f.mustFail(`is not KEY=VALUE`, "policy", "set", "acme", "rate")
	f.mustFail(`plan "gold" not found`, "policy", "set", "acme", "--plan", "gold")
	f.mustFail(`tenant "nope" not found`, "policy", "show", "nope")
}

// matched reports whether line matches pattern, a tiny regexp of literal
// text and " *" (any run of spaces).
func matched(pattern, line string) bool {
	parts := strings.Split(pattern, "  *")
	rest := strings.TrimSpace(line)
	for i, p := range parts {
		if !strings.HasPrefix(rest, p) {
			return false
		}
		rest = rest[len(p):]
		if i < len(parts)-1 {
			trimmed := strings.TrimLeft(rest, " ")
			if len(trimmed) == len(rest) {
				return false
			}
			rest = trimmed
		}
	}
	return true
}

// Ensure that plans are added, changed, listed and that removing one is
// refused while a tenant is on it, naming the tenant.
func TestPlanCommands(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("tenant", "add", "acme")
	if out := f.mustCLI("plan", "add", "free", "rate=10"); out != "plan free added: rate=10\n" {
		t.Fatalf("plan add: %q", out)
	}
	f.mustFail(`plan "free" already exists`, "plan", "add", "free")
	f.mustFail("not a valid plan name", "plan", "add", "Free")
	f.mustCLI("policy", "set", "acme", "--plan", "free")
	if out := f.mustCLI("plan", "set", "free", "rate=20", "burst=40"); out != "plan free: burst=40 rate=20 (1 tenant(s))\n" {
		t.Fatalf("plan set: %q", out)
	}
	f.mustCLI("plan", "set", "free", "burst=")
	wantLines(t, f.mustCLI("plan", "list"), "PLAN  POLICY   TENANTS", "free  rate=20  acme")
	var ps []api.Plan
	f.mustJSON(&ps, "plan", "list")
	if len(ps) != 1 || ps[0].Policy["rate"] != "20" || len(ps[0].Tenants) != 1 {
		t.Fatalf("plan list --json: %+v", ps)
	}
	before := f.store.Revision()
	errOut := f.mustFail("plan free is used by 1 tenant(s): acme", "plan", "rm", "free")
	if !strings.Contains(errOut, "hint:") || f.store.Revision() != before {
		t.Fatalf("plan rm refused: %q, revision %d -> %d", errOut, before, f.store.Revision())
	}
	f.mustCLI("policy", "set", "acme", "--plan", "")
	if out := f.mustCLI("plan", "rm", "free"); out != "plan free removed\n" {
		t.Fatalf("plan rm: %q", out)
	}
}

// Ensure that an API key's token is printed once (stdout) with a warning
// (stderr), that only its hash is stored, that list never shows it, and
// that revoke removes it.
func TestAPIKeyCommands(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("tenant", "add", "acme")
	tok, errOut, code := f.cli("apikey", "create", "acme", "ci", "--expires", "720h")
	tok = strings.TrimSpace(tok)
	if code != 0 || !strings.HasPrefix(tok, "fy_") || !strings.Contains(errOut, "not shown again") {
		t.Fatalf("apikey create: %d %q %q", code, tok, errOut)
	}
	snap, err := f.store.Snapshot(t.Context())
	if err != nil || len(snap.APIKeys) != 1 || snap.APIKeys[0].Hash != store.HashAPIKey(tok) || snap.APIKeys[0].Expires.IsZero() {
		t.Fatalf("stored keys: %+v %v", snap.APIKeys, err)
	}
	f.mustFail("already has a key named ci", "apikey", "create", "acme", "ci")
	f.mustFail("expires must be a positive duration", "apikey", "create", "acme", "x", "--expires", "soon")
	list := f.mustCLI("apikey", "list", "acme")
	if !strings.Contains(list, "ci") || strings.Contains(list, tok) {
		t.Fatalf("apikey list: %q", list)
	}
	var ks []api.APIKey
	f.mustJSON(&ks, "apikey", "list", "acme")
	if len(ks) != 1 || ks[0].Name != "ci" || ks[0].ID != snap.APIKeys[0].ID {
		t.Fatalf("apikey list --json: %+v", ks)
	}
	if out := f.mustCLI("apikey", "revoke", "acme", "ci"); out != "API key ci of acme revoked\n" {
		t.Fatalf("apikey revoke: %q", out)
	}
	f.mustFail(`api key "ci" not found`, "apikey", "revoke", "acme", "ci")
	log, _ := f.store.AuditLog(t.Context(), 10, 0)
	for _, e := range log {
		for _, a := range e.Actions {
			if strings.Contains(a, tok) {
				t.Fatalf("the token is in the audit trail: %q", a)
			}
		}
	}
}
