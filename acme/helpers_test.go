package acme_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer/acme"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// handshakeTimeout bounds every handshake in these tests, on both ends.
const handshakeTimeout = 5 * time.Second

// testCA issues ECDSA P-256 leaf certificates that clients verify.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

// pemPair is an issued certificate: PEM for the store, DER to compare.
type pemPair struct {
	cert, key string
	der       []byte
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: "foyer test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(60 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue returns a leaf for sans; its CommonName is the first SAN.
func (ca *testCA) issue(t testing.TB, sans ...string) pemPair {
	t.Helper()
	return ca.issueCN(t, sans[0], sans...)
}

// issueCN returns a leaf for sans with CommonName cn.
func (ca *testCA) issueCN(t testing.TB, cn string, sans ...string) pemPair {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: cn}, DNSNames: sans,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemPair{
		cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		key:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
		der:  der,
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func serial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// env is a store, a Manager over it and a CA, cleaned up with the test.
type env struct {
	db *store.DB
	m  *acme.Manager
	ca *testCA
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db, err := memstore.Open(context.Background(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := acme.New(acme.Options{Certs: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return &env{db: db, m: m, ca: newTestCA(t)}
}

// put imports a certificate for name (covering sans, or name itself) and
// reloads the Manager.
func (e *env) put(t testing.TB, name string, sans ...string) pemPair {
	t.Helper()
	if len(sans) == 0 {
		sans = []string{name}
	}
	p := e.ca.issue(t, sans...)
	e.putPair(t, name, p)
	return p
}

// putPair imports p under name and reloads the Manager.
func (e *env) putPair(t testing.TB, name string, p pemPair) {
	t.Helper()
	err := e.db.Update(context.Background(), "test", func(tx store.Tx) error {
		return tx.PutCert(&store.Certificate{Name: name, CertPEM: p.cert, KeyPEM: p.key})
	})
	if err != nil {
		t.Fatalf("put cert %s: %v", name, err)
	}
	e.reload(t)
}

// remove deletes the certificate for name from the store and reloads.
func (e *env) remove(t testing.TB, name string) {
	t.Helper()
	err := e.db.Update(context.Background(), "test", func(tx store.Tx) error { return tx.RemoveCert(name) })
	if err != nil {
		t.Fatalf("remove cert %s: %v", name, err)
	}
	e.reload(t)
}

func (e *env) reload(t testing.TB) {
	t.Helper()
	if err := e.m.Reload(context.Background()); err != nil {
		t.Fatalf("reload: %v", err)
	}
}

// serve runs a TLS listener on 127.0.0.1 with the Manager's TLSConfig. It
// completes each handshake, then closes the connection; the server side
// bounds the handshake as the appliance will.
func serve(t testing.TB, m *acme.Manager) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := m.TLSConfig()
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { handshakeAndClose(tls.Server(c, cfg)) })
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

func handshakeAndClose(c *tls.Conn) {
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	defer cancel()
	_ = c.HandshakeContext(ctx)
}

// dial handshakes with addr as a client would and returns the state.
func dial(addr string, cfg *tls.Config) (tls.ConnectionState, error) {
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	defer cancel()
	d := tls.Dialer{Config: cfg}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer c.Close()
	return c.(*tls.Conn).ConnectionState(), nil
}

// client is the configuration of a client that trusts ca and asks for name.
func (ca *testCA) client(name string, protos ...string) *tls.Config {
	return &tls.Config{ServerName: name, RootCAs: ca.pool, NextProtos: protos}
}

// presented fails the test unless a handshake for name succeeds and
// presents want.
func presented(t testing.TB, addr string, cfg *tls.Config, want pemPair) tls.ConnectionState {
	t.Helper()
	st, err := dial(addr, cfg)
	if err != nil {
		t.Fatalf("handshake for %s: %v", cfg.ServerName, err)
	}
	if got := st.PeerCertificates[0].Raw; string(got) != string(want.der) {
		t.Fatalf("handshake for %s presented %v, want %v", cfg.ServerName,
			st.PeerCertificates[0].DNSNames, mustParse(t, want.der).DNSNames)
	}
	return st
}

// refused fails the test unless a handshake for cfg fails.
func refused(t testing.TB, addr string, cfg *tls.Config) error {
	t.Helper()
	st, err := dial(addr, cfg)
	if err == nil {
		t.Fatalf("handshake for %q succeeded with %v, want an error", cfg.ServerName, st.PeerCertificates[0].DNSNames)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("handshake for %q timed out instead of failing: %v", cfg.ServerName, err)
	}
	return err
}

func mustParse(t testing.TB, der []byte) *x509.Certificate {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
