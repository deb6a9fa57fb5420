package acme

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/caddyserver/certmagic"
)

// DefaultHandshakeTimeout bounds choosing a certificate in a handshake
// when IssueConfig.HandshakeTimeout is zero.
const DefaultHandshakeTimeout = 10 * time.Second

// IssueConfig is how certificates are obtained. The zero value turns ACME
// off: only imported certificates are served.
type IssueConfig struct {
	// Directory is the ACME directory URL; "" turns issuance off.
	Directory string
	// Email is the ACME account's contact; may be empty.
	Email string
	// Roots is PEM text of extra roots trusted for the directory's TLS
	// (a private CA, Pebble); "" uses the system roots.
	Roots string
	// DisableHTTP01 and DisableTLSALPN01 withhold a challenge type. With
	// no HTTP listener, HTTP-01 must be off; with no HTTPS listener,
	// TLS-ALPN-01.
	DisableHTTP01, DisableTLSALPN01 bool
	// ListenHost, HTTPPort and TLSPort are where foyer's own listeners
	// serve. certmagic tries to bind them for a challenge, finds them
	// taken and relies on foyer's listeners (HTTPChallenge and
	// TLSConfig). Zero ports mean 80 and 443.
	ListenHost        string
	HTTPPort, TLSPort int
	// HandshakeTimeout bounds choosing, and so obtaining, a certificate
	// during a handshake. Zero means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// Fallback lists further ACME directories tried in order when
	// Directory fails an order. Not built yet: see Configure.
	Fallback []string
	// EABKeyID and EABMACKey are the External Account Binding
	// credentials Directory requires; empty for none. Never logged.
	EABKeyID, EABMACKey string
	// InternalCA makes foyer's own CA (internalca.go) issue on demand
	// instead of ACME; the fields above but HandshakeTimeout are then
	// ignored. The CA is made on first use and kept in the storage.
	InternalCA bool
}

// issuing says the active config can obtain certificates; iss is its
// ACME issuer, for HTTPChallenge (nil for the internal CA).
type issuing struct {
	iss *certmagic.ACMEIssuer
}

// Configure applies c: with InternalCA or a directory, handshakes for
// names without a cached certificate obtain one on demand from the
// internal CA or the directory, for the names Options.Decide allows;
// without, only imported certificates are served.
// An unchanged c is a no-op, so the appliance calls it on every
// configuration change. Certificates obtained earlier stay cached.
//
// The ACME account is registered with the CA's terms accepted (certmagic's
// Agreed): setting a directory is the operator's consent.
func (m *Manager) Configure(c IssueConfig) error {
	m.confMu.Lock()
	defer m.confMu.Unlock()
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	m.hsTimeout.Store(int64(c.HandshakeTimeout))
	cmp := c
	cmp.HandshakeTimeout = m.conf.HandshakeTimeout
	if reflect.DeepEqual(cmp, m.conf) && m.active.Load() != nil {
		m.conf = c
		return nil
	}
	if c.InternalCA {
		cfg, err := m.internalConfig()
		if err != nil {
			return fmt.Errorf("internal CA: %w", err)
		}
		m.active.Store(cfg)
		m.issuing.Store(&issuing{})
		m.conf = c
		return nil
	}
	if c.Directory == "" {
		m.active.Store(m.cfg)
		m.issuing.Store(nil)
		m.conf = c
		return nil
	}
	cfg, iss, err := m.issuingConfig(c)
	if err != nil {
		return err
	}
	m.active.Store(cfg)
	m.issuing.Store(&issuing{iss: iss})
	m.conf = c
	return nil
}

// issuingConfig builds a config on the Manager's cache and storage with
// one ACME issuer and the on-demand gate.
func (m *Manager) issuingConfig(c IssueConfig) (*certmagic.Config, *certmagic.ACMEIssuer, error) {
	var pool *x509.CertPool
	if c.Roots != "" {
		pool = x509.NewCertPool()
		if !appendPEM(pool, c.Roots) {
			return nil, nil, errors.New("acme roots: no PEM certificate found")
		}
	}
	zl := newZapLogger(m.log).Logger
	cfg := m.onDemandConfig()
	iss := certmagic.NewACMEIssuer(cfg, certmagic.ACMEIssuer{
		CA: c.Directory, TestCA: c.Directory, Email: c.Email, Agreed: true,
		TrustedRoots:            pool,
		DisableHTTPChallenge:    c.DisableHTTP01,
		DisableTLSALPNChallenge: c.DisableTLSALPN01,
		ListenHost:              c.ListenHost,
		AltHTTPPort:             c.HTTPPort,
		AltTLSALPNPort:          c.TLSPort,
		Logger:                  zl,
	})
	cfg.Issuers = []certmagic.Issuer{iss}
	return cfg, iss, nil
}

// onDemandConfig builds a config on the Manager's cache and storage with
// the on-demand gate and no issuer yet.
func (m *Manager) onDemandConfig() *certmagic.Config {
	cfg := certmagic.New(m.cache, certmagic.Config{
		Storage: m.cfg.Storage, // shared: account and certificates survive a reconfiguration
		// No stapling: Let's Encrypt has ended OCSP, and a staple fetch
		// must not delay a handshake.
		OCSP:   certmagic.OCSPConfig{DisableStapling: true},
		Logger: newZapLogger(m.log).Logger,
		OnDemand: &certmagic.OnDemandConfig{DecisionFunc: func(_ context.Context, name string) error {
			return m.gate(name)
		}},
	})
	cfg.DefaultServerName, cfg.FallbackServerName = "", ""
	cfg.OnEvent, cfg.ShouldEmitFunc = nil, nil
	cfg.CertSelection = preferImported{}
	return cfg
}

// gate is Options.Decide, refusing everything when it is nil.
func (m *Manager) gate(name string) error {
	if m.decide == nil {
		return errors.New("no issuance gate configured")
	}
	return m.decide(name)
}

func appendPEM(pool *x509.CertPool, text string) bool {
	ok := false
	rest := []byte(text)
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return ok
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil && b.Type == "CERTIFICATE" {
			pool.AddCert(c)
			ok = true
		}
	}
}

// HTTPChallenge answers ACME HTTP-01 challenges
// (/.well-known/acme-challenge/...) for orders in progress and passes
// every other request to next. Wrap the plain-HTTP listener's handler
// with it; with ACME off it is next alone.
func (m *Manager) HTTPChallenge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if is := m.issuing.Load(); is != nil && is.iss != nil && is.iss.HandleHTTPChallenge(w, r) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Issuing reports whether certificates can be obtained: an ACME
// directory is configured or the internal CA is on.
func (m *Manager) Issuing() bool { return m.issuing.Load() != nil }
