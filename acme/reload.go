package acme

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/foyerhq/foyer/store"
)

// TagImported marks, in certmagic's cache, every certificate loaded from
// the store (as opposed to one certmagic will obtain). Each also carries
// the tag TagName + its store name.
const (
	TagImported = "foyer:imported"
	TagName     = "foyer:name="
)

// SourceImported is CertInfo.Source for a certificate from the store.
const SourceImported = "imported"

// CertInfo describes one certificate the Manager serves.
type CertInfo struct {
	Name      string    `json:"name"`   // the store name, e.g. "*.example.com", or the name obtained for
	SANs      []string  `json:"sans"`   // the leaf's DNS names
	Issuer    string    `json:"issuer"` // the issuer's distinguished name
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	Source    string    `json:"source"`  // SourceImported, SourceACME or SourceInternal
	Expired   bool      `json:"expired"` // NotAfter is before Options.Now()
	// IssuerKey is certmagic's issuer key (obtained certificates only):
	// the CA directory or internal CA it came from.
	IssuerKey string `json:"issuer_key,omitempty"`
	// Cached says whether an obtained certificate is in the cache now
	// (imported ones always are).
	Cached bool `json:"cached"`
}

// loadedCert is one store certificate as the cache holds it.
type loadedCert struct {
	hash   string   // certmagic's hash of the chain, the key for Remove
	digest [32]byte // of the PEM pair, to skip unchanged certificates
	info   CertInfo
}

// Reload makes the cache hold exactly the store's imported certificates:
// it caches new and replaced ones, then removes the ones no longer in the
// store. A certificate that fails to load is reported in the error and,
// if an earlier version of it was loaded, that one stays in service.
//
// Reload is safe to call while handshakes run; calls are serialised. It
// works on the one long-lived cache (certmagic's Cache.Remove by hash)
// rather than building a new cache and swapping it, because a certmagic
// Config is bound to its cache for life, and because certificates obtained
// on demand, which the certificates issue adds to this same cache, must
// survive a reload. A replaced certificate is added before the old one is
// removed, so its name is never without a certificate.
func (m *Manager) Reload(ctx context.Context) error {
	m.reloadMu.Lock() // held across the read, so an older list never wins
	defer m.reloadMu.Unlock()
	list, err := m.certs.ListCerts(ctx)
	if err != nil {
		return fmt.Errorf("list imported certificates: %w", err)
	}
	// Parsing a key pair is most of a start-up with many certificates:
	// spread it over the CPUs (the cache is safe for concurrent use).
	type result struct {
		lc  loadedCert
		err error
	}
	results := make([]result, len(list))
	var wg sync.WaitGroup
	work := make(chan int)
	for range min(runtime.GOMAXPROCS(0), max(len(list), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				lc, err := m.load(ctx, &list[i], m.loaded[list[i].Name])
				results[i] = result{lc, err}
			}
		}()
	}
	for i := range list {
		work <- i
	}
	close(work)
	wg.Wait()
	next := make(map[string]loadedCert, len(list))
	var errs []error
	for i := range list {
		c := &list[i]
		lc, err := results[i].lc, results[i].err
		if err != nil {
			errs = append(errs, fmt.Errorf("load certificate %s: %w", c.Name, err))
			if old, ok := m.loaded[c.Name]; ok {
				next[c.Name] = old
			}
			continue
		}
		next[c.Name] = lc
	}
	m.unloadStale(next)
	m.loaded = next
	m.publish(next)
	m.evictCovered(ctx)
	return errors.Join(errs...)
}

// load caches c unless prev already holds the same PEM pair.
func (m *Manager) load(ctx context.Context, c *store.Certificate, prev loadedCert) (loadedCert, error) {
	digest := pemDigest(c)
	if prev.hash != "" && prev.digest == digest {
		return prev, nil
	}
	pair, err := keyPair(c)
	if err != nil {
		return loadedCert{}, err
	}
	hash, err := m.cfg.CacheUnmanagedTLSCertificate(ctx, pair, []string{TagImported, TagName + c.Name})
	if err != nil {
		return loadedCert{}, fmt.Errorf("cache certificate: %w", err)
	}
	return loadedCert{hash: hash, digest: digest, info: infoFor(c.Name, pair)}, nil
}

// keyPair parses c for the cache. The leaf's CommonName is hidden from
// certmagic, which would otherwise index the certificate under it too:
// clients match SANs only, so a CN-only name must not select it.
func keyPair(c *store.Certificate) (tls.Certificate, error) {
	pair, err := tls.X509KeyPair([]byte(c.CertPEM), []byte(c.KeyPEM))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("parse key pair: %w", err)
	}
	leaf := *pair.Leaf // X509KeyPair fills Leaf
	leaf.Subject.CommonName = ""
	pair.Leaf = &leaf
	return pair, nil
}

// unloadStale removes from the cache what m loaded and next does not hold.
func (m *Manager) unloadStale(next map[string]loadedCert) {
	keep := make(map[string]bool, len(next))
	for _, lc := range next {
		keep[lc.hash] = true
	}
	var stale []string
	for _, lc := range m.loaded {
		if !keep[lc.hash] && !slices.Contains(stale, lc.hash) {
			stale = append(stale, lc.hash)
		}
	}
	if len(stale) > 0 {
		m.cache.Remove(stale)
	}
}

// publish stores the sorted CertInfo list that Certificates returns.
func (m *Manager) publish(loaded map[string]loadedCert) {
	infos := make([]CertInfo, 0, len(loaded))
	for _, lc := range loaded {
		infos = append(infos, lc.info)
	}
	slices.SortFunc(infos, func(a, b CertInfo) int { return strings.Compare(a.Name, b.Name) })
	m.infos.Store(&infos)
	now, sans := m.now(), map[string]bool{}
	for _, in := range infos {
		if now.Before(in.NotAfter) {
			for _, s := range in.SANs {
				sans[strings.ToLower(s)] = true
			}
		}
	}
	m.sans.Store(&sans)
}

// Certificates lists the certificates the Manager serves, sorted by name,
// as of the last Reload.
func (m *Manager) Certificates() []CertInfo {
	infos := slices.Clone(*m.infos.Load())
	now := m.now()
	for i := range infos {
		infos[i].SANs = slices.Clone(infos[i].SANs)
		infos[i].Expired = now.After(infos[i].NotAfter)
	}
	return infos
}

func infoFor(name string, pair tls.Certificate) CertInfo {
	return CertInfo{
		Name: name, SANs: slices.Clone(pair.Leaf.DNSNames), Issuer: pair.Leaf.Issuer.String(),
		NotBefore: pair.Leaf.NotBefore.UTC(), NotAfter: pair.Leaf.NotAfter.UTC(), Source: SourceImported, Cached: true,
	}
}

func pemDigest(c *store.Certificate) [32]byte {
	h := sha256.New()
	h.Write([]byte(c.CertPEM))
	h.Write([]byte{0})
	h.Write([]byte(c.KeyPEM))
	return [32]byte(h.Sum(nil))
}
