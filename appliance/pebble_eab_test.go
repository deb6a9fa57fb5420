package appliance

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

// newMACKey returns a random EAB MAC key, base64url as a CA gives it.
func newMACKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// setSettings changes the settings and waits until the appliance has
// applied that revision (its ACME config included).
func (b *acmeBox) setSettings(t *testing.T, set acmeSettings) {
	t.Helper()
	ctx := context.Background()
	err := b.db.Update(ctx, "test", func(tx store.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		set(&s)
		return tx.SetSettings(s)
	})
	if err != nil {
		t.Fatal(err)
	}
	rev := b.db.Revision()
	deadline := time.Now().Add(5 * time.Second)
	for b.app.tableRev.Load() < rev {
		if time.Now().After(deadline) {
			t.Fatalf("revision %d not applied (at %d)", rev, b.app.tableRev.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Ensure that with a CA that requires External Account Binding, an order
// without EAB fails the domain with the CA's error, a wrong MAC key is
// refused, and with the right key ID and MAC key a real handshake through
// foyer gets a certificate chaining to the CA's root; the MAC keys appear
// in no log line, error or audit entry.
func TestACMEExternalAccountBinding(t *testing.T) {
	const kid = "kid-1"
	mac, wrong := newMACKey(t), newMACKey(t)
	httpPort, tlsPort := freePort(t), freePort(t)
	ca := startPebbleWith(t, pebbleOpts{HTTPPort: httpPort, TLSPort: tlsPort, EABKeys: map[string]string{kid: mac}})
	box := startACMEBoxWith(t, httpPort, tlsPort, func(s *store.Settings) {
		s.ACMEDirectory, s.ACMERoots, s.ACMEEmail = ca.Directory, ca.WFERoot, "ops@example.test"
		s.DNSResolver, s.PublicIPs = ca.DNS, []string{"127.0.0.1"}
	}, fastVerify(httpPort))

	// No EAB: the verified fixture domain is ordered at once and fails.
	d := box.waitState(t, "shop.customer.test", store.DomainFailed)
	if !strings.Contains(d.Reason, "externalAccountRequired") && !strings.Contains(d.Reason, "externalAccountBinding") {
		t.Fatalf("without EAB: reason %q, want the CA's external-account error", d.Reason)
	}
	t.Logf("without EAB: %s (hint: %s)", d.Reason, d.Hint)

	// The wrong MAC key: the CA refuses the binding.
	box.setSettings(t, func(s *store.Settings) { s.ACMEEABKeyID, s.ACMEEABMACKey = kid, wrong })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, wrongErr := box.app.certs.Obtain(ctx, "wrong.example.test")
	if wrongErr == nil || !strings.Contains(wrongErr.Error(), "external account binding") {
		t.Fatalf("with the wrong MAC key: %v, want the CA's refusal of the binding", wrongErr)
	}
	t.Logf("wrong MAC key: %v", wrongErr)

	// The right one: on-demand issuance in a real handshake.
	box.setSettings(t, func(s *store.Settings) { s.ACMEEABMACKey = mac })
	start := time.Now()
	body, st, err := box.get("acme.example.test", ca.Roots)
	if err != nil {
		t.Fatalf("with EAB: GET https://acme.example.test/ through foyer: %v", err)
	}
	t.Logf("with EAB: first request (account binding and issuance in the handshake) took %s", time.Since(start).Round(time.Millisecond))
	if body != "tenant acme" || len(st.VerifiedChains) == 0 || st.PeerCertificates[0].DNSNames[0] != "acme.example.test" {
		t.Fatalf("body %q, chains %d: want the backend over a certificate chaining to Pebble's root", body, len(st.VerifiedChains))
	}

	audit, aerr := box.db.AuditLog(context.Background(), 1000, 0)
	if aerr != nil {
		t.Fatal(aerr)
	}
	var trail strings.Builder
	for _, e := range audit {
		trail.WriteString(strings.Join(e.Actions, " "))
	}
	for name, text := range map[string]string{"log": box.logs.String(), "error": wrongErr.Error() + d.Reason, "audit trail": trail.String()} {
		for _, key := range []string{mac, wrong} {
			if strings.Contains(text, key) || strings.Contains(text, key[:12]) {
				t.Errorf("the %s holds a MAC key", name)
			}
		}
	}
	if !strings.Contains(box.logs.String(), "wrong.example.test") {
		t.Error("the log has no line about the refused order: the leak check proves nothing")
	}
}

// Ensure that with acme-directory pointing at a dead CA (nothing listens)
// and acme-fallback at Pebble, a handshake gets a certificate from Pebble
// over HTTP-01: the dead CA fails fast and foyer's HTTP listener answers
// the fallback's challenge.
func TestACMECAFallback(t *testing.T) {
	httpPort, tlsPort := freePort(t), freePort(t)
	ca := startPebble(t, httpPort, tlsPort)
	dead := "https://" + addr(freePort(t)) + "/dir"
	box := startACMEBox(t, httpPort, tlsPort, func(s *store.Settings) {
		s.ACMEDirectory, s.ACMEFallback = dead, []string{ca.Directory}
		s.ACMERoots, s.ACMEEmail = ca.WFERoot, "ops@example.test"
		s.ACMEChallenges = []string{"http-01"}
	})
	start := time.Now()
	body, st, err := box.get("acme.example.test", ca.Roots)
	if err != nil {
		t.Fatalf("GET https://acme.example.test/ through foyer: %v", err)
	}
	took := time.Since(start)
	if body != "tenant acme" || len(st.VerifiedChains) == 0 || st.PeerCertificates[0].DNSNames[0] != "acme.example.test" {
		t.Fatalf("body %q, chains %d: want the backend over a certificate chaining to Pebble's root", body, len(st.VerifiedChains))
	}
	if !strings.Contains(box.logs.String(), strings.TrimPrefix(dead, "https://")) {
		t.Fatal("the dead CA was never tried: the log names it nowhere")
	}
	t.Logf("dead first CA, certificate from the fallback: first request took %s", took.Round(time.Millisecond))
}
