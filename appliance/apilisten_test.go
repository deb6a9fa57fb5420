package appliance

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

func TestGateAllowsAPIHost(t *testing.T) {
	// Ensure that the issuance gate allows the HTTPS API's name (any case,
	// trailing dot) while it is set, and only it besides tenants' hosts.
	tbl := gateTable(t)
	g := newGate(func() *route.Table { return tbl }, func(string) bool { return false })
	if err := g.Decide("api.saas.test"); !errors.Is(err, ErrNotIssuable) {
		t.Fatalf("api host before it is set: %v, want refused", err)
	}
	g.setAPIHost("api.saas.test")
	for _, n := range []string{"api.saas.test", "API.saas.test."} {
		if err := g.Decide(n); err != nil {
			t.Errorf("Decide(%q) = %v, want allowed", n, err)
		}
	}
	if err := g.Decide("other.saas.test"); !errors.Is(err, ErrNotIssuable) {
		t.Errorf("another name: %v, want refused", err)
	}
	g.setAPIHost("")
	if err := g.Decide("api.saas.test"); !errors.Is(err, ErrNotIssuable) {
		t.Errorf("api host after it is cleared: %v, want refused", err)
	}
}

// freeLoopbackPort returns a port that was free on 127.0.0.1 a moment ago.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// setAPI changes api-listen and api-host (and turns the internal CA on)
// and waits until Addrs shows want for "api" ("" none; "any" any).
func setAPI(t *testing.T, a *Appliance, db store.Store, listen, want string) string {
	t.Helper()
	err := db.Update(t.Context(), "test", func(tx store.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.InternalCA, s.APIHost, s.APIListen = true, "api.saas.test", listen
		return tx.SetSettings(s)
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := a.Addrs()["api"]
		if got == want || want == "any" && got != "" {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("api listener at %q, want %q", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// apiAnswers reports whether addr serves the API over TLS for
// api.saas.test: an unauthenticated request gets 401.
func apiAnswers(t *testing.T, addr string) bool {
	t.Helper()
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{ServerName: "api.saas.test", InsecureSkipVerify: true}, // the chain is checked end to end in cmd/foyer
	}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get("https://" + addr + "/v1/status")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusUnauthorized || resp.TLS.PeerCertificates[0].VerifyHostname("api.saas.test") != nil {
		t.Fatalf("API at %s: %d, want 401 over a certificate for api.saas.test", addr, resp.StatusCode)
	}
	return true
}

func TestAPIListenAppliedLive(t *testing.T) {
	// Ensure that setting api-listen starts the HTTPS API (with an
	// internal-CA certificate for api-host), changing it rebinds, and
	// clearing it stops the listener, all without a restart.
	db, err := memstore.Open(t.Context(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a, err := New(Options{DataDir: t.TempDir(), Store: db, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	<-a.Ready()
	if _, on := a.Addrs()["api"]; on {
		t.Fatal("api listener on by default")
	}
	first := setAPI(t, a, db, "127.0.0.1:0", "any")
	if !apiAnswers(t, first) {
		t.Fatalf("no API at %s", first)
	}
	port := strconv.Itoa(freeLoopbackPort(t))
	second := setAPI(t, a, db, "127.0.0.1:"+port, "127.0.0.1:"+port)
	if !apiAnswers(t, second) {
		t.Fatalf("no API at %s after the rebind", second)
	}
	if apiAnswers(t, first) {
		t.Fatalf("the old address %s still answers after the rebind", first)
	}
	setAPI(t, a, db, "", "")
	if apiAnswers(t, second) {
		t.Fatalf("%s still answers after api-listen was cleared", second)
	}
}
