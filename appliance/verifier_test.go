package appliance

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

// fastVerify is the verifier's timing for tests: looks every 20ms,
// backoff from 50ms to 200ms.
func fastVerify(httpPort int) VerifyTiming {
	return VerifyTiming{Tick: 20 * time.Millisecond, First: 50 * time.Millisecond, Max: 200 * time.Millisecond,
		Obtain: 20 * time.Second, HTTPPort: httpPort}
}

// verifyBox starts Pebble, challtestsrv with no default address (a name
// resolves only once the test sets its records) and an appliance whose
// verifier asks that DNS server and knows 127.0.0.1 as its public IP.
func verifyBox(t *testing.T) (*pebbleCA, *acmeBox) {
	t.Helper()
	httpPort, tlsPort := freePort(t), freePort(t)
	ca := startPebble(t, httpPort, tlsPort)
	ca.DNSSet(t, "/set-default-ipv4", map[string]string{"ip": ""})
	box := startACMEBoxWith(t, httpPort, tlsPort, func(s *store.Settings) {
		s.ACMEDirectory, s.ACMERoots, s.ACMEEmail = ca.Directory, ca.WFERoot, "ops@example.test"
		s.DNSResolver, s.PublicIPs = ca.DNS, []string{"127.0.0.1"}
	}, fastVerify(httpPort))
	// The fixture's shop.customer.test is verified but resolves nowhere:
	// the verifier orders at once and the CA's refusal fails it.
	if d := box.waitState(t, "shop.customer.test", store.DomainFailed); !strings.Contains(d.Reason, "shop.customer.test") || d.Hint == "" {
		t.Fatalf("failed issuance: reason %q hint %q, want the CA's error and a hint", d.Reason, d.Hint)
	}
	return ca, box
}

// addDomain adds name to tenant acme and returns its token.
func (b *acmeBox) addDomain(t *testing.T, name string) string {
	t.Helper()
	d := store.Domain{Tenant: "acme", Name: name}
	if err := b.db.Update(context.Background(), "test", func(tx store.Tx) error { return tx.AddDomain(&d) }); err != nil {
		t.Fatal(err)
	}
	return d.Token
}

