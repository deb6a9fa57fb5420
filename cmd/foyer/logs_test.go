package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin"
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// newObsFixture is newCLIFixture with logs (may be nil) as the server's
// access log.
func newObsFixture(t *testing.T, logs store.Logs) *cliFixture {
	t.Helper()
	dir := shortTempDir(t)
	db, err := memstore.Open(t.Context(), store.Options{})
	if err != nil {
		t.Fatalf("open memstore: %v", err)
	}
	sock := filepath.Join(dir, api.SocketName)
	srv, err := admin.New(admin.Options{Store: db, Socket: sock, Info: fixtureInfo(dir), Logs: logs,
		Now: func() time.Time { return fixtureStarted.Add(90 * time.Minute) }})
	if err != nil {
		t.Fatalf("admin.New: %v", err)
	}
	ln, err := admin.Listen(sock)
	if err != nil {
		t.Fatalf("admin.Listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() { stopAdmin(t, srv, served, db) })
	return &cliFixture{t: t, dir: dir, store: db}
}

// Ensure that `foyer logs` prints the stored records newest first as a
// table or JSON lines, passes its filters to the daemon, and says so
// plainly when the daemon has no access log.
func TestLogsCommand(t *testing.T) {
	logs := memstore.NewLogs()
	t.Cleanup(func() { _ = logs.Close() })
	f := newObsFixture(t, logs)
	now := fixtureStarted.Add(90 * time.Minute)
	rec := func(ago time.Duration, tenant string, status int, id string) store.LogRecord {
		return store.LogRecord{Time: now.Add(-ago), Tenant: tenant, RequestID: id, Method: "GET", Host: tenant + ".example",
			Path: "/p", Status: status, BytesIn: 12, BytesOut: 3400, Duration: 1500 * time.Microsecond, Outcome: store.OutcomeAllowed}
	}
	err := logs.AppendLogs(t.Context(), []store.LogRecord{rec(time.Hour, "acme", 502, "old"),
		rec(5*time.Minute, "acme", 503, "r1"), rec(4*time.Minute, "beta", 200, "r2"), rec(3*time.Minute, "acme", 200, "r3")})
	if err != nil {
		t.Fatal(err)
	}
	out := f.mustCLI("logs", "--tenant", "acme", "--status", "5xx", "--since", "10m")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "TIME") {
		t.Fatalf("logs --tenant acme --status 5xx --since 10m:\n%s", out)
	}
	wantLines(t, out, "2025-01-02 04:29:05.000Z  acme    503     GET     acme.example  /p    1.5ms     12  3400  allowed")

	out = f.mustCLI("logs", "--json", "--limit", "2")
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r api.LogRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("logs --json line %q: %v", l, err)
		}
		ids = append(ids, r.RequestID)
	}
	if strings.Join(ids, ",") != "r3,r2" {
		t.Errorf("logs --json --limit 2: request IDs %v, want r3,r2", ids)
	}
	f.mustFail("--limit must be at least 1", "logs", "--limit", "0")
	f.mustFail("not a status class", "logs", "--status", "5x")

	errOut := newObsFixture(t, nil).mustFail("access log not open", "logs")
	if !strings.Contains(errOut, "hint: ") {
		t.Errorf("logs without an access log: stderr %q has no hint", errOut)
	}
}
