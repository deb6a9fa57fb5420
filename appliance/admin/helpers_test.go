package admin

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// harness is a Server on a real unix socket in a temporary directory, a
// memstore behind it and an api.Client in front of it.
type harness struct {
	t      *testing.T
	srv    *Server
	store  *store.DB
	client *api.Client
	socket string
	served chan error // Serve's result
}

// newHarness builds the server (tweak may change opts) but does not serve yet.
func newHarness(t *testing.T, tweak func(*Options)) *harness {
	t.Helper()
	db, err := memstore.Open(t.Context(), store.Options{})
	if err != nil {
		t.Fatalf("open memstore: %v", err)
	}
	sock := filepath.Join(t.TempDir(), api.SocketName)
	opts := Options{Store: db, Socket: sock}
	if tweak != nil {
		tweak(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &harness{t: t, srv: srv, store: db, client: api.NewClient(sock), socket: sock}
}

// serve listens and serves; the cleanup shuts the server down and checks
// that Serve returned nil and the socket file is gone.
func (h *harness) serve() *harness {
	h.t.Helper()
	ln, err := Listen(h.socket)
	if err != nil {
		h.t.Fatalf("Listen: %v", err)
	}
	h.served = make(chan error, 1)
	go func() { h.served <- h.srv.Serve(ln) }()
	h.t.Cleanup(h.check)
	return h
}

func (h *harness) check() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil {
		h.t.Errorf("Shutdown: %v", err)
	}
	select {
	case err := <-h.served:
		if err != nil {
			h.t.Errorf("Serve returned %v after Shutdown, want nil", err)
		}
	case <-ctx.Done():
		h.t.Errorf("Serve did not return after Shutdown")
	}
	if _, err := os.Lstat(h.socket); !errors.Is(err, fs.ErrNotExist) {
		h.t.Errorf("socket file after Shutdown: %v, want it removed", err)
	}
	h.store.Close()
}

// start is newHarness(t, nil).serve().
func start(t *testing.T) *harness { return newHarness(t, nil).serve() }

// raw sends a request with a raw body over the socket and returns the
// answer (its body already read and closed) and its body.
func (h *harness) raw(method, path string, body []byte) (*http.Response, []byte) {
	h.t.Helper()
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", h.socket)
		},
	}}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(h.t.Context(), method, "http://foyer"+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("read answer: %v", err)
	}
	return resp, b
}

// errorBodyOf decodes an error answer, failing the test if it is not JSON.
func errorBodyOf(t *testing.T, b []byte) api.ErrorBody {
	t.Helper()
	var eb api.ErrorBody
	if err := json.Unmarshal(b, &eb); err != nil || eb.Error == "" {
		t.Fatalf("error body %q is not an api.ErrorBody: %v", b, err)
	}
	return eb
}

// apiError asserts that err is an *api.Error with the given status.
func apiError(t *testing.T, err error, status int) *api.Error {
	t.Helper()
	var ae *api.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T), want *api.Error with status %d", err, err, status)
	}
	if ae.Status != status {
		t.Fatalf("status %d (%s), want %d", ae.Status, ae.Msg, status)
	}
	return ae
}

// mustTenant creates a tenant through the client.
func (h *harness) mustTenant(slug string) api.Tenant {
	h.t.Helper()
	tn, err := h.client.CreateTenant(h.t.Context(), api.CreateTenantRequest{Slug: slug})
	if err != nil {
		h.t.Fatalf("create tenant %s: %v", slug, err)
	}
	return tn
}

// selfSigned returns a PEM certificate for name valid for a day, and its key.
func selfSigned(t *testing.T, name string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}

// logBuffer collects a Server's log; the server writes from its own
// goroutines, so reads and writes are guarded.
type logBuffer struct {
	mu sync.Mutex // guards b
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// logger returns a text logger writing to l.
func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }
