package route

import (
	"net/netip"
	"strings"

	"github.com/foyerhq/foyer/store"
)

// hostBuf is the stack buffer a host is normalised into; a DNS name has at
// most store.MaxHostLen bytes.
type hostBuf [store.MaxHostLen]byte

// norm is the outcome of normalizeInto.
type norm uint8

const (
	normInvalid norm = iota // not a host foyer routes
	normFast                // the normal form is in the buffer
	normSlow                // non-ASCII: ask store.NormalizeHost
)

// NormalizeHost returns h in foyer's canonical form (lower case, port and
// one trailing dot removed, IDNA to ASCII), or ok=false if h is not a valid
// host name or IP literal. It agrees with store.NormalizeHost wherever both
// succeed, and is stricter in one place: an IPv6 literal with a zone
// ("fe80::1%eth0") is refused, since no Host header names a tenant that way.
// ASCII input is handled without store.NormalizeHost's allocations.
func NormalizeHost(h string) (string, bool) {
	var buf hostBuf
	n, st := normalizeInto(&buf, h)
	switch st {
	case normFast:
		if trimmed := strings.TrimSuffix(store.SplitHostPort(h), "."); trimmed == string(buf[:n]) {
			return trimmed, true // already normal: no copy
		}
		return string(buf[:n]), true
	case normSlow:
		return slowNormalize(h)
	}
	return "", false
}

// slowNormalize is the allocating path for non-ASCII hosts.
func slowNormalize(h string) (string, bool) {
	out, err := store.NormalizeHost(h)
	if err != nil || strings.IndexByte(out, '%') >= 0 {
		return "", false
	}
	return out, true
}

// normalizeInto writes the normal form of an ASCII host h into buf and
// returns its length. It mirrors store.NormalizeHost step by step and
// allocates nothing for a valid host; it returns normSlow for input that
// needs IDNA processing.
func normalizeInto(buf *hostBuf, h string) (int, norm) {
	h = strings.TrimSuffix(store.SplitHostPort(h), ".")
	if h == "" {
		return 0, normInvalid
	}
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return 0, normSlow
		}
	}
	if strings.IndexByte(h, ':') >= 0 {
		return ipInto(buf, h)
	}
	return ldhInto(buf, h)
}

// ipInto normalises an IPv6 literal. A zone is refused (see NormalizeHost).
func ipInto(buf *hostBuf, h string) (int, norm) {
	ip, err := netip.ParseAddr(h)
	if err != nil || ip.Zone() != "" {
		return 0, normInvalid
	}
	return len(ip.AppendTo(buf[:0])), normFast
}

// ldhInto lower-cases h into buf and checks that it is a valid LDH DNS
// name, exactly as store's asciiHost does. A dotted-quad IPv4 address
// passes as is, which is also its canonical form.
func ldhInto(buf *hostBuf, h string) (int, norm) {
	if len(h) > len(buf) {
		return 0, normInvalid
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.':
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		default:
			return 0, normInvalid
		}
		buf[i] = c
	}
	if !validLabels(buf[:len(h)]) {
		return 0, normInvalid
	}
	return len(h), normFast
}

// validLabels reports whether every dot-separated label of the lower-case
// name b is 1 to 63 bytes, neither starts nor ends with a hyphen, and does
// not carry "--" at positions 3-4 unless it is an "xn--" label.
func validLabels(b []byte) bool {
	for start := 0; start <= len(b); {
		end := start
		for end < len(b) && b[end] != '.' {
			end++
		}
		l := b[start:end]
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		if len(l) >= 4 && l[2] == '-' && l[3] == '-' && (l[0] != 'x' || l[1] != 'n') {
			return false
		}
		start = end + 1
	}
	return true
}
