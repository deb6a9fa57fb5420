package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin"
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// cliFixture is a real admin server (appliance/admin over a memstore) on
// admin.sock in a temporary data directory, and the CLI pointed at it
// with --data. The CLI runs in process through run, as main does.
type cliFixture struct {
	t     *testing.T
	dir   string
	store *store.DB
}

// fixtureStarted is the start time the fixture's server reports.
var fixtureStarted = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// newCLIFixture starts the admin server; its cleanup shuts it down and
// checks that it stopped cleanly.
func newCLIFixture(t *testing.T) *cliFixture {
	t.Helper()
	dir := shortTempDir(t)
	db, err := memstore.Open(t.Context(), store.Options{})
	if err != nil {
		t.Fatalf("open memstore: %v", err)
	}
	sock := filepath.Join(dir, api.SocketName)
	srv, err := admin.New(admin.Options{Store: db, Socket: sock, Info: fixtureInfo(dir),
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

// fixtureInfo is what an appliance would report about itself.
func fixtureInfo(dir string) func() admin.Info {
	return func() admin.Info {
		return admin.Info{Version: "v9.9.9", Commit: "abc1234", Started: fixtureStarted, DataDir: dir,
			Listeners: map[string]string{"http": "127.0.0.1:8080", "https": "127.0.0.1:8443"}}
	}
}

// stopAdmin shuts srv down and fails the test if Serve did not return nil.
func stopAdmin(t *testing.T, srv *admin.Server, served chan error, db *store.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("admin Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("admin Serve: %v", err)
	}
	db.Close()
}

// shortTempDir is a temporary directory with a short path: a unix
// socket's path must fit in about 100 bytes, and t.TempDir's may not.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "foyer-cli-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// cli runs foyer with --data pointing at the fixture.
func (f *cliFixture) cli(args ...string) (stdout, stderr string, code int) {
	return runCLI(append([]string{"--data", f.dir}, args...)...)
}

// mustCLI runs a command that has to succeed and returns its stdout.
func (f *cliFixture) mustCLI(args ...string) string {
	f.t.Helper()
	out, errOut, code := f.cli(args...)
	if code != 0 {
		f.t.Fatalf("foyer %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	if errOut != "" {
		f.t.Fatalf("foyer %s: stderr %q on success", strings.Join(args, " "), errOut)
	}
	return out
}

// mustJSON runs a read command with --json and decodes its stdout into v,
// refusing unknown fields so the output is the API's shape exactly.
func (f *cliFixture) mustJSON(v any, args ...string) {
	f.t.Helper()
	out := f.mustCLI(append(args, "--json")...)
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		f.t.Fatalf("foyer %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
	if !strings.HasPrefix(out, "{\n  ") && !strings.HasPrefix(out, "[\n  ") && out != "[]\n" {
		f.t.Fatalf("foyer %s --json is not indented:\n%s", strings.Join(args, " "), out)
	}
}

// mustFail runs a command that has to fail with exit code 1 and an error
// line containing want; it returns stderr.
func (f *cliFixture) mustFail(want string, args ...string) string {
	f.t.Helper()
	out, errOut, code := f.cli(args...)
	if code != 1 || !strings.HasPrefix(errOut, "error: ") || !strings.Contains(errOut, want) {
		f.t.Fatalf("foyer %s: exit %d, stderr %q; want exit 1 and an error containing %q (stdout %q)",
			strings.Join(args, " "), code, errOut, want, out)
	}
	return errOut
}

// runCLI runs foyer in process and returns what it printed and its exit code.
func runCLI(args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

// wantLines fails unless every one of lines is a whole line of out
// (trailing spaces trimmed).
func wantLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		have[strings.TrimRight(l, " ")] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("output lacks the line %q:\n%s", l, out)
		}
	}
}
