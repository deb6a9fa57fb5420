package store

import (
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Policy is a set of KEY=VALUE policy settings, each key one of
// PolicyKeys. A plan holds one; a tenant holds its overrides of its plan.
// A key that is absent takes its value from the layer below (tenant <-
// plan <- default).
type Policy map[string]string

// APIKeyMode says whether a tenant's requests must carry one of its API keys.
type APIKeyMode string

// API key modes.
const (
	APIKeysOff      APIKeyMode = "off"      // keys are not checked (the default)
	APIKeysOptional APIKeyMode = "optional" // a request may carry a key; a bad one is refused
	APIKeysRequired APIKeyMode = "required" // every request must carry a valid key
)

// Header is one header name and value of a header rule.
type Header struct {
	Name  string // canonical form (X-Api-Version)
	Value string
}

// EffectivePolicy is a tenant's policy with every key resolved (defaults
// <- plan <- tenant overrides) and parsed, as the proxy applies it.
type EffectivePolicy struct {
	Rate               float64       // requests per second for the tenant; 0 = no limit
	Burst              int           // bucket size of Rate; at least 1 when Rate is on
	IPRate             float64       // requests per second per client IP; 0 = no limit
	IPBurst            int           // bucket size of IPRate
	MaxInFlight        int           // requests in flight for the tenant; 0 = no limit
	Queue              int           // requests that may wait for a slot when MaxInFlight is reached
	QueueTimeout       time.Duration // how long a queued request waits before 503
	Allow              []netip.Prefix
	Deny               []netip.Prefix
	APIKeys            APIKeyMode
	Maintenance        bool
	MaintenanceMessage string
	RedirectHTTPS      bool
	HSTS               bool
	RequestSet         []Header
	RequestRemove      []string // canonical header names
	ResponseSet        []Header
	ResponseRemove     []string

	IdentPolicy      // identification beyond Host (policy_ident.go)
	ResiliencePolicy // retries, breaker, timeouts, body limit (policy_resilience.go)
}

// PolicyKey describes one key of a Policy.
type PolicyKey struct {
	Key     string // kebab-case, as typed on the command line
	Doc     string
	Default string
	parse   func(p *EffectivePolicy, v string) error
}

// Limits of policy values.
const (
	MaxPolicyRate  = 1e6
	MaxPolicyBurst = 1e6
	MaxPolicyQueue = 10000
	MaxPolicyCIDRs = 1000
	MaxPolicyValue = 4096 // bytes of one value
	MaxMessageLen  = 500  // characters of maintenance-message
)

func rateKey(key, doc string, f func(*EffectivePolicy) *float64) PolicyKey {
	return PolicyKey{Key: key, Doc: doc, Default: "0", parse: func(p *EffectivePolicy, v string) error {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(r) || r < 0 || r > MaxPolicyRate {
			return fmt.Errorf("must be a number of requests per second from 0 (off) to %g, got %q", float64(MaxPolicyRate), v)
		}
		*f(p) = r
		return nil
	}}
}

func intKey(key, doc, def string, max int, f func(*EffectivePolicy) *int) PolicyKey {
	return PolicyKey{Key: key, Doc: doc, Default: def, parse: func(p *EffectivePolicy, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > max {
			return fmt.Errorf("must be a whole number from 0 to %d, got %q", max, v)
		}
		*f(p) = n
		return nil
	}}
}

func boolKey(key, doc, def string, f func(*EffectivePolicy) *bool) PolicyKey {
	return PolicyKey{Key: key, Doc: doc, Default: def, parse: func(p *EffectivePolicy, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false, got %q", v)
		}
		*f(p) = b
		return nil
	}}
}

func cidrKey(key, doc string, f func(*EffectivePolicy) *[]netip.Prefix) PolicyKey {
	return PolicyKey{Key: key, Doc: doc, parse: func(p *EffectivePolicy, v string) error {
		out, err := parseCIDRs(v)
		*f(p) = out
		return err
	}}
}

func parseCIDRs(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range splitList(v) {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is not a CIDR or IP address (e.g. 10.0.0.0/8,203.0.113.7)", truncate(s))
			}
			pfx = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if pfx.Addr().Is4In6() {
			pfx = netip.PrefixFrom(pfx.Addr().Unmap(), max(0, pfx.Bits()-96))
		}
		out = append(out, pfx.Masked())
	}
	if len(out) > MaxPolicyCIDRs {
		return nil, fmt.Errorf("at most %d CIDRs, got %d", MaxPolicyCIDRs, len(out))
	}
	return out, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func headerSetKey(key, doc string, f func(*EffectivePolicy) *[]Header) PolicyKey {
	return PolicyKey{Key: key, Doc: doc, parse: func(p *EffectivePolicy, v string) error {
		var out []Header
		for _, s := range splitList(v) {
			name, val, ok := strings.Cut(s, ":")
			if !ok {
				return fmt.Errorf("%q is not NAME:VALUE (e.g. X-Plan:pro,X-Env:prod)", truncate(s))
			}
			name, err := policyHeaderName(strings.TrimSpace(name))
			if err != nil {
				return err
			}
			val = strings.TrimSpace(val)
			if !validHeaderValue(val) {
				return fmt.Errorf("header %s: the value holds a control character", name)
			}
			out = append(out, Header{Name: name, Value: val})
		}
		*f(p) = out
		return nil
	}}
}

