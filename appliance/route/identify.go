package route

import "github.com/foyerhq/foyer/store"

// Rule says which identification rule matched a request.
type Rule uint8

// Identification rules, in the order Identify tries them.
const (
	RuleNone Rule = iota // no match
	RuleHost             // the host is one of the tenant's custom domains
	RuleSlug             // the host is <slug>.<base_domain>
)

// String returns the rule's name as shown in logs and the API.
func (r Rule) String() string {
	switch r {
	case RuleHost:
		return "host"
	case RuleSlug:
		return "slug"
	}
	return "none"
}

// Match is the result of Identify.
type Match struct {
	Tenant *Tenant
	Rule   Rule
	// Name is the normalised host that matched: the custom domain for
	// RuleHost, <slug>.<base_domain> for RuleSlug.
	Name string
}

// Identify names the tenant a request is for, from its Host (or SNI) host.
// It tries, in order: an exact custom domain in any state but suspended
// (routing does not wait for verification; only certificate issuance
// does), then <slug>.<base_domain> with exactly one label below the base
// domain. Suspended tenants are identified like any other; the proxy
// answers 503 for them. An unknown or invalid host returns ok=false.
//
// path and header are accepted for the path-prefix, header and JWT rules a
// later issue adds; they are not used yet, and header may be nil.
// Identify allocates nothing for a valid ASCII host, hit or miss; a
// non-ASCII host goes through store.NormalizeHost, which does.
func (t *Table) Identify(host, path string, header func(string) string) (Match, bool) {
	var buf hostBuf
	n, st := normalizeInto(&buf, host)
	switch st {
	case normSlow:
		name, ok := slowNormalize(host)
		if !ok || len(name) > len(buf) {
			return Match{}, false
		}
		n = copy(buf[:], name)
	case normInvalid:
		return Match{}, false
	}
	return t.lookup(buf[:n])
}

// lookup matches the normalised host b. Every map index converts b in
// place, which the compiler does without allocating.
func (t *Table) lookup(b []byte) (Match, bool) {
	if ref, ok := t.hosts[string(b)]; ok {
		return Match{Tenant: ref.tenant, Rule: RuleHost, Name: ref.name}, true
	}
	label, ok := t.belowBase(b)
	if !ok {
		return Match{}, false
	}
	if tn, ok := t.slugs[string(label)]; ok {
		return Match{Tenant: tn, Rule: RuleSlug, Name: tn.slugHost}, true
	}
	return Match{}, false
}

// belowBase returns the label of b when b is exactly one label below the
// base domain.
func (t *Table) belowBase(b []byte) ([]byte, bool) {
	cut := len(b) - len(t.base) - 1
	if t.base == "" || cut < 1 || b[cut] != '.' || string(b[cut+1:]) != t.base {
		return nil, false
	}
	for _, c := range b[:cut] {
		if c == '.' {
			return nil, false
		}
	}
	return b[:cut], true
}

// routable reports whether a custom domain in state s routes traffic.
func routable(s store.DomainState) bool { return s != store.DomainSuspended }
