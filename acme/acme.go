// Package acme owns foyer's TLS: the certificate cache every HTTPS listener
// serves from, and (later) issuance from an ACME directory. It is the only
// package that imports certmagic.
//
// Today a Manager serves the certificates an operator imported into the
// store and nothing else: it has no ACME issuer and no on-demand
// configuration, so a handshake for a name without an imported certificate
// fails at once and nothing is ever obtained. The certificates issue adds
// issuance, the on-demand gate (a Decide(name) error function the appliance
// injects, so acme never imports route) and a certmagic.Storage over the
// store that replaces the in-memory one used here.
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
}

// Manager holds one certmagic cache and config (never certmagic.Default's
// globals) and keeps the imported certificates in that cache in step with
// the store. It is safe for concurrent use.
type Manager struct {
	certs store.Certs
	log   *slog.Logger
	now   func() time.Time
	cache *certmagic.Cache  // owns a maintenance goroutine, stopped by Close
	cfg   *certmagic.Config // set in New, never replaced

	reloadMu sync.Mutex            // serialises Reload; guards loaded
	loaded   map[string]loadedCert // by store name, what the cache holds
	infos    atomic.Pointer[[]CertInfo]
	stop     sync.Once
}

// New returns a Manager with an empty cache; call Reload to load the
// store's certificates before serving. Call Close when done.
func New(opts Options) (*Manager, error) {
	if opts.Certs == nil {
		return nil, errors.New("acme: Options.Certs is required")
	}
	m := &Manager{certs: opts.Certs, log: opts.Logger, now: opts.Now, loaded: map[string]loadedCert{}}
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.now == nil {
		m.now = time.Now
	}
	m.infos.Store(&[]CertInfo{})
	m.cache, m.cfg = newCertmagic(newZapLogger(m.log))
	if opts.Blobs != nil { // before any use: certmagic.New only defaulted it
		m.cfg.Storage = NewStorage(opts.Blobs)
	}
	return m, nil
}

// newCertmagic builds a private cache and the one config tied to it.
func newCertmagic(zl *zapLogger) (*certmagic.Cache, *certmagic.Config) {
	var cfgp atomic.Pointer[certmagic.Config]
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
	cfg.CertSelection = nil
	cfgp.Store(cfg)
	return cache, cfg
}

// Close stops the cache's maintenance goroutine. Handshakes must have
// ended; calling Close more than once is harmless.
func (m *Manager) Close() error {
	m.stop.Do(m.cache.Stop)
	return nil
}
