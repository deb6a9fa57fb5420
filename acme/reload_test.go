package acme_test

import (
	"context"
	"crypto/tls"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/acme"
)

// Ensure that after a certificate is removed from the store, a Reload
// makes its handshake fail while others are still served.
func TestReloadRemoved(t *testing.T) {
	e := newEnv(t)
	e.put(t, "gone.example.com")
	kept := e.put(t, "kept.example.com")
	addr := serve(t, e.m)
	presented(t, addr, e.ca.client("kept.example.com"), kept)
	e.remove(t, "gone.example.com")
	refused(t, addr, e.ca.client("gone.example.com"))
	presented(t, addr, e.ca.client("kept.example.com"), kept)
}

// Ensure that after a certificate is replaced in the store, a Reload
// serves the new one.
func TestReloadReplaced(t *testing.T) {
	e := newEnv(t)
	old := e.put(t, "shop.example.com")
	addr := serve(t, e.m)
	presented(t, addr, e.ca.client("shop.example.com"), old)
	replacement := e.put(t, "shop.example.com")
	presented(t, addr, e.ca.client("shop.example.com"), replacement)
}

// Ensure that a Reload without store changes keeps serving, and that one
// PEM pair imported under two names stays served while either remains.
func TestReloadSharedCertificate(t *testing.T) {
	e := newEnv(t)
	p := e.ca.issue(t, "a.example.com", "b.example.com")
	e.putPair(t, "a.example.com", p)
	e.putPair(t, "b.example.com", p)
	e.reload(t)
	addr := serve(t, e.m)
	e.remove(t, "a.example.com")
	presented(t, addr, e.ca.client("a.example.com"), p) // still a SAN of b's
	e.remove(t, "b.example.com")
	refused(t, addr, e.ca.client("b.example.com"))
}

// Ensure that Reload returns the store's error.
func TestReloadStoreError(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.m.Reload(ctx); err == nil {
		t.Fatal("Reload with a cancelled context succeeded")
	}
}

// Ensure that Certificates lists what is served, with its details, and
// reports expiry by Options.Now.
func TestCertificates(t *testing.T) {
	e := newEnv(t)
	e.put(t, "*.example.com")
	e.put(t, "a.example.org", "a.example.org", "b.example.org")
	got := e.m.Certificates()
	if len(got) != 2 || got[0].Name != "*.example.com" || got[1].Name != "a.example.org" {
		t.Fatalf("Certificates() = %+v", got)
	}
	c := got[1]
	if len(c.SANs) != 2 || c.SANs[1] != "b.example.org" || c.Source != acme.SourceImported ||
		c.Issuer != "CN=foyer test CA" || c.NotAfter.IsZero() || c.Expired {
		t.Fatalf("Certificates()[1] = %+v", c)
	}
	late := c.NotAfter.Add(time.Second)
	m, err := acme.New(acme.Options{Certs: e.db, Now: func() time.Time { return late }})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := m.Certificates(); !got[1].Expired {
		t.Fatalf("after NotAfter: %+v, want Expired", got[1])
	}
}

// Ensure that Reloads that add, replace and remove certificates can run
// while handshakes do (run with -race): a name that is never touched is
// always served, and the churned name is served its current certificate
// or refused, never anything else.
func TestReloadDuringHandshakes(t *testing.T) {
	e := newEnv(t)
	stable := e.put(t, "stable.example.com")
	addr := serve(t, e.m)
	pairs := []pemPair{e.ca.issue(t, "churn.example.com"), e.ca.issue(t, "churn.example.com")}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop() // runs first, also when a Fatal ends this goroutine
	var handshakes atomic.Int64
	for range 2 {
		wg.Go(func() {
			defer stop() // a failing worker ends the test's loop too
			handshakeLoop(t, ctx, addr, e.ca, stable, pairs, &handshakes)
		})
	}
	reloads := 0
	for ; ctx.Err() == nil && (reloads < 40 || handshakes.Load() < 100); reloads++ {
		if reloads%3 == 2 {
			e.remove(t, "churn.example.com")
			continue
		}
		e.putPair(t, "churn.example.com", pairs[reloads%2])
	}
	t.Logf("%d handshake pairs during %d reloads", handshakes.Load(), reloads)
}

func handshakeLoop(t *testing.T, ctx context.Context, addr string, ca *testCA, stable pemPair, churn []pemPair, n *atomic.Int64) {
	for ctx.Err() == nil {
		n.Add(1)
		if st, err := dial(addr, ca.client("stable.example.com")); err != nil || string(st.PeerCertificates[0].Raw) != string(stable.der) {
			t.Errorf("stable name: %v", err)
			return
		}
		st, err := dial(addr, ca.client("churn.example.com"))
		if err == nil && !isOneOf(st, churn) {
			t.Errorf("churned name served %v", st.PeerCertificates[0].SerialNumber)
			return
		}
	}
}

func isOneOf(st tls.ConnectionState, pairs []pemPair) bool {
	for _, p := range pairs {
		if string(st.PeerCertificates[0].Raw) == string(p.der) {
			return true
		}
	}
	return false
}

// Ensure that concurrent Reloads of the same store leave the cache
// matching it.
func TestConcurrentReloads(t *testing.T) {
	e := newEnv(t)
	p := e.put(t, "shop.example.com")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := e.m.Reload(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	presented(t, serve(t, e.m), e.ca.client("shop.example.com"), p)
	if got := len(e.m.Certificates()); got != 1 {
		t.Fatalf("%d certificates, want 1", got)
	}
}

// Ensure that New requires a store and that Close may be called twice.
func TestNewAndClose(t *testing.T) {
	if _, err := acme.New(acme.Options{}); err == nil {
		t.Fatal("New without Certs succeeded")
	}
	e := newEnv(t)
	if err := e.m.Close(); err != nil {
		t.Fatal(err)
	}
}
