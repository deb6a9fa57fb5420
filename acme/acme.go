// Package acme owns foyer's TLS: the certificate cache every HTTPS listener
// serves from, and issuance from an ACME directory. It is the only
// package that imports certmagic.
//
// A Manager serves the certificates an operator imported into the store
// and, once Configure sets an ACME directory or turns on the internal CA
// (internalca.go), obtains others on demand during the handshake
// (issue.go), for the names the injected Options.Decide allows; acme never imports route. Imported certificates
// win for their names: the cache is consulted before anything is
// obtained. certmagic's storage (ACME account, obtained certificates) is
// the store's blobs when Options.Blobs is set (storage.go), else memory.
package acme

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/foyerhq/foyer/store"
)

// Options configures a Manager.
type Options struct {
	// Certs is where imported certificates are read from. Required.
	Certs store.Certs
	// Blobs is where certmagic keeps ACME accounts, issued certificates
	// and keys (through a Storage; store.Store provides it). If nil, an
	// in-memory storage is used and nothing survives a restart.
	Blobs store.Blobs
	// Logger receives certmagic's warnings and errors and the Manager's
	// own. If nil, slog.Default() is used.
	Logger *slog.Logger
	// Now is the clock used to report expiry in Certificates. If nil,
	// time.Now is used.
	Now func() time.Time
	// Decide is the issuance gate: certmagic obtains a certificate on
	// demand only for a name it returns nil for. It must answer from
	// memory, quickly: it runs inside TLS handshakes. If nil, nothing is
	// ever obtained.
	Decide func(name string) error
	// Eligible answers like Decide without its rate limits; it is asked
	// instead of Decide for a name whose certificate is already in
	// storage (a load, not an order). If nil, Decide is asked.
	Eligible func(name string) error
}

// Manager holds one certmagic cache and config (never certmagic.Default's
// globals) and keeps the imported certificates in that cache in step with
// the store. It is safe for concurrent use.
type Manager struct {
	certs    store.Certs
	log      *slog.Logger
	now      func() time.Time
	cache    *certmagic.Cache  // owns a maintenance goroutine, stopped by Close
	cfg      *certmagic.Config // set in New, never replaced; caches imported certificates
	decide   func(name string) error
	eligible func(name string) error

	// active is the config handshakes and the cache's maintenance use:
	// cfg, or one with an ACME issuer built by Configure (issue.go).
	active    atomic.Pointer[certmagic.Config]
	issuing   atomic.Pointer[issuing] // nil while ACME is off
	confMu    sync.Mutex              // serialises Configure; guards conf
	conf      IssueConfig             // what active was built from
	hsTimeout atomic.Int64            // handshake certificate deadline, ns

	reloadMu sync.Mutex            // serialises Reload; guards loaded
	loaded   map[string]loadedCert // by store name, what the cache holds
	infos    atomic.Pointer[[]CertInfo]
	sans     atomic.Pointer[map[string]bool] // unexpired imported SANs, for ImportedCovers
	stop     sync.Once
}

// New returns a Manager with an empty cache; call Reload to load the
// store's certificates before serving. Call Close when done.
func New(opts Options) (*Manager, error) {
	if opts.Certs == nil {
		return nil, errors.New("acme: Options.Certs is required")
	}
	m := &Manager{certs: opts.Certs, log: opts.Logger, now: opts.Now, decide: opts.Decide, eligible: opts.Eligible, loaded: map[string]loadedCert{}}
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.now == nil {
		m.now = time.Now
	}
	m.infos.Store(&[]CertInfo{})
	m.sans.Store(&map[string]bool{})
	m.hsTimeout.Store(int64(DefaultHandshakeTimeout))
	m.cache, m.cfg = newCertmagic(newZapLogger(m.log), &m.active)
	if opts.Blobs != nil { // before any use: certmagic.New only defaulted it
		m.cfg.Storage = NewStorage(opts.Blobs)
	}
	return m, nil
}

// newCertmagic builds a private cache and the one config tied to it.
// The cache asks cfgp for the config of a certificate it maintains.
func newCertmagic(zl *zapLogger, cfgp *atomic.Pointer[certmagic.Config]) (*certmagic.Cache, *certmagic.Config) {
	cache := certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return cfgp.Load(), nil },
		Logger:           zl.Logger,
	})
	cfg := certmagic.New(cache, certmagic.Config{
		// Issuers is empty, not nil: nil would make certmagic add a
		// default Let's Encrypt issuer. Nothing is obtained here.
		Issuers: []certmagic.Issuer{},
		// Storage is memory here; New replaces it with a Storage over
		// Options.Blobs (storage.go) when one is given.
		Storage: newMemStorage(),
		// Stapling is off so that Reload never waits on the network.
		OCSP:   certmagic.OCSPConfig{DisableStapling: true},
		Logger: zl.Logger,
	})
	// New copies these from certmagic.Default when they are zero; pin
	// them so no global can turn on issuance or a default certificate.
	cfg.OnDemand = nil
	cfg.DefaultServerName, cfg.FallbackServerName = "", ""
	cfg.OnEvent, cfg.ShouldEmitFunc = nil, nil
	// No CertSelection: see select.go for how imported certificates win.
	cfgp.Store(cfg)
	return cache, cfg
}

// Close stops the cache's maintenance goroutine. Handshakes must have
// ended; calling Close more than once is harmless.
func (m *Manager) Close() error {
	m.stop.Do(m.cache.Stop)
	return nil
}
