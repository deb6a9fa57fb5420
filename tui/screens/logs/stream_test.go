package logs_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/screens/logs"
)

// The stream's test runs the real daemon: the foyer binary on loopback
// ports and a temporary data directory, a real backend, real requests.

// startDaemon builds foyer, runs foyer serve and waits until it answers;
// it returns the client and the proxy's HTTP address.
func startDaemon(t *testing.T) (*api.Client, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the foyer binary; skipped in -short mode")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "foyer")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/foyerhq/foyer/cmd/foyer").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--data", data, "--http", "127.0.0.1:0", "--https", "127.0.0.1:0", "--ops", "127.0.0.1:0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	c := api.NewClient(filepath.Join(data, api.SocketName))
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if st, err := c.Status(context.Background()); err == nil && st.Listeners["http"] != "" {
			return c, st.Listeners["http"]
		}
		if time.Now().After(deadline) {
			t.Fatal("foyer serve did not answer in 15s")
		}
	}
}

// applied waits until the route table serves the newest revision.
func applied(t *testing.T, c *api.Client) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		st, err := c.Status(context.Background())
		if err == nil && st.TableRevision >= st.Revision {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("revision not applied: %+v %v", st, err)
		}
	}
}

// Ensure that a stream with a tenant filter delivers that tenant's
// requests, as they finish, to a Follower's Wake and Handle (and not the
// other tenant's), and that a stream nobody takes from stops itself.
func TestStreamAgainstDaemon(t *testing.T) {
	logs.Idle = 500 * time.Millisecond // before any stream starts
	c, proxy := startDaemon(t)
	ctx := context.Background()
	be := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	be.Listener = ln
	be.Start()
	defer be.Close()
	if _, err := c.SetSetting(ctx, "base-domain", "example.test"); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"acme", "globex"} {
		if _, err := c.CreateTenant(ctx, api.CreateTenantRequest{Slug: slug}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddBackend(ctx, slug, "", api.AddBackendRequest{URL: be.URL}); err != nil {
			t.Fatal(err)
		}
	}
	applied(t, c)

	f := &logs.Follower{Query: api.FollowQuery{Tenant: "acme"}}
	cmd := f.Ensure(c)
	if cmd == nil {
		t.Fatal("Ensure started no wait")
	}
	if again := f.Ensure(c); again != nil {
		t.Error("a second Ensure started a second wait chain")
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	get := func(host, path string) {
		r, _ := http.NewRequest("GET", "http://"+proxy+path, nil)
		r.Host = host
		resp, err := hc.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var got []api.FollowRecord
	take := func() {
		w, ok := cmd().(logs.Wake)
		if !ok {
			t.Fatal("the wait sent no Wake")
		}
		var recs []api.FollowRecord
		var handled bool
		recs, _, _, cmd, handled = f.Handle(w)
		if !handled || cmd == nil {
			t.Fatalf("Handle: handled %v, next wait %v", handled, cmd != nil)
		}
		got = append(got, recs...)
	}
	// The stream connects in its own goroutine: send until it sees one.
	for i := 0; len(got) == 0; i++ {
		if i == 20 {
			t.Fatal("no record of acme after 20 rounds of requests")
		}
		get("globex.example.test", "/other")
		get("acme.example.test", "/one")
		take()
	}
	get("acme.example.test", "/missing")
	for deadline := time.Now().Add(10 * time.Second); got[len(got)-1].Path != "/missing"; take() {
		if time.Now().After(deadline) {
			t.Fatalf("no record of /missing: %+v", got)
		}
	}
	for i, r := range got {
		last := i == len(got)-1
		if r.Tenant != "acme" || !last && (r.Path != "/one" || r.Status != 200) || last && r.Status != 404 {
			t.Errorf("record %d: %s %s %d, want acme's /one (200) then /missing (404) only", i, r.Tenant, r.Path, r.Status)
		}
	}

	s := logs.StartStream(c, api.FollowQuery{})
	for deadline := time.Now().Add(10 * time.Second); !s.Stopped(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a stream nobody takes from did not stop")
		}
	}
	f.Stop()
	if w, ok := cmd().(logs.Wake); !ok || !w.Stream.Stopped() {
		t.Error("after Stop the wait did not wake with a stopped stream")
	}
	if _, _, _, next, _ := f.Handle(logs.Wake{Stream: s}); next != nil {
		t.Error("a Wake of a foreign stream re-armed the chain")
	}
}
