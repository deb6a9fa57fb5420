package appliance

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// waitNotice reads w until a notice that match accepts, for 10 s at most,
// and returns it; the watch's context bounds the reads.
func waitNotice(t *testing.T, w *api.Watcher, match func(api.Notice) bool) api.Notice {
	t.Helper()
	var seen []api.Notice
	for {
		ev, err := w.Next()
		if err != nil {
			t.Fatalf("watch ended (%v) before the event; event lines seen: %+v", err, seen)
		}
		if ev.Type != api.EventNotice {
			continue
		}
		if ev.Event == nil {
			t.Fatalf("event line without its event: %+v", ev)
		}
		if match(*ev.Event) {
			return *ev.Event
		}
		seen = append(seen, *ev.Event)
	}
}

// watchFor opens a watch stream on the socket, closed by the test's end
// or after 10 s.
func watchFor(t *testing.T, socket string) *api.Watcher {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	w, err := api.NewClient(socket).Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// Ensure that a domain that `foyer domain check` moves from pending_dns
// to verified shows as a domain event on a real watch stream, with its
// tenant and the check's reason.
func TestEventDomainCheck(t *testing.T) {
	httpPort, tlsPort := freePort(t), freePort(t)
	ca := startPebble(t, httpPort, tlsPort)
	ca.DNSSet(t, "/set-default-ipv4", map[string]string{"ip": ""})
	box := startACMEBoxWith(t, httpPort, tlsPort, func(s *store.Settings) {
		s.DNSResolver, s.PublicIPs = ca.DNS, []string{"127.0.0.1"}
	}, VerifyTiming{Off: true, HTTPPort: httpPort})
	const name = "events.customer.test"
	box.addDomain(t, name)
	ca.DNSSet(t, "/add-a", map[string]any{"host": name, "addresses": []string{"127.0.0.1"}})

	socket := filepath.Join(box.dir, api.SocketName)
	w := watchFor(t, socket)
	res, err := api.NewClient(socket).CheckDomain(context.Background(), name)
	if err != nil || !res.Verified {
		t.Fatalf("domain check: verified %v, %v", res.Verified, err)
	}
	n := waitNotice(t, w, func(n api.Notice) bool { return n.Kind == api.NoticeDomain && n.Name == name })
	if n.Tenant != "acme" || n.From != string(store.DomainPendingDNS) || n.To != string(store.DomainVerified) ||
		n.Reason == "" || n.Time.IsZero() || n.Dropped != 0 {
		t.Fatalf("domain event %+v, want acme's %s pending_dns -> verified with a reason and a time", n, name)
	}
}

// eventBox runs a real appliance on a memstore with tenant acme (base
// domain saas.test) whose one backend is url, after more(tx) configures
// the rest; it returns the appliance and a watch stream on its socket.
func eventBox(t *testing.T, url string, more func(tx store.Tx) error) (*Appliance, *api.Watcher) {
	t.Helper()
	db, err := memstore.Open(t.Context(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = db.Update(t.Context(), "test", func(tx store.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.BaseDomain = "saas.test"
		return errors.Join(tx.SetSettings(s), tx.CreateTenant(&store.Tenant{Slug: "acme"}),
			tx.AddBackend(&store.Backend{Tenant: "acme", URL: url}), more(tx))
	})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "foyer-ev-") // short: admin.sock's path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	a, err := New(Options{DataDir: dir, Store: db, HTTPAddr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-a.Ready():
	case err := <-done:
		t.Fatalf("appliance did not start: %v", err)
	}
	return a, watchFor(t, filepath.Join(dir, api.SocketName))
}

// Ensure that a backend whose server goes away produces a health event
// (healthy -> unhealthy, named by tenant, pool and URL, with the check's
// error) on a real watch stream, from the active health checks.
func TestEventBackendDown(t *testing.T) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer be.Close()
	_, w := eventBox(t, be.URL, func(tx store.Tx) error {
		p, err := tx.Pool("acme", store.DefaultPool)
		if err != nil {
			return err
		}
		p.HealthPath, p.HealthInterval, p.HealthTimeout = "/health", store.Duration(100*time.Millisecond), store.Duration(100*time.Millisecond)
		p.HealthyThreshold, p.UnhealthyThreshold = 1, 1
		return tx.SetPool(&p)
	})
	be.Close()
	n := waitNotice(t, w, func(n api.Notice) bool { return n.Kind == api.NoticeHealth })
	if n.Tenant != "acme" || n.Pool != store.DefaultPool || n.Name != be.URL || n.From != "healthy" ||
		n.To != "unhealthy" || n.Reason == "" {
		t.Fatalf("health event %+v, want acme/default %s healthy -> unhealthy with the check's error", n, be.URL)
	}
}

// Ensure that a tenant whose backend answers 500s has its circuit breaker
// open, and that this shows as a breaker event on a real watch stream.
func TestEventBreakerOpens(t *testing.T) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer be.Close()
	a, w := eventBox(t, be.URL, func(tx store.Tx) error {
		return tx.SetTenantPolicy("acme", store.Policy{"breaker": "on", "breaker-min-requests": "2", "breaker-cooldown": "1m"})
	})
	for range 3 {
		req, _ := http.NewRequest("GET", "http://"+a.Addrs()["http"]+"/", nil)
		req.Host = "acme.saas.test"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	n := waitNotice(t, w, func(n api.Notice) bool { return n.Kind == api.NoticeBreaker })
	if n.Tenant != "acme" || n.Name != "acme" || n.From != "closed" || n.To != "open" || n.Reason == "" {
		t.Fatalf("breaker event %+v, want acme's closed -> open with a reason", n)
	}
}

// Ensure that a subscriber that does not read misses events without
// holding up the publisher or the other subscribers, and that the next
// event it gets says how many it missed; and that a new subscriber
// starts with the recent events.
func TestEventHubSlowWatcher(t *testing.T) {
	h := newEventHub(time.Now)
	slow, fast := h.subscribe(), h.subscribe()
	defer slow.Close()
	defer fast.Close()
	const sent = eventBuffer + 44
	got := 0
	for i := range sent { // never blocks although slow never reads
		h.publish(api.Notice{Kind: api.NoticeDomain, Name: "d", To: string(rune('a' + i%26))})
		for len(fast.C()) > 0 {
			<-fast.C()
			got++
		}
	}
	if got != sent {
		t.Fatalf("fast subscriber got %d of %d events", got, sent)
	}
	if len(slow.C()) != eventBuffer {
		t.Fatalf("slow subscriber holds %d events, want its buffer's %d", len(slow.C()), eventBuffer)
	}
	for len(slow.C()) > 0 {
		if n := <-slow.C(); n.Dropped != 0 {
			t.Fatalf("a buffered event says %d dropped", n.Dropped)
		}
	}
	h.publish(api.Notice{Kind: api.NoticeHealth, Name: "next"})
	if n := <-slow.C(); n.Name != "next" || n.Dropped != sent-eventBuffer {
		t.Fatalf("next event %+v, want dropped %d", n, sent-eventBuffer)
	}
	if n := <-fast.C(); n.Dropped != 0 {
		t.Fatalf("fast subscriber told of %d dropped", n.Dropped)
	}
	late := h.subscribe()
	defer late.Close()
	if len(late.C()) != eventRing {
		t.Fatalf("new subscriber starts with %d events, want the ring's %d", len(late.C()), eventRing)
	}
	var last api.Notice
	for len(late.C()) > 0 {
		last = <-late.C()
	}
	if last.Name != "next" {
		t.Fatalf("replay ends with %+v, want the newest event", last)
	}
}
