package acme

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"
)

// The sources of CertInfo besides SourceImported.
const (
	SourceACME     = "acme"     // obtained from an ACME directory
	SourceInternal = "internal" // issued by foyer's internal CA
)

// internalKeyPrefix starts the issuer key of the internal CA (internalca.go).
const internalKeyPrefix = "foyer-internal-ca-"

// IssuedCertificates lists every certificate certmagic obtained and keeps
// in storage (ACME or internal CA), sorted by name then newest first:
// the certificates a restored box serves without re-issuing. Name is the
// name it was obtained for; Cached says whether the cache holds it now.
func (m *Manager) IssuedCertificates(ctx context.Context) ([]CertInfo, error) {
	st := m.cfg.Storage
	keys, err := st.List(ctx, "certificates", true)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list issued certificates: %w", err)
	}
	now := m.now()
	var out []CertInfo
	for _, k := range keys {
		if !strings.HasSuffix(k, ".crt") {
			continue
		}
		parts := strings.Split(k, "/") // certificates/<issuer key>/<name>/<name>.crt
		if len(parts) != 4 {
			continue
		}
		pemBytes, err := st.Load(ctx, k)
		if err != nil {
			continue // removed meanwhile
		}
		leaf, err := firstCert(pemBytes)
		if err != nil {
			m.log.Warn("issued certificate in storage does not parse", "key", k, "err", err)
			continue
		}
		src := SourceACME
		if strings.HasPrefix(parts[1], internalKeyPrefix) {
			src = SourceInternal
		}
		out = append(out, CertInfo{
			Name: leafName(leaf, parts[2]), SANs: slices.Clone(leaf.DNSNames), Issuer: leaf.Issuer.String(),
			NotBefore: leaf.NotBefore.UTC(), NotAfter: leaf.NotAfter.UTC(), Source: src, IssuerKey: parts[1],
			Expired: now.After(leaf.NotAfter), Cached: m.Cached(leafName(leaf, parts[2])),
		})
	}
	slices.SortFunc(out, func(a, b CertInfo) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return b.NotAfter.Compare(a.NotAfter)
	})
	return out, nil
}

// leafName is the name a stored certificate was obtained for: its first
// DNS SAN (certmagic obtains one name per certificate), else the
// storage directory's name.
func leafName(leaf *x509.Certificate, dir string) string {
	if len(leaf.DNSNames) > 0 {
		return strings.ToLower(leaf.DNSNames[0])
	}
	return dir
}

func firstCert(pemBytes []byte) (*x509.Certificate, error) {
	b, _ := pem.Decode(pemBytes)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(b.Bytes)
}

// Cached reports whether the cache holds a certificate certmagic manages
// (obtained, not imported) for exactly name.
func (m *Manager) Cached(name string) bool {
	for _, c := range m.cache.AllMatchingCertificates(name) {
		if !c.HasTag(TagImported) && slices.Contains(c.Names, name) {
			return true
		}
	}
	return false
}

// Evict removes the obtained certificates for exactly these names from
// the cache, which ends their renewals: a handshake for one of them then
// asks Options.Decide again before anything is loaded or obtained.
// Imported certificates stay. The certificates stay in storage, so a
// domain added back is served again without a new order.
func (m *Manager) Evict(names []string) {
	if len(names) == 0 {
		return
	}
	subjects := make([]certmagic.SubjectIssuer, len(names))
	for i, n := range names {
		subjects[i] = certmagic.SubjectIssuer{Subject: n}
	}
	m.cache.RemoveManaged(subjects)
}

// Renew makes sure the cache holds a current certificate for name, which
// the caller has verified: it loads the stored one, renews it when
// certmagic's renewal window has been reached (a third of its life
// left), and returns the expiry of the certificate now served. With no
// certificate in storage it obtains one, as Obtain does.
//
// Renew is how certificates of custom domains are renewed without
// waiting for a visitor: the on-demand config renews only during
// handshakes (certmagic's maintenance skips on-demand configs).
func (m *Manager) Renew(ctx context.Context, name string) (time.Time, error) {
	if m.issuing.Load() == nil {
		return time.Time{}, ErrIssuanceOff
	}
	cfg := m.active.Load()
	cert, err := cfg.CacheManagedCertificate(ctx, name)
	if err != nil {
		return m.Obtain(ctx, name) // nothing (usable) in storage
	}
	if cert.Leaf == nil || !cert.NeedsRenewal(cfg) {
		if cert.Leaf == nil {
			return time.Time{}, fmt.Errorf("load certificate for %s: no leaf", name)
		}
		return cert.Leaf.NotAfter, nil
	}
	if err := cfg.RenewCertSync(ctx, name, false); err != nil {
		return cert.Leaf.NotAfter, fmt.Errorf("renew certificate for %s: %w", name, err)
	}
	m.Evict([]string{name}) // drop the old one; a handshake meanwhile loads the new one from storage
	cert, err = cfg.CacheManagedCertificate(ctx, name)
	if err != nil || cert.Leaf == nil {
		return time.Time{}, fmt.Errorf("load renewed certificate for %s: %v", name, err)
	}
	return cert.Leaf.NotAfter, nil
}

// stored reports whether storage holds a certificate for name from one
// of the active config's issuers.
func (m *Manager) stored(ctx context.Context, name string) bool {
	for _, is := range m.active.Load().Issuers {
		if m.cfg.Storage.Exists(ctx, certmagic.StorageKeys.SiteCert(is.IssuerKey(), name)) {
			return true
		}
	}
	return false
}

// evictCovered removes from the cache every obtained certificate whose
// name an imported certificate now covers, so the imported one serves it
// (select.go). The names come from storage's key paths; nothing is parsed.
func (m *Manager) evictCovered(ctx context.Context) {
	keys, err := m.cfg.Storage.List(ctx, "certificates", true)
	if err != nil {
		return // nothing obtained yet
	}
	var covered []string
	for _, k := range keys {
		parts := strings.Split(k, "/") // certificates/<issuer key>/<name>/<name>.crt
		if len(parts) == 4 && strings.HasSuffix(k, ".crt") && m.ImportedCovers(parts[2]) && !slices.Contains(covered, parts[2]) {
			covered = append(covered, parts[2])
		}
	}
	m.Evict(covered)
}
