package acme

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// testMAC is an EAB MAC key as a CA hands it out (base64url, padded).
const testMAC = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W="

// eabManager is a Manager on a fresh store whose logs go to the returned
// buffer.
func eabManager(t *testing.T) (*Manager, *syncBuffer) {
	t.Helper()
	db, err := memstore.Open(context.Background(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	logs := &syncBuffer{}
	m, err := New(Options{Certs: db, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, logs
}

// Ensure that half-set External Account Binding and a MAC key that is
// not base64url are refused with an error naming the setting to fix and
// never quoting the key, and that the previous config stays.
func TestConfigureRefusesHalfSetEAB(t *testing.T) {
	m, _ := eabManager(t)
	dir := "https://127.0.0.1:1/dir"
	for _, tc := range []struct {
		name     string
		kid, mac string
		field    string
	}{
		{"key id alone", "kid-1", "", "settings.acme-eab-mac-key"},
		{"MAC key alone", "", testMAC, "settings.acme-eab-key-id"},
		{"MAC key not base64url", "kid-1", "not base64 at all!" + testMAC, "settings.acme-eab-mac-key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := m.Configure(IssueConfig{Directory: dir, EABKeyID: tc.kid, EABMACKey: tc.mac})
			var se *store.Error
			if !errors.As(err, &se) || !errors.Is(err, store.ErrInvalid) || se.Field != tc.field || se.Hint == "" {
				t.Fatalf("Configure = %v, want an invalid %s with a hint", err, tc.field)
			}
			if tc.mac != "" && strings.Contains(err.Error()+se.Hint, strings.TrimRight(tc.mac, "=")[:16]) {
				t.Fatalf("the error quotes the MAC key: %v (%s)", err, se.Hint)
			}
			if m.Issuing() {
				t.Fatal("a refused config was applied")
			}
		})
	}
}

// Ensure that Configure builds one ACME issuer per directory, the
// primary first with the EAB credentials (padding removed, as acmez
// decodes raw base64url) and the fallbacks after it in order, each once
// and without EAB, every issuer retrying on its own directory.
func TestConfigureIssuerOrder(t *testing.T) {
	m, _ := eabManager(t)
	primary, fb1, fb2 := "https://ca.example.test/dir", "https://fb1.example.test/dir", "https://fb2.example.test/dir"
	err := m.Configure(IssueConfig{Directory: primary, EABKeyID: " kid-1 ", EABMACKey: testMAC,
		Fallback: []string{fb1, primary, " ", fb2, fb1}})
	if err != nil {
		t.Fatal(err)
	}
	iss := m.active.Load().Issuers
	var got []string
	for _, i := range iss {
		a := i.(*certmagic.ACMEIssuer)
		got = append(got, a.CA)
		if a.TestCA != a.CA {
			t.Errorf("%s retries on %s, want its own directory", a.CA, a.TestCA)
		}
	}
	if want := []string{primary, fb1, fb2}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("issuers %v, want %v", got, want)
	}
	first := iss[0].(*certmagic.ACMEIssuer)
	if eab := first.ExternalAccount; eab == nil || eab.KeyID != "kid-1" || eab.MACKey != strings.TrimRight(testMAC, "=") {
		t.Fatalf("primary EAB = %+v, want kid-1 and the unpadded MAC key", eab)
	}
	for _, i := range iss[1:] {
		if a := i.(*certmagic.ACMEIssuer); a.ExternalAccount != nil {
			t.Errorf("fallback %s has EAB, want none", a.CA)
		}
	}
	if is := m.issuing.Load(); is == nil || is.iss != first {
		t.Fatal("HTTPChallenge does not answer through the primary issuer")
	}

	// Without EAB, the primary has none either.
	if err := m.Configure(IssueConfig{Directory: primary}); err != nil {
		t.Fatal(err)
	}
	if iss := m.active.Load().Issuers; len(iss) != 1 || iss[0].(*certmagic.ACMEIssuer).ExternalAccount != nil {
		t.Fatalf("issuers without EAB or fallback: %d, EAB %v", len(iss), iss[0].(*certmagic.ACMEIssuer).ExternalAccount)
	}
}

// Ensure that an order with every directory refusing connections fails
// fast, tries each directory, and that neither the error nor any log line
// holds the EAB MAC key.
func TestObtainAllDirectoriesDown(t *testing.T) {
	m, logs := eabManager(t)
	dead := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return "https://" + ln.Addr().String() + "/dir"
	}
	primary, fallback := dead(), dead()
	if err := m.Configure(IssueConfig{Directory: primary, Fallback: []string{fallback}, Email: "ops@example.test",
		EABKeyID: "kid-1", EABMACKey: testMAC}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := m.Obtain(ctx, "shop.example.test")
	if err == nil {
		t.Fatal("obtained a certificate with every directory down")
	}
	if ctx.Err() != nil {
		t.Fatalf("a refused directory hung the order until its deadline: %v", err)
	}
	out := logs.String()
	for _, d := range []string{primary, fallback} {
		if !strings.Contains(out+err.Error(), strings.TrimPrefix(d, "https://")) {
			t.Errorf("directory %s was not tried (log and error name it nowhere)", d)
		}
	}
	mac := strings.TrimRight(testMAC, "=")
	if strings.Contains(out, mac[:16]) || strings.Contains(err.Error(), mac[:16]) {
		t.Fatalf("the MAC key leaked:\nerror: %v\nlog:\n%s", err, out)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
