package acme

import (
	"strings"

	"github.com/caddyserver/certmagic"
)

// Imported certificates win for their names. foyer does not give
// certmagic a custom CertificateSelector for that: certmagic hands a
// custom selector a copy of every cached certificate whenever no
// certificate is indexed under the name, so each unknown or wildcard-served
// SNI would cost time and memory in proportion to the cache (megabytes a
// handshake with thousands of certificates). Instead, no obtained
// certificate is ever cached beside an imported one that covers its name:
// the gate refuses names an imported certificate covers (ImportedCovers),
// Reload evicts obtained certificates that a newly imported one covers,
// and certmagic's own exact-then-wildcard lookup does the rest.

// ImportedCovers reports whether an unexpired imported certificate
// covers name exactly or by a wildcard one label up. It answers from a
// set built at Reload, in constant time.
func (m *Manager) ImportedCovers(name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	set := *m.sans.Load()
	if set[name] {
		return true
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		return set["*"+name[i:]]
	}
	return false
}

// coversName reports whether one of a certificate's names covers name,
// a wildcard covering exactly one label.
func coversName(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) || certmagic.MatchWildcard(name, strings.ToLower(n)) {
			return true
		}
	}
	return false
}

// ImportedFor returns the unexpired imported certificate that covers
// name, if any (the one with the latest expiry).
func (m *Manager) ImportedFor(name string) (CertInfo, bool) {
	var best CertInfo
	found := false
	now := m.now()
	for _, c := range *m.infos.Load() {
		if now.Before(c.NotAfter) && coversName(c.SANs, name) && (!found || c.NotAfter.After(best.NotAfter)) {
			best, found = c, true
		}
	}
	return best, found
}
