package wizard

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// domainHint is the daemon's hint for a name it refuses.
const domainHint = "give a host name such as shop.customer.com (no scheme, no path)"

// checkDomain checks a custom domain by the daemon's rules (store's
// ValidateDomainName, which the TUI may not import) and returns its normal
// form: lower case, no trailing dot. A non-ASCII name is passed on as
// typed: the daemon converts it (IDNA) and answers if it is invalid.
func checkDomain(raw string) (string, error) {
	bad := func(format string, a ...any) error {
		return &api.Error{Msg: fmt.Sprintf(format, a...), Hint: domainHint, Field: "domain.name"}
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", bad("type the customer's domain")
	}
	if strings.ContainsAny(raw, "/:@[] ") {
		return "", bad("%q is not a host name", raw)
	}
	h := strings.ToLower(strings.TrimSuffix(raw, "."))
	if _, err := netip.ParseAddr(h); err == nil {
		return "", bad("%q is an IP address, not a domain", h)
	}
	if !strings.Contains(h, ".") {
		return "", bad("%q has a single label; a domain has at least two", h)
	}
	if len(h) > 253 {
		return "", bad("%q is %d bytes long; a DNS name has at most 253", h, len(h))
	}
	for _, label := range strings.Split(h, ".") {
		if err := checkLabel(label); err != "" {
			return "", bad("%q is not a valid host name: %s", h, err)
		}
	}
	return h, nil
}

// checkLabel says what is wrong with one ASCII label ("" if nothing).
func checkLabel(l string) string {
	switch {
	case l == "":
		return "an empty label (two dots in a row)"
	case len(l) > 63:
		return fmt.Sprintf("label %q is longer than 63 bytes", l)
	case l[0] == '-' || l[len(l)-1] == '-':
		return fmt.Sprintf("label %q starts or ends with a hyphen", l)
	case len(l) >= 4 && l[2:4] == "--" && l[:2] != "xn":
		return fmt.Sprintf("label %q has \"--\" in third and fourth place (reserved by IDNA)", l)
	}
	for _, r := range l {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
		case r > 127:
			return "" // IDNA: the daemon decides
		default:
			return fmt.Sprintf("label %q has the character %q", l, r)
		}
	}
	return ""
}
