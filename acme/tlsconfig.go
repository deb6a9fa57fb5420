package acme

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"
)

// ErrNoSNI fails a handshake whose ClientHello names no server: foyer
// chooses certificates by name only and has no default certificate.
var ErrNoSNI = errors.New("client sent no server name (SNI); connect by host name, not by IP address")

// TLSConfig returns the configuration every HTTPS listener uses: TLS 1.2
// at least, ALPN h2 then http/1.1 (then certmagic's acme-tls/1, for the
// TLS-ALPN challenge once issuance exists), and GetCertificate as
// described there. Each call returns a new value the caller may change.
func (m *Manager) TLSConfig() *tls.Config {
	cfg := m.cfg.TLSConfig() // offers only acme-tls/1
	cfg.MinVersion = tls.VersionTLS12
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
