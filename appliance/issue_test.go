package appliance

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// acmeBox is an appliance on fixed loopback ports with tenants:
// acme (active, backend answers "tenant acme", custom domains
// shop.customer.test verified and wait.customer.test pending_dns) and
// sleepy (suspended), under base domain example.test.
type acmeBox struct {
	db                *store.DB
	app               *Appliance
	httpPort, tlsPort int
	logs              *syncBuf
	vt                VerifyTiming
	dir               string
	stop              func() error // stops app; the store stays open until cleanup
}

// acmeSettings changes the defaults for one test.
type acmeSettings func(*store.Settings)

func startACMEBox(t *testing.T, httpPort, tlsPort int, set acmeSettings) *acmeBox {
	t.Helper()
	// The verifier is off: these tests drive on-demand issuance alone.
	return startACMEBoxWith(t, httpPort, tlsPort, set, VerifyTiming{Off: true})
}

// startACMEBoxWith is startACMEBox with the domain verifier timed by vt.
func startACMEBoxWith(t *testing.T, httpPort, tlsPort int, set acmeSettings, vt VerifyTiming) *acmeBox {
	t.Helper()
	ctx := context.Background()
	db, err := memstore.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "tenant acme")
	}))
	t.Cleanup(backend.Close)
	err = db.Update(ctx, "test", func(tx store.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.BaseDomain = "example.test"
		s.TLSHandshakeTimeout = store.Duration(5 * time.Second)
		set(&s)
		return errors.Join(tx.SetSettings(s),
			tx.CreateTenant(&store.Tenant{Slug: "acme"}),
			tx.AddBackend(&store.Backend{Tenant: "acme", URL: backend.URL}),
			tx.AddDomain(&store.Domain{Name: "shop.customer.test", Tenant: "acme"}),
			tx.UpdateDomain(&store.Domain{Name: "shop.customer.test", State: store.DomainVerified}),
			tx.AddDomain(&store.Domain{Name: "wait.customer.test", Tenant: "acme"}),
			tx.CreateTenant(&store.Tenant{Slug: "sleepy", State: store.TenantSuspended}),
			tx.AddBackend(&store.Backend{Tenant: "sleepy", URL: backend.URL}))
	})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "foyer-acme-") // short: admin.sock's path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	box := &acmeBox{db: db, httpPort: httpPort, tlsPort: tlsPort, logs: &syncBuf{}, vt: vt, dir: dir}
	t.Cleanup(func() {
		if box.stop != nil {
			if err := box.stop(); err != nil {
				t.Errorf("appliance stopped with: %v", err)
			}
		}
		if t.Failed() {
			t.Logf("appliance log:\n%s", box.logs)
		}
		db.Close()
	})
	box.start(t)
	return box
}

// start runs a new appliance on the box's store, ports and data dir, as
// a restarted daemon would.
func (b *acmeBox) start(t *testing.T) {
	t.Helper()
	a, err := New(Options{DataDir: b.dir, Store: b.db, HTTPAddr: addr(b.httpPort), HTTPSAddr: addr(b.tlsPort), Verify: b.vt,
		Logger: slog.New(slog.NewTextHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	b.app = a
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	var once sync.Once
	var stopErr error
	b.stop = func() error {
		once.Do(func() { stop(); stopErr = <-done })
		return stopErr
	}
	select {
	case <-a.Ready():
	case err := <-done:
		once.Do(func() { stop() }) // Run has returned: nothing left to stop
		t.Fatalf("appliance did not start: %v", err)
	}
}

// get fetches https://name/ through the appliance's HTTPS listener,
// trusting roots, and returns the body and the connection's state.
func (b *acmeBox) get(name string, roots *x509.CertPool) (string, *tls.ConnectionState, error) {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", addr(b.tlsPort))
		}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 20 * time.Second}).Get("https://" + name + "/")
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), resp.TLS, err
}

// handshake runs one TLS handshake for name without verifying the chain.
func (b *acmeBox) handshake(name string) error {
	d := &net.Dialer{Timeout: 20 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr(b.tlsPort), &tls.Config{ServerName: name, InsecureSkipVerify: true})
	if err == nil {
		c.Close()
	}
	return err
}

