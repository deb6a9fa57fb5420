package proxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// live is a handler over a store that the test changes, rebuilding the
// table as the appliance does.
type live struct {
	t  *testing.T
	db store.Store
	h  *Handler
}

func newLive(t *testing.T, fn func(tx store.Tx) error) *live {
	db, err := memstore.Open(context.Background(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := &live{t: t, db: db, h: New(Options{})}
	t.Cleanup(l.h.Close)
	l.change(fn)
	return l
}

func (l *live) change(fn func(tx store.Tx) error) {
	ctx := context.Background()
	if err := l.db.Update(ctx, "test", fn); err != nil {
		l.t.Fatal(err)
	}
	snap, err := l.db.Snapshot(ctx)
	if err != nil {
		l.t.Fatal(err)
	}
	tbl, err := route.Build(snap)
	if err != nil {
		l.t.Fatal(err)
	}
	l.h.Swap(tbl, snap.Settings)
}

func setPool(p store.Pool) func(tx store.Tx) error {
	return func(tx store.Tx) error { p.Tenant, p.Name = "acme", "default"; return tx.SetPool(&p) }
}

// Ensure that a backend that fails is ejected after MaxFails and the rest
// take its traffic, and that with every backend out foyer answers 503 with
// Retry-After at once, without contacting anything.
func TestPassiveEjectionAndAllDown(t *testing.T) {
	good := newBackend(t, "good")
	dead := deadURL(t)
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {good.URL, dead}}))
	l.change(setPool(store.Pool{MaxFails: 1, Cooldown: store.Duration(30 * time.Second)}))
	srv := frontend(t, l.h)
	defer srv.Close()
	bad := 0
	for i := 0; i < 20; i++ {
		if resp, _ := get(t, srv, "acme.example.test", nil); resp.StatusCode != 200 {
			bad++
		}
	}
	if bad != 0 { // the request that ejected the dead backend was retried on the good one (retries=1)
		t.Fatalf("%d of 20 requests failed; want none", bad)
	}
	good.Close() // now every backend fails
	get(t, srv, "acme.example.test", nil)
	start := time.Now()
	resp, body := get(t, srv, "acme.example.test", nil)
	if resp.StatusCode != 503 || !strings.Contains(body, "no backend") {
		t.Fatalf("all down: %d %q", resp.StatusCode, body)
	}
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 30 {
		t.Fatalf("Retry-After %q, want the cool-down left (1 to 30 s)", resp.Header.Get("Retry-After"))
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("503 took %s", d)
	}
}

// Ensure that a sticky pool pins a client to the backend its cookie names
// and that a client without the cookie is balanced and given one.
func TestStickySessions(t *testing.T) {
	a, b := newBackend(t, "a"), newBackend(t, "b")
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {a.URL, b.URL}}))
	l.change(setPool(store.Pool{Sticky: true}))
	srv := frontend(t, l.h)
	defer srv.Close()
	resp, first := get(t, srv, "acme.example.test", nil)
	var c *http.Cookie
	for _, x := range resp.Cookies() {
		if x.Name == "foyer_sticky" {
			c = x
		}
	}
	if c == nil {
		t.Fatal("no sticky cookie set")
	}
	for i := 0; i < 10; i++ {
		resp, body := get(t, srv, "acme.example.test", map[string]string{"Cookie": "foyer_sticky=" + c.Value})
		if body != first || len(resp.Cookies()) != 0 {
			t.Fatalf("pinned request %d went to %q (first %q), cookies %v", i, body, first, resp.Cookies())
		}
	}
	_, other := get(t, srv, "acme.example.test", map[string]string{"Cookie": "foyer_sticky=1.00000000000000000000000000000000"})
	_, other2 := get(t, srv, "acme.example.test", map[string]string{"Cookie": "foyer_sticky=1.00000000000000000000000000000000"})
	if other == other2 {
		t.Fatalf("a forged cookie pinned the client: %q then %q", other, other2)
	}
}

// Ensure that header_hash sends one key to one backend.
func TestHeaderHashThroughProxy(t *testing.T) {
	a, b, c := newBackend(t, "a"), newBackend(t, "b"), newBackend(t, "c")
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {a.URL, b.URL, c.URL}}))
	l.change(setPool(store.Pool{Algorithm: store.HeaderHash, HashKey: "x-user"}))
	srv := frontend(t, l.h)
	defer srv.Close()
	seen := map[string]bool{}
	for u := 0; u < 30; u++ {
		hdr := map[string]string{"X-User": "user-" + strconv.Itoa(u)}
		_, first := get(t, srv, "acme.example.test", hdr)
		for i := 0; i < 3; i++ {
			if _, body := get(t, srv, "acme.example.test", hdr); body != first {
				t.Fatalf("user %d went to %q then %q", u, first, body)
			}
		}
		seen[first] = true
	}
	if len(seen) != 3 {
		t.Fatalf("30 users reached only %v", seen)
	}
}

// Ensure that draining a backend sends it no new request while the one in
// flight finishes.
func TestDrainLetsInFlightFinish(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
		io.WriteString(w, "slow done")
	}))
	defer slow.Close()
	other := newBackend(t, "other")
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {slow.URL, other.URL}}))
	l.change(setPool(store.Pool{Algorithm: store.First}))
	srv := frontend(t, l.h)
	defer srv.Close()
	done := make(chan string, 1)
	go func() {
		resp, body := get(t, srv, "acme.example.test", nil)
		done <- strconv.Itoa(resp.StatusCode) + " " + body
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the first request never reached the slow backend")
	}
	l.change(func(tx store.Tx) error { return tx.SetBackendDrained("acme", "", slow.URL, true) })
	for i := 0; i < 5; i++ {
		if _, body := get(t, srv, "acme.example.test", nil); body != "other /p" {
			t.Fatalf("request after drain went to %q", body)
		}
	}
	close(release)
	select {
	case got := <-done:
		if got != "200 slow done" {
			t.Fatalf("in-flight request: %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("in-flight request did not finish")
	}
}
