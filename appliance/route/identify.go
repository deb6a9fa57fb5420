package route

// Rule says which identification rule matched a request.
type Rule uint8

// Identification rules, in the order Identify tries them.
const (
	RuleNone   Rule = iota // no match
	RuleHost               // the host is one of the tenant's custom domains
	RuleSlug               // the host is <slug>.<base_domain>
	RuleAlias              // the host is <alias>.<base_domain>
	RulePath               // the bare base domain, and the path is under the tenant's id-path
	RuleHeader             // the bare base domain, and X-Tenant-ID proposes the tenant
	RuleJWT                // the bare base domain, and a bearer JWT's claim proposes the tenant
)

// Proposed reports whether the rule only proposes the tenant: the request
// must then authenticate as that tenant (an API key or a JWT verified with
// its key) before anything else runs, because anyone can send a header.
func (r Rule) Proposed() bool { return r == RuleHeader || r == RuleJWT }

// TenantHeader is the header RuleHeader reads.
const TenantHeader = "X-Tenant-Id"

// String returns the rule's name as shown in logs and the API.
func (r Rule) String() string {
	switch r {
	case RuleHost:
		return "host"
	case RuleSlug:
		return "slug"
	case RuleAlias:
		return "alias"
	case RulePath:
		return "path"
	case RuleHeader:
		return "header"
	case RuleJWT:
		return "jwt"
	}
	return "none"
}

// Match is the result of Identify.
type Match struct {
	Tenant *Tenant
	Rule   Rule
	// Name is what matched: the custom domain for RuleHost,
	// <slug>.<base_domain> for RuleSlug, <alias>.<base_domain> for
	// RuleAlias, the id-path for RulePath, the proposed slug for RuleHeader
	// and RuleJWT.
	Name string
	// Strip is the prefix to remove from the path sent to the backend
	// (RulePath with id-path-strip on), else "".
	Strip string
}

// Identify names the tenant a request is for. It tries, in order: an
// exact custom domain in any state (routing does not wait for
// verification; only certificate issuance does), <slug>.<base_domain>
// and <alias>.<base_domain> with exactly one label below the base domain.
// Only when the host is the bare base domain itself does it go on to the
// opt-in rules of tenants that enable them: the path under an id-path
// (routing, like a host), then X-Tenant-ID, then a bearer JWT's claim. The
// last two only propose a tenant (Rule.Proposed): the caller must
// authenticate the request as that tenant. Suspended tenants are
// identified like any other; the proxy answers 503 for them. An unknown or
// invalid host returns ok=false.
//
// header may be nil (no header rules). Identify allocates nothing for a
// valid ASCII host, hit or miss, nor for the path and header rules; the JWT
// rule decodes the token's payload, which does; a non-ASCII host goes
// through store.NormalizeHost, which does too.
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
	if m, ok := t.lookup(buf[:n]); ok || !t.shared(buf[:n]) {
		return m, ok
	}
	return t.identifyShared(path, header)
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
	if a, ok := t.aliases[string(label)]; ok {
		return Match{Tenant: a.tenant, Rule: RuleAlias, Name: a.name}, true
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
