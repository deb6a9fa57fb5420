package main

import (
	"slices"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that settings are listed with their description, read, changed
// in the store, and cleared with "".
func TestSettingsCommands(t *testing.T) {
	f := newCLIFixture(t)
	if out := f.mustCLI("settings", "set", "base-domain", "Example.TEST"); out != "base-domain set to \"example.test\"\n" {
		t.Fatalf("settings set: %q", out)
	}
	if out := f.mustCLI("settings", "get", "base-domain"); out != "example.test\n" {
		t.Fatalf("settings get: %q", out)
	}
	var s api.Setting
	f.mustJSON(&s, "settings", "get", "idle-timeout")
	if s.Key != "idle-timeout" || s.Value != "2m0s" || s.Doc == "" {
		t.Fatalf("settings get --json: %+v", s)
	}
	wantLines(t, f.mustCLI("settings", "list"),
		"base-domain                       example.test  tenants answer at <slug>.<base-domain>; empty turns that off",
		"trusted-proxies                   -             comma-separated CIDRs whose X-Forwarded-* headers are kept")
	var all []api.Setting
	f.mustJSON(&all, "settings", "list")
	if i := slices.IndexFunc(all, func(s api.Setting) bool { return s.Key == "base-domain" }); i < 0 || all[i].Value != "example.test" {
		t.Fatalf("settings list --json: %+v", all)
	}
	f.mustCLI("settings", "set", "base-domain", "")
	if s, err := f.store.Snapshot(t.Context()); err != nil || s.Settings.BaseDomain != "" {
		t.Fatalf("store base domain after clearing: %+v %v", s, err)
	}
	// A value that starts with dashes (a PEM root) is a value, not a flag.
	chain, _, _, err := demoCertificate([]string{"root.test"})
	if err != nil {
		t.Fatal(err)
	}
	f.mustCLI("settings", "set", "acme-roots", chain)
	if s, err := f.store.Snapshot(t.Context()); err != nil || s.Settings.ACMERoots != chain {
		t.Fatalf("acme-roots after set: %v", err)
	}
}

// Ensure that a refused setting names the key and says what to do.
func TestSettingsRefused(t *testing.T) {
	f := newCLIFixture(t)
	errOut := f.mustFail("settings.idle-timeout", "settings", "set", "idle-timeout", "forever")
	wantLines(t, errOut, "hint: use a Go duration such as 10s, 1m30s or 2h")
	f.mustFail("unknown setting", "settings", "get", "no-such-key")
}