// issueThrough checks that an on-demand certificate for name, obtained
// with only challenge offered, chains to Pebble's root and that the
// request reaches the tenant's backend.
func issueThrough(t *testing.T, challenge, name string) *acmeBox {
	httpPort, tlsPort := freePort(t), freePort(t)
	ca := startPebble(t, httpPort, tlsPort)
	box := startACMEBox(t, httpPort, tlsPort, func(s *store.Settings) {
		s.ACMEDirectory, s.ACMERoots, s.ACMEEmail = ca.Directory, ca.WFERoot, "ops@example.test"
		s.ACMEChallenges = []string{challenge}
	})
	start := time.Now()
	body, st, err := box.get(name, ca.Roots)
	if err != nil {
		t.Fatalf("GET https://%s/ through foyer: %v", name, err)
	}
	t.Logf("%s: first request (issuance in the handshake) took %s", challenge, time.Since(start).Round(time.Millisecond))
	if body != "tenant acme" {
		t.Fatalf("body = %q, want the tenant's backend", body)
	}
	if len(st.VerifiedChains) == 0 || st.PeerCertificates[0].DNSNames[0] != name {
		t.Fatalf("certificate for %v does not chain to Pebble's root", st.PeerCertificates[0].DNSNames)
	}
	if st.NegotiatedProtocol != "h2" {
		t.Errorf("ALPN = %q, want h2 beside acme-tls/1", st.NegotiatedProtocol)
	}
	before := ca.CABytes()
	start = time.Now()
	if _, _, err := box.get(name, ca.Roots); err != nil {
		t.Fatalf("second GET: %v", err)
	}
	if d := time.Since(start); ca.CABytes() != before || d > time.Second {
		t.Errorf("second request went to the CA (%d bytes) or took %s: want the cached certificate", ca.CABytes()-before, d)
	}
	return box
}

// Ensure that a slug host gets a certificate on demand over HTTP-01 on
// foyer's HTTP listener, and the request reaches the tenant.
func TestACMEOnDemandHTTP01(t *testing.T) {
	box := issueThrough(t, "http-01", "acme.example.test")

	// An imported certificate for the same name wins over the issued one.
	imported := newTestCA(t)
	pair := imported.issue(t, "acme.example.test")
	if err := box.db.Update(context.Background(), "test", func(tx store.Tx) error {
		return tx.PutCert(&store.Certificate{Name: "acme.example.test", CertPEM: pair.cert, KeyPEM: pair.key})
	}); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(imported.cert)
	deadline := time.Now().Add(5 * time.Second) // the change feed reloads certificates
	for {
		body, _, err := box.get("acme.example.test", pool)
		if err == nil && body == "tenant acme" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the imported certificate does not win over the issued one: %v %q", err, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Ensure that a verified custom domain gets a certificate on demand over
// TLS-ALPN-01 on foyer's HTTPS listener, and the request reaches the tenant.
func TestACMEOnDemandTLSALPN01(t *testing.T) {
	issueThrough(t, "tls-alpn-01", "shop.customer.test")
}

// Ensure that names the gate refuses fail the handshake at once and send
// nothing to the CA, while an allowed one does reach it.
func TestACMEGateRefusesWithoutCA(t *testing.T) {
	httpPort, tlsPort := freePort(t), freePort(t)
	ca := startPebble(t, httpPort, tlsPort)
	box := startACMEBox(t, httpPort, tlsPort, func(s *store.Settings) {
		s.ACMEDirectory, s.ACMERoots = ca.Directory, ca.WFERoot
	})
	for _, name := range []string{
		"nobody.example.test",  // no such tenant
		"sleepy.example.test",  // suspended tenant
		"wait.customer.test",   // custom domain still pending_dns
		"example.test",         // the bare base domain
		"a.b.example.test",     // two labels deep
		"elsewhere.invalid.xy", // nothing to do with foyer
	} {
		start := time.Now()
		err := box.handshake(name)
		if err == nil {
			t.Errorf("%s: handshake succeeded, want a refusal", name)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("%s: refusal took %s, want it at once", name, d)
		}
	}
	if n := ca.CABytes(); n != 0 {
		t.Fatalf("refused names sent %d bytes to the CA, want 0", n)
	}
	if err := box.handshake("acme.example.test"); err != nil {
		t.Fatalf("allowed name: %v", err)
	}
	if ca.CABytes() == 0 {
		t.Fatal("the allowed name reached no CA: the byte count proves nothing")
	}
}

// Ensure that with the CA hanging, a handshake for an allowed name fails
// within the handshake timeout, and imported certificates keep serving.
func TestACMECADownHandshakeDeadline(t *testing.T) {
	hole := blackHole(t)
	imported := newTestCA(t)
	box := startACMEBox(t, freePort(t), freePort(t), func(s *store.Settings) {
		s.ACMEDirectory = "https://" + hole + "/dir"
		s.TLSHandshakeTimeout = store.Duration(time.Second)
	})
	pair := imported.issue(t, "shop.customer.test")
	if err := box.db.Update(context.Background(), "test", func(tx store.Tx) error {
		return tx.PutCert(&store.Certificate{Name: "shop.customer.test", CertPEM: pair.cert, KeyPEM: pair.key})
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := box.handshake("acme.example.test")
	d := time.Since(start)
	if err == nil {
		t.Fatal("handshake with the CA down succeeded")
	}
	if d > 3*time.Second {
		t.Fatalf("handshake failed after %s, want within its 1s deadline", d)
	}
	t.Logf("CA down: handshake failed after %s: %v", d.Round(time.Millisecond), err)

	pool := x509.NewCertPool()
	pool.AddCert(imported.cert)
	deadline := time.Now().Add(5 * time.Second) // the change feed reloads certificates
	for {
		body, _, err := box.get("shop.customer.test", pool)
		if err == nil && body == "tenant acme" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("imported certificate not served with the CA down: %v %q", err, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
