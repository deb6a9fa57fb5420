package acme

import (
	"crypto/tls"
	"errors"
	"strings"

	"github.com/caddyserver/certmagic"
)

// errNoCertificate is returned when no cached certificate covers the name.
var errNoCertificate = errors.New("no certificate for this server name")

// preferImported is the certificate selector of every config: among the
// cached certificates that cover the SNI name, an imported one wins over
// one certmagic obtained (the operator's choice is explicit); otherwise
// certmagic's default choice. certmagic hands a custom selector every
// cached certificate when none matches the name, so this selector filters
// by name itself and refuses rather than serve a certificate for another
// name.
type preferImported struct{}

// SelectCertificate implements certmagic.CertificateSelector.
func (preferImported) SelectCertificate(hello *tls.ClientHelloInfo, choices []certmagic.Certificate) (certmagic.Certificate, error) {
	name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
	matching := make([]certmagic.Certificate, 0, len(choices))
	for _, c := range choices {
		if !coversName(c.Names, name) {
			continue
		}
		if c.HasTag(TagImported) {
			return c, nil
		}
		matching = append(matching, c)
	}
	if len(matching) == 0 {
		return certmagic.Certificate{}, errNoCertificate
	}
	return certmagic.DefaultCertificateSelector(hello, matching)
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
