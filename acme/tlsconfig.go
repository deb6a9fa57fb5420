package acme

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrNoSNI fails a handshake whose ClientHello names no server: foyer
// chooses certificates by name only and has no default certificate.
var ErrNoSNI = errors.New("client sent no server name (SNI); connect by host name, not by IP address")

// cipherSuites are the TLS 1.2 suites foyer accepts: forward-secret ECDHE
// key exchange with an AEAD (AES-GCM or ChaCha20-Poly1305) only, so no
// CBC, no RSA key exchange, no 3DES or RC4. TLS 1.3 suites are not
// configurable in Go and are all strong.
var cipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// curvePreferences are the key exchanges foyer offers: the post-quantum
// hybrids first, then X25519, P-256 and P-384 (P-521 is left out: slow and
// unneeded).
var curvePreferences = []tls.CurveID{
	tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384,
}

// TLSConfig returns the configuration every HTTPS listener uses: TLS 1.2
// at least, AEAD-only ECDHE suites for TLS 1.2 (cipherSuites), the
// curves in curvePreferences, ALPN h2 then http/1.1
// (then certmagic's acme-tls/1, for the TLS-ALPN challenge), and
// GetCertificate as described there. Each call returns a new value the
// caller may change.
func (m *Manager) TLSConfig() *tls.Config {
	cfg := m.cfg.TLSConfig() // offers only acme-tls/1
	cfg.MinVersion = tls.VersionTLS12
	cfg.CipherSuites = slices.Clone(cipherSuites)
	cfg.CurvePreferences = slices.Clone(curvePreferences)
	cfg.NextProtos = append([]string{"h2", "http/1.1"}, cfg.NextProtos...)
	cfg.GetCertificate = m.GetCertificate
	return cfg
}

// GetCertificate chooses the certificate for a handshake by its server
// name: an exact SAN first, then a wildcard one label deep ("*.example.com"
// serves "a.example.com", not "a.b.example.com" nor "example.com"). A
// ClientHello without a server name gets an error at once: there is no
// default certificate. For a name no cached certificate covers, certmagic
// obtains one when ACME is configured and Options.Decide allows the name,
// else the handshake fails at once. Choosing (and obtaining) is bounded by
// the handshake timeout (Configure), so a CA outage never hangs a client.
func (m *Manager) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if hello.ServerName == "" {
		return nil, ErrNoSNI
	}
	parent := hello.Context()
	if parent == nil { // a ClientHelloInfo not made by crypto/tls (benchmarks)
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, time.Duration(m.hsTimeout.Load()))
	defer cancel()
	cert, err := m.active.Load().GetCertificateWithContext(ctx, hello)
	if err != nil {
		return nil, fmt.Errorf("choose certificate for %s: %w", hello.ServerName, err)
	}
	return cert, nil
}
