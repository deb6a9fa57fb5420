package main

import (
	"bytes"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that status shows version, uptime, listeners, revisions and
// counts, and that --json is the API's Status.
func TestStatusCommand(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("tenant", "add", "acme")
	f.mustCLI("backend", "add", "acme", "http://127.0.0.1:9001")
	wantLines(t, f.mustCLI("status"),
		"version    v9.9.9 (commit abc1234)",
		"uptime     1h30m0s",
		"data       "+f.dir,
		"listeners  http 127.0.0.1:8080, https 127.0.0.1:8443",
		"revision   2 (route table at 0)",
		"tenants    1",
		"backends   1",
		"domains    0",
		"certs      0")
	var s api.Status
	f.mustJSON(&s, "status")
	if s.Version != "v9.9.9" || s.Revision != 2 || s.Counts.Tenants != 1 || s.Listeners["http"] != "127.0.0.1:8080" {
		t.Fatalf("status --json: %+v", s)
	}
}

// Ensure that the revision line says whether the route table is current,
// and that a table-build error gets its own line.
func TestStatusRevisionAndTableError(t *testing.T) {
	cases := []struct {
		s    api.Status
		want string
	}{
		{api.Status{Revision: 7, TableRevision: 7}, "7 (route table up to date)"},
		{api.Status{Revision: 8, TableRevision: 7}, "8 (route table at 7)"},
	}
	for _, c := range cases {
		if got := revisionLine(c.s); got != c.want {
			t.Errorf("revisionLine(%d, %d) = %q, want %q", c.s.Revision, c.s.TableRevision, got, c.want)
		}
	}
	cmd := newStatusCmd()
	var b bytes.Buffer
	cmd.SetOut(&b)
	if err := printStatus(cmd, api.Status{Revision: 8, TableRevision: 7, TableError: "tenant acme: no backend"}); err != nil {
		t.Fatal(err)
	}
	wantLines(t, b.String(), "table error  tenant acme: no backend", "uptime       -", "listeners    -")
}
