package acme_test

import (
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/acme"
)

// Ensure that an imported exact name is served, with h2 when the client
// offers it and http/1.1 otherwise.
func TestHandshakeExactName(t *testing.T) {
	e := newEnv(t)
	p := e.put(t, "shop.example.com")
	addr := serve(t, e.m)
	for _, tc := range []struct {
		name   string
		protos []string
		want   string
	}{
		{"h2 offered", []string{"h2", "http/1.1"}, "h2"},
		{"h2 offered last", []string{"http/1.1", "h2"}, "h2"},
		{"http/1.1 only", []string{"http/1.1"}, "http/1.1"},
		{"no ALPN", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := presented(t, addr, e.ca.client("shop.example.com", tc.protos...), p)
			if st.NegotiatedProtocol != tc.want {
				t.Fatalf("negotiated %q, want %q", st.NegotiatedProtocol, tc.want)
			}
			if st.Version < tls.VersionTLS12 {
				t.Fatalf("version %x, want TLS 1.2 or later", st.Version)
			}
		})
	}
}

// Ensure that the SNI is matched case-insensitively.
func TestHandshakeNameCase(t *testing.T) {
	e := newEnv(t)
	p := e.put(t, "shop.example.com")
	presented(t, serve(t, e.m), e.ca.client("Shop.Example.COM"), p)
}

// Ensure that a client limited to TLS 1.1 is refused.
func TestHandshakeRefusesTLS11(t *testing.T) {
	e := newEnv(t)
	e.put(t, "shop.example.com")
	cfg := e.ca.client("shop.example.com")
	cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	err := refused(t, serve(t, e.m), cfg)
	if !strings.Contains(err.Error(), "protocol version") {
		t.Fatalf("error %q, want a protocol version alert", err)
	}
}

// Ensure that a wildcard serves exactly one label below its domain, and
// that an exact certificate wins over a wildcard.
func TestHandshakeWildcard(t *testing.T) {
	e := newEnv(t)
	wild := e.put(t, "*.example.com")
	exact := e.put(t, "exact.example.com")
	addr := serve(t, e.m)
	for _, tc := range []struct {
		sni  string
		want *pemPair // nil: the handshake fails
	}{
		{"a.example.com", &wild},
		{"exact.example.com", &exact},
		{"a.b.example.com", nil},
		{"example.com", nil},
		{"a.example.org", nil},
	} {
		t.Run(tc.sni, func(t *testing.T) {
			if tc.want == nil {
				refused(t, addr, e.ca.client(tc.sni))
				return
			}
			presented(t, addr, e.ca.client(tc.sni), *tc.want)
		})
	}
}

// Ensure that a name without a certificate fails the handshake promptly,
// and that nothing is obtained for it.
func TestHandshakeUnknownName(t *testing.T) {
	e := newEnv(t)
	e.put(t, "shop.example.com")
	addr := serve(t, e.m)
	for _, protos := range [][]string{{"h2", "http/1.1"}, {"acme-tls/1"}} {
		refused(t, addr, e.ca.client("other.example.com", protos...))
	}
	if got := len(e.m.Certificates()); got != 1 {
		t.Fatalf("%d certificates after the refused handshakes, want 1", got)
	}
}

// Ensure that a name only in a leaf's CommonName, not in its SANs, is not
// served (clients match SANs only).
func TestHandshakeIgnoresCommonName(t *testing.T) {
	e := newEnv(t)
	e.putPair(t, "www.example.net", e.ca.issueCN(t, "legacy.example.net", "www.example.net"))
	addr := serve(t, e.m)
	// The client skips verification, so only the server can refuse.
	refused(t, addr, &tls.Config{ServerName: "legacy.example.net", InsecureSkipVerify: true})
	if _, err := dial(addr, e.ca.client("www.example.net")); err != nil {
		t.Fatalf("handshake for the SAN: %v", err)
	}
}

// Ensure that a ClientHello without SNI fails, even with certificates
// loaded.
func TestHandshakeNoSNI(t *testing.T) {
	e := newEnv(t)
	e.put(t, "shop.example.com")
	cfg := &tls.Config{InsecureSkipVerify: true} // dialled by IP: no SNI is sent
	refused(t, serve(t, e.m), cfg)
	if _, err := e.m.GetCertificate(&tls.ClientHelloInfo{}); !errors.Is(err, acme.ErrNoSNI) {
		t.Fatalf("GetCertificate without SNI: %v, want ErrNoSNI", err)
	}
}

// Ensure that TLSConfig offers h2 and http/1.1 before acme-tls/1 and
// requires TLS 1.2.
func TestTLSConfig(t *testing.T) {
	e := newEnv(t)
	cfg := e.m.TLSConfig()
	if got := strings.Join(cfg.NextProtos, ","); got != "h2,http/1.1,acme-tls/1" {
		t.Fatalf("NextProtos %s", got)
	}
	if cfg.MinVersion != tls.VersionTLS12 || cfg.GetCertificate == nil || len(cfg.Certificates) != 0 {
		t.Fatalf("MinVersion %x, GetCertificate set %v, %d static certificates",
			cfg.MinVersion, cfg.GetCertificate != nil, len(cfg.Certificates))
	}
}
