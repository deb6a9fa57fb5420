package acme_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/acme"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// internalManager is a Manager over db with the internal CA on, allowing
// only ok.test.
func internalManager(t *testing.T, db *store.DB) *acme.Manager {
	t.Helper()
	m, err := acme.New(acme.Options{Certs: db, Blobs: db, Decide: func(name string) error {
		if name != "ok.test" {
			return errors.New("not allowed")
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.Configure(acme.IssueConfig{InternalCA: true, HandshakeTimeout: handshakeTimeout}); err != nil {
		t.Fatalf("configure internal CA: %v", err)
	}
	return m
}

// dialInternal handshakes with addr for name, trusting rootPEM alone.
func dialInternal(addr, name string, rootPEM []byte) (*x509.Certificate, []*x509.Certificate, error) {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(rootPEM)
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: handshakeTimeout}, "tcp", addr, &tls.Config{ServerName: name, RootCAs: pool})
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	st := conn.ConnectionState()
	return st.PeerCertificates[0], st.VerifiedChains[0], nil
}

// Ensure that with the internal CA on, an allowed name gets a leaf on
// demand that chains to the stored root, a refused name gets nothing, and a
// new Manager on the same store keeps the root and serves the stored leaf
// without issuing again.
func TestInternalCAOnDemand(t *testing.T) {
	ctx := context.Background()
	db, err := memstore.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m := internalManager(t, db)
	root, err := acme.InternalRoot(ctx, db)
	if err != nil {
		t.Fatalf("root after Configure: %v", err)
	}
	addr := serve(t, m)

	leaf, chain, err := dialInternal(addr, "ok.test", root)
	if err != nil {
		t.Fatalf("allowed name: %v", err)
	}
	if len(chain) != 2 || leaf.NotAfter.Sub(leaf.NotBefore) > acme.InternalLeafLifetime+time.Hour {
		t.Fatalf("chain of %d, leaf valid %s to %s", len(chain), leaf.NotBefore, leaf.NotAfter)
	}
	if _, _, err := dialInternal(addr, "refused.test", root); err == nil {
		t.Fatal("refused name: handshake succeeded")
	}
	if keys, _ := db.ListBlobs(ctx, "certificates", true); strings.Contains(strings.Join(keys, " "), "refused.test") {
		t.Fatalf("refused name was issued: %v", keys)
	}
	if key, err := db.GetBlob(ctx, "foyer/internal-ca/ca.key"); err != nil || !bytes.Contains(key, []byte("PRIVATE KEY")) {
		t.Fatalf("CA key not stored: %v", err)
	}
	if bytes.Contains(root, []byte("PRIVATE")) {
		t.Fatal("InternalRoot returned key material")
	}

	m.Close()
	m2 := internalManager(t, db)
	root2, err := acme.InternalRoot(ctx, db)
	if err != nil || !bytes.Equal(root, root2) {
		t.Fatalf("root changed on restart (%v)", err)
	}
	leaf2, _, err := dialInternal(serve(t, m2), "ok.test", root)
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if leaf2.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Fatalf("after restart a new leaf was issued (serial %s, was %s)", leaf2.SerialNumber, leaf.SerialNumber)
	}
}

// Ensure that InternalRoot says there is no CA before internal-ca was on.
func TestInternalRootNone(t *testing.T) {
	e := newEnv(t)
	if _, err := acme.InternalRoot(context.Background(), e.db); !errors.Is(err, acme.ErrNoInternalCA) {
		t.Fatalf("got %v, want ErrNoInternalCA", err)
	}
}

// Ensure that a name whose certificate is already stored is loaded on a
// handshake by asking Eligible alone, so a restarted daemon serves it even
// while Decide refuses (its issuance rate is used up), and that a name
// with nothing stored still needs Decide.
func TestStoredCertificateSkipsIssuanceRate(t *testing.T) {
	ctx := context.Background()
	db, err := memstore.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	first := internalManager(t, db)
	if _, err := first.Obtain(ctx, "ok.test"); err != nil {
		t.Fatalf("obtain: %v", err)
	}
	first.Close()
	root, err := acme.InternalRoot(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var decided, checked []string
	m, err := acme.New(acme.Options{Certs: db, Blobs: db,
		Decide:   func(name string) error { decided = append(decided, name); return errors.New("over the issuance rate") },
		Eligible: func(name string) error { checked = append(checked, name); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.Configure(acme.IssueConfig{InternalCA: true, HandshakeTimeout: handshakeTimeout}); err != nil {
		t.Fatal(err)
	}
	addr := serve(t, m)
	if _, _, err := dialInternal(addr, "ok.test", root); err != nil {
		t.Fatalf("stored name while Decide refuses: %v", err)
	}
	if _, _, err := dialInternal(addr, "new.test", root); err == nil {
		t.Fatal("a name with nothing stored was issued while Decide refuses")
	}
	if strings.Join(checked, ",") != "ok.test" || strings.Join(decided, ",") != "new.test" {
		t.Fatalf("Eligible asked for %v, Decide for %v; want ok.test and new.test", checked, decided)
	}
}
