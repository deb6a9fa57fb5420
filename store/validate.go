package store

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Limits on what the store accepts. They are generous for real use and small
// enough that a malformed or hostile input cannot bloat the store.
const (
	MaxNameLen   = 100  // tenant display name, in characters
	MaxURLLen    = 2048 // backend URL
	MaxHostLen   = 253  // DNS name
	MaxWeight    = 1000 // backend weight
	MaxCertBytes = 1 << 20
)

// idnaProfile is the IDNA2008 lookup profile browsers use, with the
// strictness a proxy wants (no underscores, no leading hyphens).
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.StrictDomainName(true), idna.Transitional(false))

// NormalizeHost turns a Host header or a typed domain into foyer's canonical
// form: port and trailing dot removed, lower case, IDNA to ASCII (xn--).
// It returns an error that says what is wrong for anything that is not a
// valid DNS name or IP literal.
func NormalizeHost(h string) (string, error) {
	h = SplitHostPort(h)
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return "", errors.New("host is empty")
	}
	if len(h) > 4*MaxHostLen {
		return "", fmt.Errorf("host is %d bytes long; a DNS name has at most %d", len(h), MaxHostLen)
	}
	if ip, err := netip.ParseAddr(h); err == nil {
		if ip.Zone() != "" {
			return "", fmt.Errorf("%q has an IPv6 zone; a host name or plain address is needed", h)
		}
		return ip.String(), nil
	}
	if fast, ok := asciiHost(h); ok {
		return fast, nil
	}
	a, err := idnaProfile.ToASCII(h)
	if err != nil {
		return "", fmt.Errorf("%q is not a valid host name: %v", h, err)
	}
	if out, ok := asciiHost(a); ok {
		return out, nil
	}
	return "", fmt.Errorf("%q is not a valid host name", h)
}

// SplitHostPort strips a port from "host:port" and the brackets from
// "[v6]:port" or "[v6]". A bare IPv6 address is returned as it is. It
// returns "" (which no caller accepts) for a malformed form: a port that is
// not a number, text after "]", or brackets around something that is not an
// IPv6 literal.
func SplitHostPort(h string) string {
	if strings.HasPrefix(h, "[") {
		i := strings.IndexByte(h, ']')
		if i < 0 || !validPort(h[i+1:], true) || !strings.Contains(h[1:i], ":") {
			return ""
		}
		return h[1:i]
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.IndexByte(h, ':') == i {
		if !validPort(h[i:], false) {
			return ""
		}
		return h[:i]
	}
	return h
}

// validPort reports whether rest is "", or ":" and up to 5 digits (an
// empty port is allowed by RFC 3986). Without brackets rest starts at ':'.
func validPort(rest string, bracketed bool) bool {
	if rest == "" {
		return bracketed
	}
	if rest[0] != ':' || len(rest) > 6 {
		return false
	}
	for i := 1; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return true
}

// asciiHost lower-cases h and checks it is a valid LDH DNS name. It returns
// ok=false for anything that needs IDNA processing or is invalid.
func asciiHost(h string) (string, bool) {
	if len(h) > MaxHostLen {
		return "", false
	}
	needLower := false
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.':
		case c >= 'A' && c <= 'Z':
			needLower = true
		default:
			return "", false
		}
	}
	if needLower {
		h = strings.ToLower(h)
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", false
		}
		if len(label) >= 4 && label[2:4] == "--" && label[:2] != "xn" {
			return "", false // reserved by IDNA
		}
	}
	return h, true
}

// ValidSlug reports whether s is a valid tenant slug or pool name: a DNS
// label of lower-case letters, digits and inner hyphens.
func ValidSlug(s string, max int) bool {
	if len(s) == 0 || len(s) > max || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

const slugHint = "use 1 to 63 lower-case letters, digits and inner hyphens, e.g. acme or blue-shop"

func validateSlug(field, s string) error {
	if !ValidSlug(s, 63) {
		return invalid(field, slugHint, "%q is not a valid slug", truncate(s))
	}
	return nil
}

func validateName(field, s string) error {
	if s == "" {
		return invalid(field, "give a display name, e.g. --name \"Acme Inc.\"", "must not be empty")
	}
	if !utf8.ValidString(s) {
		return invalid(field, "", "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > MaxNameLen {
		return invalid(field, "", "is %d characters long; the limit is %d", n, MaxNameLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalid(field, "", "must not contain control characters")
		}
	}
	return nil
}

// ValidateBackendURL checks a backend URL and returns it in canonical form.
func ValidateBackendURL(raw string) (string, error) {
	const field = "backend.url"
	const hint = "give a URL such as http://127.0.0.1:8001 or https://app.internal:8443"
	if len(raw) > MaxURLLen {
		return "", invalid(field, hint, "is %d bytes long; the limit is %d", len(raw), MaxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", invalid(field, hint, "%q is not a URL", truncate(raw))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", invalid(field, hint, "scheme must be http or https, got %q", truncate(u.Scheme))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", invalid(field, hint, "must not carry user info, a query or a fragment")
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return "", invalid(field, hint, "%q has no host", truncate(raw))
	}
	h, err := NormalizeHost(host)
	if err != nil {
		return "", invalid(field, hint, "%v", err)
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", invalid(field, hint, "port %q is not a number from 1 to 65535", port)
		}
		h = net.JoinHostPort(h, port)
	} else if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	u.Host = h
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// ValidateDomainName checks a custom domain and returns its normal form.
func ValidateDomainName(field, raw string) (string, error) {
	const hint = "give a host name such as shop.customer.com (no scheme, no path)"
	if strings.ContainsAny(raw, "/:@[] ") {
		return "", invalid(field, hint, "%q is not a host name", truncate(raw))
	}
	h, err := NormalizeHost(raw)
	if err != nil {
		return "", invalid(field, hint, "%v", err)
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return "", invalid(field, hint, "%q is an IP address, not a domain", h)
	}
	if !strings.Contains(h, ".") {
		return "", invalid(field, hint, "%q has a single label; a domain has at least two", h)
	}
	return h, nil
}

// ValidateCertName checks the name a certificate is imported for: a domain
// or a wildcard "*.domain".
func ValidateCertName(raw string) (string, error) {
	if rest, ok := strings.CutPrefix(raw, "*."); ok {
		h, err := ValidateDomainName("cert.name", rest)
		if err != nil {
			return "", err
		}
		return "*." + h, nil
	}
	return ValidateDomainName("cert.name", raw)
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
