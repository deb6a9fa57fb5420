package appliance

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/acme"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
)

// Issuance attempts allowed by the gate: certmagic asks Decide before it
// loads or obtains a certificate for a name it has not cached, so these
// bound how often foyer can go to the CA. A refused name costs nothing.
const (
	// IssueGlobalPerMinute is the appliance-wide rate, with an equal burst.
	IssueGlobalPerMinute = 10
	// IssueTenantPerMinute is each tenant's rate, with an equal burst.
	IssueTenantPerMinute = 3
)

// ErrNotIssuable is why the gate refuses a name; errors.Is works on every
// refusal.
var ErrNotIssuable = errors.New("no certificate is issued for this name")

// gate is the on-demand issuance gate (Options.Decide of acme): it answers
// from the route table in service and the imported certificates, never
// from the network, and rate-limits the names it allows.
type gate struct {
	table  func() *route.Table    // the table in service, or nil
	covers func(name string) bool // an unexpired imported certificate covers name (acme.Manager.ImportedCovers)
	now    func() time.Time

	// apiHost is Settings.APIHost ("" none), the HTTPS API listener's
	// name; apilisten.go sets it on every configuration change.
	apiHost atomic.Pointer[string]

	mu      sync.Mutex         // guards global and tenants
	global  bucket             // IssueGlobalPerMinute
	tenants map[uint64]*bucket // by tenant ID, IssueTenantPerMinute; built lazily
}

func newGate(table func() *route.Table, covers func(name string) bool) *gate {
	return &gate{table: table, covers: covers, now: time.Now, tenants: map[uint64]*bucket{}}
}

// Decide allows a certificate for name iff it is <slug>.<base_domain> of
// an active tenant or an exact custom domain of an active tenant in state
// verified, issuing, active or expiring (eligible); no imported
// certificate covers it (an imported *.<base_domain> serves every slug
// host, so none gets its own: Let's Encrypt allows 50 a week per
// registered domain); and the global and the tenant's issuance rates
// allow one more attempt. The
// HTTPS API's own name (Settings.APIHost) is allowed too, within the
// global rate. Everything else is refused.
func (g *gate) Decide(name string) error {
	if g.isAPIHost(name) {
		return g.allowAPI(name)
	}
	t := g.table()
	tn, _, err := eligible(t, name) // certlife.go
	if err != nil {
		return err
	}
	if g.covers(name) {
		return fmt.Errorf("%w: %s: an imported certificate serves it", ErrNotIssuable, name)
	}
	return g.allow(tn)
}

// Eligible is Decide without the rate limits and the imported-wildcard
// rule: whether the configuration allows a certificate for name at all.
// acme asks it before loading a stored certificate.
func (g *gate) Eligible(name string) error {
	if g.isAPIHost(name) {
		return nil
	}
	if g.covers(name) { // imported certificates win: never load an obtained one beside them
		return fmt.Errorf("%w: %s: an imported certificate serves it", ErrNotIssuable, name)
	}
	_, _, err := eligible(g.table(), name)
	return err
}

func (g *gate) isAPIHost(name string) bool {
	h := g.apiHost.Load()
	return h != nil && *h != "" && strings.EqualFold(strings.TrimSuffix(name, "."), *h)
}

// allow takes one attempt from the tenant's budget and the global one,
// or from neither.
func (g *gate) allow(tn *route.Tenant) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	b, ok := g.tenants[tn.ID]
	if !ok {
		b = &bucket{}
		g.tenants[tn.ID] = b
	}
	if !b.refill(now, IssueTenantPerMinute) {
		return fmt.Errorf("%w: tenant %s is over %d issuance attempts a minute; retry shortly", ErrNotIssuable, tn.Slug, IssueTenantPerMinute)
	}
	if !g.global.refill(now, IssueGlobalPerMinute) {
		return fmt.Errorf("%w: over %d issuance attempts a minute in all; retry shortly", ErrNotIssuable, IssueGlobalPerMinute)
	}
	b.tokens--
	g.global.tokens--
	return nil
}

// setAPIHost sets the HTTPS API's name ("" none).
func (g *gate) setAPIHost(h string) { g.apiHost.Store(&h) }

// allowAPI takes one attempt from the global budget for the API's name.
func (g *gate) allowAPI(name string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.global.refill(g.now(), IssueGlobalPerMinute) {
		return fmt.Errorf("%w: %s: over %d issuance attempts a minute in all; retry shortly", ErrNotIssuable, name, IssueGlobalPerMinute)
	}
	g.global.tokens--
	return nil
}

// bucket is a token bucket holding up to perMinute attempts, refilled at
// perMinute a minute. (DESIGN.md's import rules keep x/time/rate out of
// package appliance; this is all the gate needs of it.)
type bucket struct {
	tokens float64
	last   time.Time // of the last refill; zero: full
}

// refill tops b up for the time since the last call and reports whether
// an attempt is available; the caller takes it.
func (b *bucket) refill(now time.Time, perMinute int) bool {
	if b.last.IsZero() {
		b.tokens = float64(perMinute)
	} else if d := now.Sub(b.last); d > 0 {
		b.tokens = min(float64(perMinute), b.tokens+d.Minutes()*float64(perMinute))
	}
	b.last = now
	return b.tokens >= 1
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// domainState is the state of the tenant's custom domain name, or "".
func domainState(tn *route.Tenant, name string) store.DomainState {
	for _, d := range tn.Domains() {
		if d.Name == name {
			return d.State
		}
	}
	return ""
}

// issuable reports whether a custom domain in state s may get a
// certificate: its DNS has been verified to point here.
func issuable(s store.DomainState) bool {
	switch s {
	case store.DomainVerified, store.DomainIssuing, store.DomainActive, store.DomainExpiring:
		return true
	}
	return false
}

// configureACME applies the ACME settings to the certificate manager. A
// challenge type is offered only when the settings allow it and its
// listener is on; certmagic is told the bound ports so it relies on
// foyer's listeners. Run calls it again once the listeners are bound.
func (a *Appliance) configureACME(s store.Settings) error {
	addrs := a.Addrs()
	offers := func(ch string) bool { return len(s.ACMEChallenges) == 0 || slices.Contains(s.ACMEChallenges, ch) }
	c := acme.IssueConfig{Directory: s.ACMEDirectory, Email: s.ACMEEmail, Roots: s.ACMERoots,
		DisableHTTP01:    a.opts.HTTPAddr == "" || !offers("http-01"),
		DisableTLSALPN01: a.opts.HTTPSAddr == "" || !offers("tls-alpn-01"),
		HandshakeTimeout: s.TLSHandshakeTimeout.D(), InternalCA: s.InternalCA,
		Fallback: s.ACMEFallback, EABKeyID: s.ACMEEABKeyID, EABMACKey: s.ACMEEABMACKey}
	if host, port, err := net.SplitHostPort(addrs["https"]); err == nil {
		c.ListenHost, c.TLSPort = host, atoiOr0(port)
	}
	if host, port, err := net.SplitHostPort(addrs["http"]); err == nil {
		c.ListenHost, c.HTTPPort = host, atoiOr0(port)
	}
	if err := a.certs.Configure(c); err != nil {
		return fmt.Errorf("configure ACME: %w", err)
	}
	return nil
}

func atoiOr0(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
