package appliance

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/foyerhq/foyer/acme"
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
)

// eligible reports whether the table allows a certificate for name: it
// is <slug>.<base_domain> of an active tenant, or a custom domain of an
// active tenant in state verified, issuing, active or expiring. It is
// the part of the gate's answer (decide.go) that depends on the
// configuration alone, without rate limits or imported certificates;
// the error says why not. tn is the tenant name belongs to, if any.
func eligible(t *route.Table, name string) (tn *route.Tenant, rule route.Rule, err error) {
	if t == nil {
		return nil, route.RuleNone, fmt.Errorf("%w: %s: configuration not loaded yet", ErrNotIssuable, name)
	}
	m, ok := t.Identify(name, "/", nil)
	if !ok || m.Tenant == nil {
		return nil, route.RuleNone, fmt.Errorf("%w: %s is not a tenant's host", ErrNotIssuable, name)
	}
	tn = m.Tenant
	if tn.State != store.TenantActive {
		return tn, m.Rule, fmt.Errorf("%w: %s: tenant %s is %s", ErrNotIssuable, name, tn.Slug, tn.State)
	}
	switch m.Rule {
	case route.RuleSlug:
		return tn, m.Rule, nil
	case route.RuleHost:
		if st := domainState(tn, m.Name); !issuable(st) {
			return tn, m.Rule, fmt.Errorf("%w: %s: domain is %s, not verified", ErrNotIssuable, name, st)
		}
		return tn, m.Rule, nil
	}
	return tn, m.Rule, fmt.Errorf("%w: %s: only <slug>.%s hosts and verified custom domains get certificates", ErrNotIssuable, name, t.BaseDomain())
}

// evictIneligible removes from the certificate cache the obtained
// certificates of names that old allowed and t no longer does: a removed
// domain, a moved one, every name of a suspended or deleted tenant. That
// ends their renewals at once (a later handshake asks the gate, which
// refuses). Their files stay in storage, so a name allowed again is
// served without a new order.
//
// It keeps the names the table in service allows (a.certsOK), so a swap
// identifies each name of the new table once instead of every name of
// both tables twice (10% of foyer's CPU per change at 10,000 tenants).
// rebuild calls it, one call at a time.
func (a *Appliance) evictIneligible(old, t *route.Table) {
	prev := a.certsOK
	a.certsOK = eligibleSet{table: t, names: eligibleNames(t)}
	if old == nil {
		return
	}
	if prev.table != old { // not the table this kept: compute old's
		prev.names = eligibleNames(old)
	}
	var gone []string
	for name := range prev.names {
		if _, ok := a.certsOK.names[name]; ok {
			continue
		}
		// Every name t allows is one of certNames(t); ask t anyway, so
		// a name t allows by another route is not evicted.
		if _, _, err := eligible(t, name); err != nil {
			gone = append(gone, name)
		}
	}
	slices.Sort(gone)
	for _, name := range gone {
		a.events.certificate(prev.names[name], name, api.CertEvicted, time.Time{})
	}
	if len(gone) > 0 {
		a.certs.Evict(gone)
		a.log.Info("certificates evicted; their renewals stop", "names", gone)
	}
}

// eligibleSet is the names one table allows certificates for.
type eligibleSet struct {
	table *route.Table
	names map[string]string // name -> its tenant's slug
}

// eligibleNames returns the names of certNames(t) that t allows
// certificates for, with their tenants' slugs.
func eligibleNames(t *route.Table) map[string]string {
	names := make(map[string]string)
	for _, name := range certNames(t) {
		if tn, _, err := eligible(t, name); err == nil {
			names[name] = tn.Slug
		}
	}
	return names
}

// certNames lists the names t could give certificates for: every
// tenant's slug host and custom domains.
func certNames(t *route.Table) []string {
	var out []string
	for _, tn := range t.Tenants() {
		if t.BaseDomain() != "" {
			out = append(out, tn.Slug+"."+t.BaseDomain())
		}
		for _, d := range tn.Domains() {
			out = append(out, d.Name)
		}
	}
	return out
}

// issuedCerts is admin.Options.Issued: the certificates in storage with
// what happens to each at renewal time, and the weekly budgets.
func (a *Appliance) issuedCerts(ctx context.Context) ([]api.Cert, []api.CertBudget, error) {
	infos, err := a.certs.IssuedCertificates(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, now := a.proxy.Table(), time.Now()
	out := make([]api.Cert, len(infos))
	for i, c := range infos {
		out[i] = api.Cert{Name: c.Name, Names: c.SANs, Issuer: c.Issuer, NotBefore: c.NotBefore, NotAfter: c.NotAfter,
			Source: c.Source, Cached: c.Cached, Renewal: renewalState(t, c, now)}
	}
	var budgets []api.CertBudget
	for _, b := range acme.WeeklyBudgets(infos, now) {
		budgets = append(budgets, api.CertBudget{RegisteredDomain: b.RegisteredDomain, Issued: b.Issued, Limit: b.Limit})
	}
	return out, budgets, nil
}

// renewalState says whether and when an obtained certificate is renewed,
// or why not. certmagic renews when a third of the lifetime is left.
func renewalState(t *route.Table, c acme.CertInfo, now time.Time) string {
	from := c.NotAfter.Add(-c.NotAfter.Sub(c.NotBefore) / 3)
	when := "from " + from.UTC().Format(time.DateOnly)
	if !from.After(now) {
		when = "due now"
	}
	tn, rule, err := eligible(t, c.Name)
	switch {
	case tn == nil:
		return "never: no tenant serves " + c.Name + " any more"
	case tn.State != store.TenantActive:
		return "paused: tenant " + tn.Slug + " is " + string(tn.State)
	case rule == route.RuleHost && err != nil:
		st := domainState(tn, c.Name)
		if st == store.DomainMoved {
			return "paused: the domain no longer points here (moved)"
		}
		return "paused: the domain is " + string(st)
	case err != nil:
		return "never: " + err.Error()
	case rule == route.RuleSlug:
		return when + ", during a handshake"
	}
	return when + ", by the domain verifier"
}

// certsSeen is the imported certificates' revision (store.Snapshot's
// CertsRevision) the cache was last loaded at.
type certsSeen struct {
	loaded bool
	rev    uint64
}

// reloadCerts reloads the imported certificates when they changed since
// the last successful load: with thousands of them, reading and comparing
// all on every configuration change would cost far more than the change.
// rebuild calls it, one call at a time.
func (a *Appliance) reloadCerts(ctx context.Context, rev uint64) error {
	if a.certsRev.loaded && a.certsRev.rev == rev {
		return nil
	}
	if err := a.certs.Reload(ctx); err != nil {
		return err // loaded stays as it was: the next change tries again
	}
	a.certsRev = certsSeen{loaded: true, rev: rev}
	return nil
}
