package acme

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"
	acmez "github.com/mholt/acmez/v3/acme"

	"github.com/foyerhq/foyer/store"
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
	// Directory fails an order (refused, rejected, or a failed
	// challenge): each order tries Directory, then each fallback, until
	// one issues. Fallbacks share Email, Roots and the challenge
	// settings, but not the EAB credentials: a fallback must accept
	// accounts without External Account Binding. A fallback equal to
	// Directory or listed twice is tried once. Default empty.
	Fallback []string
	// EABKeyID and EABMACKey are the External Account Binding
	// credentials Directory requires (ZeroSSL, some private CAs); set
	// both or neither. EABMACKey is base64url as the CA gives it
	// (padding allowed). They bind the account registered with
	// Directory only. EABMACKey is a secret: it never appears in a log
	// line or an error. Default empty: no binding.
	EABKeyID, EABMACKey string
	// InternalCA makes foyer's own CA (internalca.go) issue on demand
	// instead of ACME; the fields above but HandshakeTimeout are then
	// ignored. The CA is made on first use and kept in the storage.
	InternalCA bool
}

// issuing says the active config can obtain certificates; iss is its
// first ACME issuer, for HTTPChallenge (nil for the internal CA). One
// issuer answers for all of them: certmagic's HandleHTTPChallenge looks a
// token up under every issuer of the config it was made with (the
// distributed solver's storage keys), so a fallback's order is answered
// too.
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
//
// Configure refuses half-set External Account Binding (a key ID without
// a MAC key or the reverse) and a MAC key that is not base64url, with a
// *store.Error naming the setting, and keeps the previous config.
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
// the on-demand gate and one ACME issuer per directory: Directory (with
// EAB when set), then each fallback. It returns the first issuer.
//
// certmagic tries Config.Issuers in order within one obtain and moves to
// the next when an issuer's Issue fails, logging the failure; the error
// of the last one is returned. A dead directory costs what acmez spends
// provisioning it: three attempts 250ms apart when the connection is
// refused (about 0.5s), up to the order's deadline when the CA accepts
// and never answers (a handshake's order is bounded by HandshakeTimeout).
// Every issuer uses the directory itself on certmagic's retries too
// (TestCA = CA), so a retry never switches CA behind the operator's back.
func (m *Manager) issuingConfig(c IssueConfig) (*certmagic.Config, *certmagic.ACMEIssuer, error) {
	eab, err := eabOf(c)
	if err != nil {
		return nil, nil, err
	}
	var pool *x509.CertPool
	if c.Roots != "" {
		pool = x509.NewCertPool()
		if !appendPEM(pool, c.Roots) {
			return nil, nil, errors.New("acme roots: no PEM certificate found")
		}
	}
	zl := newZapLogger(m.log).Logger
	cfg := m.onDemandConfig()
	var issuers []certmagic.Issuer // not appended to cfg.Issuers: certmagic.New put its default there
	for i, dir := range directories(c) {
		tmpl := certmagic.ACMEIssuer{
			CA: dir, TestCA: dir, Email: c.Email, Agreed: true,
			TrustedRoots:            pool,
			DisableHTTPChallenge:    c.DisableHTTP01,
			DisableTLSALPNChallenge: c.DisableTLSALPN01,
			ListenHost:              c.ListenHost,
			AltHTTPPort:             c.HTTPPort,
			AltTLSALPNPort:          c.TLSPort,
			Logger:                  zl,
		}
		if i == 0 {
			tmpl.ExternalAccount = eab
		}
		issuers = append(issuers, certmagic.NewACMEIssuer(cfg, tmpl))
	}
	cfg.Issuers = issuers
	return cfg, issuers[0].(*certmagic.ACMEIssuer), nil
}

// directories is c.Directory, then c.Fallback in order, each once.
func directories(c IssueConfig) []string {
	dirs := []string{c.Directory}
	for _, d := range c.Fallback {
		if d = strings.TrimSpace(d); d != "" && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// eabOf returns c's External Account Binding, nil when none is set. The
// errors never quote the MAC key.
func eabOf(c IssueConfig) (*acmez.EAB, error) {
	kid, mac := strings.TrimSpace(c.EABKeyID), strings.TrimRight(strings.TrimSpace(c.EABMACKey), "=")
	switch {
	case kid == "" && mac == "":
		return nil, nil
	case mac == "":
		return nil, store.Errf(store.ErrInvalid, "settings.acme-eab-mac-key",
			"set acme-eab-mac-key to the MAC key the CA gave with this key ID, or clear acme-eab-key-id",
			"acme-eab-key-id is set but acme-eab-mac-key is not: External Account Binding needs both")
	case kid == "":
		return nil, store.Errf(store.ErrInvalid, "settings.acme-eab-key-id",
			"set acme-eab-key-id to the key ID the CA gave with this MAC key, or clear acme-eab-mac-key",
			"acme-eab-mac-key is set but acme-eab-key-id is not: External Account Binding needs both")
	}
	if _, err := base64.RawURLEncoding.DecodeString(mac); err != nil {
		return nil, store.Errf(store.ErrInvalid, "settings.acme-eab-mac-key",
			"paste the MAC key exactly as the CA shows it (base64url)", "the MAC key is not base64url")
	}
	return &acmez.EAB{KeyID: kid, MACKey: mac}, nil
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
		OnDemand: &certmagic.OnDemandConfig{DecisionFunc: func(ctx context.Context, name string) error {
			return m.gate(ctx, name)
		}},
	})
	cfg.DefaultServerName, cfg.FallbackServerName = "", ""
	cfg.OnEvent, cfg.ShouldEmitFunc = nil, nil
	// No CertSelection: see select.go for how imported certificates win.
	return cfg
}

// gate is the on-demand DecisionFunc. certmagic asks it before it loads
// a certificate from storage as well as before it orders one, so a name
// whose certificate is already stored is asked of Options.Eligible (no
// rate limit: loading costs the CA nothing, and a restart must not make
// handshakes wait for issuance budget); any other name of Options.Decide,
// which rate-limits. Everything is refused while Decide is nil.
func (m *Manager) gate(ctx context.Context, name string) error {
	if m.decide == nil {
		return errors.New("no issuance gate configured")
	}
	if m.eligible != nil && m.stored(ctx, name) {
		return m.eligible(name)
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
