package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin"
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// Ensure that `foyer domain check` prints one line per check with ok or
// fail, what was found and the hint, then the domain's state.
func TestDomainCheckCommand(t *testing.T) {
	dir := shortTempDir(t)
	db, err := memstore.Open(t.Context(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(ctx context.Context, name string) (api.DomainCheck, error) {
		return api.DomainCheck{Resolver: "127.0.0.1:53", Verified: true, Checks: []api.CheckLine{
			{Name: "cname", OK: false, Detail: "no CNAME record", Hint: "set shop.acme.test CNAME acme.saas.test (or A/AAAA records to this box)"},
			{Name: "a", OK: true, Detail: "A 203.0.113.7"},
			{Name: "aaaa", OK: false, Detail: "stale AAAA 2001:db8::1: not this box", Hint: "remove the AAAA record"},
		}}, nil
	}
	sock := filepath.Join(dir, api.SocketName)
	srv, err := admin.New(admin.Options{Store: db, Socket: sock, CheckDomain: check})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := admin.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() { stopAdmin(t, srv, served, db) })
	f := &cliFixture{t: t, dir: dir, store: db}
	f.mustCLI("tenant", "add", "acme")
	f.mustCLI("domain", "add", "acme", "shop.acme.test")
	wantLines(t, f.mustCLI("domain", "check", "shop.acme.test"),
		"checking shop.acme.test (resolver 127.0.0.1:53)",
		"CHECK  RESULT  FOUND                                 HINT",
		"cname  fail    no CNAME record                       set shop.acme.test CNAME acme.saas.test (or A/AAAA records to this box)",
		"a      ok      A 203.0.113.7                         -",
		"aaaa   fail    stale AAAA 2001:db8::1: not this box  remove the AAAA record",
		"state: pending_dns (not checked yet)")
	f.mustFail("not found", "domain", "check", "nope.acme.test")
}
