package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/store"
)

// refusal is one change the store must refuse, with the sentinel it wraps.
type refusal struct {
	name string
	fn   func(tx store.Tx) error
	kind error
}

func tenant(slug, name string) func(store.Tx) error {
	return func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: slug, Name: name}) }
}

func backend(tenant, pool, url string, weight int) func(store.Tx) error {
	return func(tx store.Tx) error {
		return tx.AddBackend(&store.Backend{Tenant: tenant, Pool: pool, URL: url, Weight: weight})
	}
}

func domain(tenant, name string) func(store.Tx) error {
	return func(tx store.Tx) error { return tx.AddDomain(&store.Domain{Tenant: tenant, Name: name}) }
}

// steps runs fns in order, stopping at the first error.
func steps(fns ...func(store.Tx) error) func(store.Tx) error {
	return func(tx store.Tx) error {
		for _, fn := range fns {
			if err := fn(tx); err != nil {
				return err
			}
		}
		return nil
	}
}

var huge = strings.Repeat("x", 10000)

// slugRefusals are malformed tenant slugs and names.
var slugRefusals = []refusal{
	{"slug empty", tenant("", ""), store.ErrInvalid},
	{"slug upper case", tenant("Acme", ""), store.ErrInvalid},
	{"slug leading hyphen", tenant("-acme", ""), store.ErrInvalid},
	{"slug trailing hyphen", tenant("acme-", ""), store.ErrInvalid},
	{"slug underscore", tenant("a_b", ""), store.ErrInvalid},
	{"slug space", tenant("a b", ""), store.ErrInvalid},
	{"slug dot", tenant("a.b", ""), store.ErrInvalid},
	{"slug non-ASCII", tenant("äcme", ""), store.ErrInvalid},
	{"slug 64 chars", tenant(strings.Repeat("a", 64), ""), store.ErrInvalid},
	{"slug 10k chars", tenant(huge, ""), store.ErrInvalid},
	{"slug control char", tenant("ac\x00me", ""), store.ErrInvalid},
	{"name 10k chars", tenant("big", huge), store.ErrInvalid},
	{"name NUL", tenant("nul", "a\x00b"), store.ErrInvalid},
	{"name newline", tenant("nl", "a\nb"), store.ErrInvalid},
	{"name C1 control", tenant("cc", "a\u0085b"), store.ErrInvalid},
	{"name invalid UTF-8", tenant("utf", "a\xffb"), store.ErrInvalid},
	{"tenant exists", tenant("acme", ""), store.ErrExists},
	{"tenant bad state", func(tx store.Tx) error {
		return tx.CreateTenant(&store.Tenant{Slug: "st", State: "paused"})
	}, store.ErrInvalid},
	{"update unknown tenant", func(tx store.Tx) error {
		return tx.UpdateTenant(&store.Tenant{Slug: "nobody", Name: "x", State: store.TenantActive})
	}, store.ErrNotFound},
	{"update tenant empty name", func(tx store.Tx) error {
		return tx.UpdateTenant(&store.Tenant{Slug: "acme", State: store.TenantActive})
	}, store.ErrInvalid},
	{"delete unknown tenant", func(tx store.Tx) error { return tx.DeleteTenant("nobody", true) }, store.ErrNotFound},
	{"delete tenant with backends", func(tx store.Tx) error { return tx.DeleteTenant("acme", false) }, store.ErrConflict},
}

// backendRefusals are bad backends.
var backendRefusals = []refusal{
	{"url ftp", backend("acme", "", "ftp://10.0.0.1", 0), store.ErrInvalid},
	{"url no scheme", backend("acme", "", "10.0.0.1:8080", 0), store.ErrInvalid},
	{"url no host", backend("acme", "", "http://", 0), store.ErrInvalid},
	{"url only path", backend("acme", "", "http:///app", 0), store.ErrInvalid},
	{"url with query", backend("acme", "", "http://10.0.0.1/?a=1", 0), store.ErrInvalid},
	{"url with fragment", backend("acme", "", "http://10.0.0.1/#top", 0), store.ErrInvalid},
	{"url with user", backend("acme", "", "http://u:p@10.0.0.1", 0), store.ErrInvalid},
	{"url port 99999", backend("acme", "", "http://10.0.0.1:99999", 0), store.ErrInvalid},
	{"url port 0", backend("acme", "", "http://10.0.0.1:0", 0), store.ErrInvalid},
	{"url control char", backend("acme", "", "http://10.0.0.1/\x7f", 0), store.ErrInvalid},
	{"url bad host", backend("acme", "", "http://exa_mple.com", 0), store.ErrInvalid},
	{"url 10k chars", backend("acme", "", "http://10.0.0.1/"+huge, 0), store.ErrInvalid},
	{"weight negative", backend("acme", "", "http://10.0.0.7", -1), store.ErrInvalid},
	{"weight too big", backend("acme", "", "http://10.0.0.7", store.MaxWeight+1), store.ErrInvalid},
	{"pool name bad", backend("acme", "Main Pool", "http://10.0.0.7", 0), store.ErrInvalid},
	{"backend duplicate", backend("acme", "", "http://10.0.0.1:8080", 0), store.ErrExists},
	{"backend duplicate other spelling", backend("acme", "default", "HTTP://10.0.0.1:8080/", 0), store.ErrExists},
	{"backend unknown tenant", backend("nobody", "", "http://10.0.0.7", 0), store.ErrNotFound},
	{"remove unknown backend", func(tx store.Tx) error { return tx.RemoveBackend("acme", "", "http://10.9.9.9") }, store.ErrNotFound},
}