func headerRemoveKey(key, doc string, f func(*EffectivePolicy) *[]string) PolicyKey {
	return PolicyKey{Key: key, Doc: doc, parse: func(p *EffectivePolicy, v string) error {
		var out []string
		for _, s := range splitList(v) {
			name, err := policyHeaderName(s)
			if err != nil {
				return err
			}
			out = append(out, name)
		}
		*f(p) = out
		return nil
	}}
}

// reservedHeaders are headers a header rule may not touch: hop-by-hop
// headers, framing, and those foyer itself sets.
var reservedHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Proxy-Connection": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Host": true, "Content-Length": true, "X-Request-Id": true, "Forwarded": true,
	"X-Forwarded-For": true, "X-Forwarded-Host": true, "X-Forwarded-Proto": true,
	"Retry-After": true, "Ratelimit-Limit": true, "Ratelimit-Remaining": true, "Ratelimit-Reset": true,
	"Www-Authenticate": true,
}

// policyHeaderName validates a header rule's name and returns its
// canonical form.
func policyHeaderName(s string) (string, error) {
	if s == "" || len(s) > 100 {
		return "", fmt.Errorf("a header name has 1 to 100 characters, got %q", truncate(s))
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return "", fmt.Errorf("%q is not a valid header name", truncate(s))
		}
	}
	c := canonicalHeader(s)
	if reservedHeaders[c] || strings.HasPrefix(c, "X-Foyer-") {
		return "", fmt.Errorf("header %s is set by foyer or the connection; a rule may not change it", c)
	}
	return c, nil
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// canonicalHeader is textproto.CanonicalMIMEHeaderKey for a valid token
// (store does not import net/textproto's users; this is the same rule).
func canonicalHeader(s string) string {
	b := []byte(s)
	upper := true
	for i, c := range b {
		switch {
		case upper && c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case !upper && c >= 'A' && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
		upper = c == '-'
	}
	return string(b)
}

func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// PolicyKeys is every key a Policy may hold, sorted by key.
var PolicyKeys = func() []PolicyKey {
	keys := []PolicyKey{
		rateKey("rate", "requests per second for the whole tenant (token bucket); 0 turns it off",
			func(p *EffectivePolicy) *float64 { return &p.Rate }),
		intKey("burst", "requests above rate a client may send at once; 0 means rate rounded up", "0", MaxPolicyBurst,
			func(p *EffectivePolicy) *int { return &p.Burst }),
		rateKey("ip-rate", "requests per second per client IP; 0 turns it off",
			func(p *EffectivePolicy) *float64 { return &p.IPRate }),
		intKey("ip-burst", "the per-IP bucket size; 0 means ip-rate rounded up", "0", MaxPolicyBurst,
			func(p *EffectivePolicy) *int { return &p.IPBurst }),
		intKey("max-in-flight", "requests in flight for the tenant; more get 503 (or wait in the queue); 0 turns it off", "0", 1e6,
			func(p *EffectivePolicy) *int { return &p.MaxInFlight }),
		intKey("queue", "requests that may wait for a slot when max-in-flight is reached", "0", MaxPolicyQueue,
			func(p *EffectivePolicy) *int { return &p.Queue }),
		{Key: "queue-timeout", Doc: "how long a queued request waits for a slot before 503", Default: "1s",
			parse: func(p *EffectivePolicy, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil || d < 0 || d > time.Minute {
					return fmt.Errorf("must be a duration from 0s to 1m, got %q", v)
				}
				p.QueueTimeout = d
				return nil
			}},
		cidrKey("allow", "comma-separated CIDRs; when set, only these client IPs are served",
			func(p *EffectivePolicy) *[]netip.Prefix { return &p.Allow }),
		cidrKey("deny", "comma-separated CIDRs refused with 403 (checked before allow)",
			func(p *EffectivePolicy) *[]netip.Prefix { return &p.Deny }),
		{Key: "api-keys", Doc: "off, optional (a bad key is refused) or required (every request needs a key)", Default: "off",
			parse: func(p *EffectivePolicy, v string) error {
				switch m := APIKeyMode(v); m {
				case APIKeysOff, APIKeysOptional, APIKeysRequired:
					p.APIKeys = m
					return nil
				}
				return fmt.Errorf("must be off, optional or required, got %q", v)
			}},
		boolKey("maintenance", "answer every request with 503 and maintenance-message", "false",
			func(p *EffectivePolicy) *bool { return &p.Maintenance }),
		{Key: "maintenance-message", Doc: "the text of the maintenance page",
			Default: "This site is down for maintenance; please try again soon.",
			parse: func(p *EffectivePolicy, v string) error {
				if len([]rune(v)) > MaxMessageLen || !validHeaderValue(v) {
					return fmt.Errorf("must be one line of at most %d characters", MaxMessageLen)
				}
				p.MaintenanceMessage = v
				return nil
			}},
		boolKey("redirect-https", "redirect plain-HTTP requests to HTTPS with 308", "false",
			func(p *EffectivePolicy) *bool { return &p.RedirectHTTPS }),
		boolKey("hsts", "send Strict-Transport-Security on HTTPS answers", "true",
			func(p *EffectivePolicy) *bool { return &p.HSTS }),
		headerSetKey("request-headers-set", "headers set on requests to the backend: NAME:VALUE,...",
			func(p *EffectivePolicy) *[]Header { return &p.RequestSet }),
		headerRemoveKey("request-headers-remove", "headers removed from requests to the backend: NAME,...",
			func(p *EffectivePolicy) *[]string { return &p.RequestRemove }),
		headerSetKey("response-headers-set", "headers set on answers to the client: NAME:VALUE,...",
			func(p *EffectivePolicy) *[]Header { return &p.ResponseSet }),
		headerRemoveKey("response-headers-remove", "headers removed from answers to the client: NAME,...",
			func(p *EffectivePolicy) *[]string { return &p.ResponseRemove }),
	}
	keys = append(keys, identKeys()...)
	keys = append(keys, resilienceKeys()...)
	sort.Slice(keys, func(i, j int) bool { return keys[i].Key < keys[j].Key })
	return keys
}()

// LookupPolicyKey finds a key of PolicyKeys.
func LookupPolicyKey(key string) (PolicyKey, error) {
	for _, k := range PolicyKeys {
		if k.Key == key {
			return k, nil
		}
	}
	return PolicyKey{}, Errf(ErrInvalid, "policy."+truncate(key), "known keys: "+strings.Join(PolicyKeyNames(), ", "),
		"unknown policy key %q", truncate(key))
}

// PolicyKeyNames lists every key, sorted.
func PolicyKeyNames() []string {
	out := make([]string, len(PolicyKeys))
	for i, k := range PolicyKeys {
		out[i] = k.Key
	}
	return out
}

// Validate checks every key and value of p, each on its own; an error's
// field is "policy.<key>".
func (p Policy) Validate() error {
	var cp EffectivePolicy
	for _, key := range p.sortedKeys() {
		k, err := LookupPolicyKey(key)
		if err != nil {
			return err
		}
		v := p[key]
		if len(v) > MaxPolicyValue {
			return invalid("policy."+key, "", "the value is %d bytes; at most %d", len(v), MaxPolicyValue)
		}
		if err := k.parse(&cp, v); err != nil {
			return invalid("policy."+key, k.Doc, "%v", err)
		}
	}
	return nil
}

func (p Policy) sortedKeys() []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// String renders p as "k=v k=v", sorted, for audit lines.
func (p Policy) String() string {
	var b strings.Builder
	for i, k := range p.sortedKeys() {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", k, p[k])
	}
	return b.String()
}

// Policy sources, as PolicyValue.Source reports them.
const (
	SourceDefault = "default"
	SourcePlan    = "plan"
	SourceTenant  = "tenant"
)

// PolicyValue is one key's effective value and where it came from.
type PolicyValue struct {
	Key    string
	Value  string
	Source string // SourceDefault, SourcePlan or SourceTenant
	Doc    string
}

// ExplainPolicy lists every key's effective value and its source, sorted
// by key.
func ExplainPolicy(plan, overrides Policy) []PolicyValue {
	out := make([]PolicyValue, len(PolicyKeys))
	for i, k := range PolicyKeys {
		out[i] = PolicyValue{Key: k.Key, Value: k.Default, Source: SourceDefault, Doc: k.Doc}
		if v, ok := plan[k.Key]; ok {
			out[i].Value, out[i].Source = v, SourcePlan
		}
		if v, ok := overrides[k.Key]; ok {
			out[i].Value, out[i].Source = v, SourceTenant
		}
	}
	return out
}

// ResolvePolicy layers overrides over plan over the defaults and parses
// the result. plan may be nil (no plan).
func ResolvePolicy(plan, overrides Policy) (EffectivePolicy, error) {
	var p EffectivePolicy
	for _, v := range ExplainPolicy(plan, overrides) {
		k, _ := LookupPolicyKey(v.Key)
		if err := k.parse(&p, v.Value); err != nil {
			return EffectivePolicy{}, invalid("policy."+v.Key, k.Doc, "%s (from the %s): %v", v.Key, v.Source, err)
		}
	}
	if p.Rate > 0 && p.Burst == 0 {
		p.Burst = int(math.Ceil(p.Rate))
	}
	if p.IPRate > 0 && p.IPBurst == 0 {
		p.IPBurst = int(math.Ceil(p.IPRate))
	}
	if p.MaintenanceMessage == "" {
		p.MaintenanceMessage = PolicyKeys[policyKeyIndex("maintenance-message")].Default
	}
	return p, nil
}

func policyKeyIndex(key string) int {
	for i, k := range PolicyKeys {
		if k.Key == key {
			return i
		}
	}
	panic("store: no policy key " + key)
}
