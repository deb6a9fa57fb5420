package acme

import (
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// WeeklyLimit is Let's Encrypt's limit of new certificates per registered
// domain (e.g. example.com for shop.example.com) in any 7 days. Other CAs
// have other limits; foyer shows use against this one, the tightest
// common one.
const WeeklyLimit = 50

// Budget is how much of WeeklyLimit one registered domain has used.
type Budget struct {
	// RegisteredDomain is the public suffix plus one label.
	RegisteredDomain string `json:"registered_domain"`
	// Issued counts ACME certificates in storage issued in the last 7
	// days for names under it. Renewals are counted too, so this is an
	// upper bound: Let's Encrypt exempts a renewal (the same set of
	// names) from the limit.
	Issued int `json:"issued"`
	Limit  int `json:"limit"`
}

// RegisteredDomain returns the registered domain of name (eTLD+1 from the
// public suffix list), or name itself when it has none (a bare suffix or
// an IP address).
func RegisteredDomain(name string) string {
	d, err := publicsuffix.EffectiveTLDPlusOne(strings.TrimPrefix(name, "*."))
	if err != nil {
		return name
	}
	return d
}

// WeeklyBudgets counts, per registered domain, the ACME certificates in
// issued whose NotBefore is within the 7 days before now, sorted by most
// used first. Registered domains with none are left out.
func WeeklyBudgets(issued []CertInfo, now time.Time) []Budget {
	counts := map[string]int{}
	since := now.Add(-7 * 24 * time.Hour)
	for _, c := range issued {
		if c.Source != SourceACME || c.NotBefore.Before(since) {
			continue
		}
		counts[RegisteredDomain(c.Name)]++
	}
	out := make([]Budget, 0, len(counts))
	for d, n := range counts {
		out = append(out, Budget{RegisteredDomain: d, Issued: n, Limit: WeeklyLimit})
	}
	slices.SortFunc(out, func(a, b Budget) int {
		if a.Issued != b.Issued {
			return b.Issued - a.Issued
		}
		return strings.Compare(a.RegisteredDomain, b.RegisteredDomain)
	})
	return out
}