// domainRefusals are bad domains.
var domainRefusals = []refusal{
	{"domain under base domain", domain("acme", "x.saas.example.com"), store.ErrInvalid},
	{"domain is base domain", domain("acme", "SAAS.example.com."), store.ErrInvalid},
	{"domain of another tenant", domain("blue", "shop.acme.com"), store.ErrConflict},
	{"domain added twice", domain("acme", "Shop.Acme.com"), store.ErrExists},
	{"domain empty", domain("acme", ""), store.ErrInvalid},
	{"domain single label", domain("acme", "localhost"), store.ErrInvalid},
	{"domain IPv4", domain("acme", "10.0.0.1"), store.ErrInvalid},
	{"domain IPv6", domain("acme", "[::1]"), store.ErrInvalid},
	{"domain with scheme", domain("acme", "https://acme.com"), store.ErrInvalid},
	{"domain with path", domain("acme", "acme.com/shop"), store.ErrInvalid},
	{"domain with port", domain("acme", "acme.com:443"), store.ErrInvalid},
	{"domain empty label", domain("acme", "a..com"), store.ErrInvalid},
	{"domain leading hyphen", domain("acme", "-a.com"), store.ErrInvalid},
	{"domain underscore", domain("acme", "a_b.com"), store.ErrInvalid},
	{"domain space", domain("acme", "ac me.com"), store.ErrInvalid},
	{"domain control char", domain("acme", "ac\tme.com"), store.ErrInvalid},
	{"domain label 64 chars", domain("acme", strings.Repeat("a", 64)+".com"), store.ErrInvalid},
	{"domain 10k chars", domain("acme", huge+".com"), store.ErrInvalid},
	{"domain unknown tenant", domain("nobody", "new.example.org"), store.ErrNotFound},
	{"domain bad state", func(tx store.Tx) error {
		return tx.UpdateDomain(&store.Domain{Name: "shop.acme.com", State: "lost"})
	}, store.ErrInvalid},
	{"update unknown domain", func(tx store.Tx) error {
		return tx.UpdateDomain(&store.Domain{Name: "nope.example.org", State: store.DomainActive})
	}, store.ErrNotFound},
	{"remove unknown domain", func(tx store.Tx) error { return tx.RemoveDomain("nope.example.org") }, store.ErrNotFound},
	{"remove unknown cert", func(tx store.Tx) error { return tx.RemoveCert("nope.example.org") }, store.ErrNotFound},
}

// otherRefusals are bad settings and multi-step updates whose last step
// fails.
var otherRefusals = []refusal{
	{"settings bad duration", func(tx store.Tx) error {
		s := store.DefaultSettings()
		s.IdleTimeout = 0
		return tx.SetSettings(s)
	}, store.ErrInvalid},
	{"settings bad proxy", func(tx store.Tx) error {
		s := store.DefaultSettings()
		s.TrustedProxies = []string{"10.0.0.0/33"}
		return tx.SetSettings(s)
	}, store.ErrInvalid},
	{"settings base domain over a domain", func(tx store.Tx) error {
		s := store.DefaultSettings()
		s.BaseDomain = "acme.com"
		return tx.SetSettings(s)
	}, store.ErrConflict},
	{"multi-step last fails", steps(
		tenant("fresh", "Fresh"),
		backend("fresh", "", "http://10.1.0.1", 0),
		domain("fresh", "fresh.example.org"),
		func(tx store.Tx) error { return tx.DeleteTenant("blue", false) },
		tenant("Bad Slug", ""),
	), store.ErrInvalid},
	{"multi-step force delete then fail", steps(
		func(tx store.Tx) error { return tx.DeleteTenant("acme", true) },
		domain("blue", "shop.acme.com"),
		backend("blue", "", "ftp://x", 0),
	), store.ErrInvalid},
}

// seedRefused fills s with what the refusals run against.
func seedRefused(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		st := store.DefaultSettings()
		st.BaseDomain = "saas.example.com"
		return steps(
			func(tx store.Tx) error { return tx.SetSettings(st) },
			tenant("acme", "Acme"), tenant("blue", "Blue"),
			backend("acme", "", "http://10.0.0.1:8080", 0),
			domain("acme", "shop.acme.com"),
		)(tx)
	})
}

func testRefused(t *testing.T, s store.Store) {
	// Ensure that every refused change is an *store.Error wrapping the
	// right sentinel (with a field for validation errors) and leaves every
	// bucket unchanged byte for byte, and the revision where it was.
	seedRefused(t, s)
	all := [][]refusal{slugRefusals, backendRefusals, domainRefusals, otherRefusals}
	for _, group := range all {
		for _, tc := range group {
			t.Run(tc.name, func(t *testing.T) {
				before, rev := Dump(t, s), s.Revision()
				err := s.Update(context.Background(), actor, tc.fn)
				wantKind(t, err, tc.kind)
				if Fingerprint(t, s) != fingerprint(before) {
					t.Fatalf("refused change %q altered the store:\n%s", err, diff(before, Dump(t, s)))
				}
				if s.Revision() != rev {
					t.Fatalf("refused change moved the revision from %d to %d", rev, s.Revision())
				}
			})
		}
	}
}
