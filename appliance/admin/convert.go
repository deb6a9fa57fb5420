package admin

import (
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// mapSlice converts every element of in; it never returns nil, so an empty
// list is [] on the wire.
func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func apiTenant(t store.Tenant) api.Tenant {
	return api.Tenant{ID: t.ID, Slug: t.Slug, Name: t.Name, State: string(t.State),
		Created: t.Created, Updated: t.Updated}
}

func apiPool(p store.Pool) api.Pool {
	p = p.WithDefaults()
	out := api.Pool{Name: p.Name, Algorithm: string(p.Algorithm), HashKey: p.HashKey, Sticky: p.Sticky,
		HealthPath: p.HealthPath, MaxFails: p.MaxFails}
	if p.MaxFails > 0 {
		out.Cooldown = p.Cooldown.String()
	}
	if p.HealthPath != "" {
		out.HealthInterval, out.HealthTimeout, out.HealthStatus = p.HealthInterval.String(), p.HealthTimeout.String(), p.HealthStatus
		out.HealthyThreshold, out.UnhealthyThreshold = p.HealthyThreshold, p.UnhealthyThreshold
	}
	if p.SlowStart > 0 {
		out.SlowStart = p.SlowStart.String()
	}
	return out
}

func apiBackend(b store.Backend) api.Backend {
	return api.Backend{ID: b.ID, Tenant: b.Tenant, Pool: b.Pool, URL: b.URL, Weight: b.Weight, Created: b.Created}
}

func apiDomain(d store.Domain) api.Domain {
	out := api.Domain{Name: d.Name, Tenant: d.Tenant, State: string(d.State), Reason: d.Reason,
		Hint: d.Hint, Token: d.Token, NotAfter: d.NotAfter, Created: d.Created, Updated: d.Updated}
	if d.State == store.DomainPendingDNS && d.Reason == "" {
		out.Reason = "not checked yet"
		out.Hint = "point its DNS here, then `foyer domain check " + d.Name + "`"
	}
	return out
}

// apiCert shows a certificate without its private key.
func apiCert(c store.Certificate) api.Cert {
	return api.Cert{Name: c.Name, Names: c.Names, Issuer: c.Issuer, NotBefore: c.NotBefore,
		NotAfter: c.NotAfter, Created: c.Created, Source: "imported", Cached: true,
		Renewal: "never (imported; replace it before it expires)"}
}

func apiEntry(e store.Entry) api.AuditEntry {
	return api.AuditEntry{Seq: e.Seq, Time: e.Time, Actor: e.Actor, Actions: e.Actions}
}