// waitState polls name's state until it is want (10s at most) and
// returns the domain.
func (b *acmeBox) waitState(t *testing.T, name string, want store.DomainState) store.Domain {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := b.db.Domain(context.Background(), name)
		if err == nil && d.State == want {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: state %s (%s; %s), want %s", name, d.State, d.Reason, d.Hint, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// states returns the states the audit trail recorded for name, oldest first.
func (b *acmeBox) states(t *testing.T, name string) []string {
	t.Helper()
	es, err := b.db.AuditLog(context.Background(), 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range slices.Backward(es) {
		for _, a := range e.Actions {
			if f := strings.Fields(a); len(f) == 3 && f[0] == "domain.state" && f[1] == name {
				out = append(out, f[2])
			}
		}
	}
	return out
}

// Ensure that a domain whose A record is set to this box goes
// pending_dns -> verified -> issuing -> active by itself, with a
// certificate from Pebble that a real handshake through foyer gets, and
// the request reaches the tenant's backend.
func TestVerifierOnboardsDomain(t *testing.T) {
	ca, box := verifyBox(t)
	const name = "new.customer.test"
	box.addDomain(t, name)
	time.Sleep(100 * time.Millisecond) // a few checks find nothing
	if d, _ := box.db.Domain(context.Background(), name); d.State != store.DomainPendingDNS || d.Reason == "" || d.Hint == "" {
		t.Fatalf("before DNS: %+v, want pending_dns with a reason and a hint", d)
	}
	ca.DNSSet(t, "/add-a", map[string]any{"host": name, "addresses": []string{"127.0.0.1"}})
	d := box.waitState(t, name, store.DomainActive)
	if d.NotAfter.Before(time.Now()) {
		t.Fatalf("active with expiry %s", d.NotAfter)
	}
	if got := slices.Compact(box.states(t, name)); !slices.Equal(got, []string{"pending_dns", "verified", "issuing", "active"}) {
		t.Fatalf("audited states %v, want pending_dns (reasons updated), verified, issuing, active", got)
	}
	before := ca.CABytes()
	body, st, err := box.get(name, ca.Roots)
	if err != nil {
		t.Fatalf("GET https://%s/: %v", name, err)
	}
	if body != "tenant acme" || len(st.VerifiedChains) == 0 || st.PeerCertificates[0].DNSNames[0] != name {
		t.Fatalf("body %q, chains %d: want the backend over a Pebble certificate", body, len(st.VerifiedChains))
	}
	if ca.CABytes() != before {
		t.Errorf("the handshake went to the CA: the certificate was obtained on verification")
	}
}

// Ensure that a domain verified by its TXT token alone, before its
// address records point here, is verified and issued.
func TestVerifierTXTToken(t *testing.T) {
	ca, box := verifyBox(t)
	const name = "txt.customer.test"
	token := box.addDomain(t, name)
	ca.DNSSet(t, "/set-txt", map[string]string{"host": "_foyer-challenge." + name + ".", "value": token})
	// Verified by the token, then ordered at once: the CA cannot resolve
	// the name yet, so the order fails with the CA's error.
	d := box.waitState(t, name, store.DomainFailed)
	if got := slices.Compact(box.states(t, name)); !slices.Equal(got, []string{"verified", "issuing", "failed"}) {
		t.Fatalf("audited states %v, want verified, issuing, failed", got)
	}
	if !strings.Contains(d.Reason, "resolve") {
		t.Errorf("reason %q, want the CA's error", d.Reason)
	}
}

// Ensure that a CAA record forbidding the configured CA fails the domain
// with that reason before anything reaches the CA.
func TestVerifierCAARefusal(t *testing.T) {
	ca, box := verifyBox(t)
	const name = "caa.customer.test"
	ca.DNSSet(t, "/add-a", map[string]any{"host": name, "addresses": []string{"127.0.0.1"}})
	ca.DNSSet(t, "/add-caa", map[string]any{"host": name, "policies": []map[string]string{{"tag": "issue", "value": "otherca.example"}}})
	before := ca.CABytes()
	box.addDomain(t, name)
	d := box.waitState(t, name, store.DomainFailed)
	if !strings.Contains(d.Reason, "CAA") || !strings.Contains(d.Hint, "CAA") {
		t.Errorf("reason %q hint %q: want the CAA refusal and its fix", d.Reason, d.Hint)
	}
	if n := ca.CABytes() - before; n != 0 {
		t.Fatalf("%d bytes reached the CA, want none", n)
	}
}

// Ensure that a live check reports each record with its hint, flags a
// stale AAAA record, passes the HTTP self-test through foyer's listener,
// and moves the domain to verified once the records are right.
func TestDomainCheckLive(t *testing.T) {
	httpPort, tlsPort := freePort(t), freePort(t)
	ca := startPebble(t, httpPort, tlsPort)
	ca.DNSSet(t, "/set-default-ipv4", map[string]string{"ip": ""})
	box := startACMEBoxWith(t, httpPort, tlsPort, func(s *store.Settings) {
		s.DNSResolver, s.PublicIPs = ca.DNS, []string{"127.0.0.1"}
	}, VerifyTiming{Off: true, HTTPPort: httpPort})
	const name = "check.customer.test"
	box.addDomain(t, name)
	ca.DNSSet(t, "/add-a", map[string]any{"host": name, "addresses": []string{"127.0.0.1"}})
	ca.DNSSet(t, "/add-aaaa", map[string]any{"host": name, "addresses": []string{"2001:db8::1"}})
	res, err := box.app.checkDomain(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range res.Checks {
		got[c.Name] = c.OK
		if !c.OK && c.Hint == "" {
			t.Errorf("check %s failed without a hint: %+v", c.Name, c)
		}
	}
	want := map[string]bool{"cname": false, "a": true, "aaaa": false, "txt": false, "caa": true, "http": true}
	if !maps.Equal(got, want) || res.Verified || res.Resolver != ca.DNS {
		t.Fatalf("checks %v verified %v via %s, want %v, not verified, via %s", got, res.Verified, res.Resolver, want, ca.DNS)
	}
	if d, _ := box.db.Domain(context.Background(), name); d.State != store.DomainPendingDNS || !strings.Contains(d.Reason, "stale AAAA") {
		t.Fatalf("after a failed check: %s (%s), want pending_dns with the stale AAAA", d.State, d.Reason)
	}
	ca.DNSSet(t, "/clear-aaaa", map[string]string{"host": name})
	if res, err = box.app.checkDomain(context.Background(), name); err != nil || !res.Verified {
		t.Fatalf("second check: verified %v, %v", res.Verified, err)
	}
	if d, _ := box.db.Domain(context.Background(), name); d.State != store.DomainVerified {
		t.Fatalf("after a passing check: %s, want verified", d.State)
	}
}
