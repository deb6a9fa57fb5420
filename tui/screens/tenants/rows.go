package tenants

import (
	"sort"
	"strings"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
)

// sparkSamples is the sparkline's span: the last minute.
const sparkSamples = 60

// row is one tenant's line, computed from the shared data when it changes
// (not in View, which only draws the visible rows).
type row struct {
	slug, name, state string
	rate              float64
	spark             []float64 // last minute's req/s, oldest first
	s2, s4, s5        float64   // share of 2xx/4xx/5xx over the last minute
	p50, p99          time.Duration
	inFlight          int64
	bytesRate         float64
	domains           int
	badge             string // worst certificate state of its domains; "" without domains
	healthy, backends int
	spike             bool // 5xx share or p99 above twice its 5-minute average
}

// badgeRank orders certificate badges from worst to best: a tenant shows
// its worst domain.
var badgeRank = map[string]int{"failed": 0, "expiring": 1, "moved": 2, "pending_dns": 3, "verified": 4, "issuing": 5, "suspended": 6, "active": 7}

// badgeLabel shortens a domain state for the badge.
var badgeLabel = map[string]string{"pending_dns": "pending", "verified": "verified", "issuing": "issuing",
	"active": "active", "failed": "failed", "expiring": "expiring", "moved": "moved", "suspended": "suspended"}

// buildRows computes every tenant's row from d.
func buildRows(d *data.Model, dst []row) []row {
	dst = dst[:0]
	for _, t := range d.Tenants {
		r := row{slug: t.Slug, name: t.Name, state: t.State}
		if s := d.Stats[t.Slug]; s != nil {
			r.rate = s.Latest.Rate1
			r.spark = s.Rates(make([]float64, 0, sparkSamples), sparkSamples)
			r.s2, r.s4, r.s5 = s.ClassShare(60)
			r.p50, r.p99 = s.Latest.P50, s.Latest.P99
			r.inFlight = s.Latest.InFlight
			r.bytesRate = s.Latest.BytesInRate + s.Latest.BytesOutRate
			r.spike = s.Spiking()
		}
		ds := d.ByTenant[t.Slug]
		r.domains = len(ds)
		r.badge = worstBadge(ds)
		for _, b := range d.Backends[t.Slug] {
			r.backends++
			if b.Health == "healthy" {
				r.healthy++
			}
		}
		dst = append(dst, r)
	}
	return dst
}

func worstBadge(ds []api.Domain) string {
	best, rank := "", 1<<30
	for _, d := range ds {
		if r, ok := badgeRank[d.State]; ok && r < rank {
			best, rank = d.State, r
		}
	}
	return badgeLabel[best]
}

// filterRows keeps the rows whose slug or name contains q (any case).
func filterRows(rows []row, q string, dst []int) []int {
	dst = dst[:0]
	q = strings.ToLower(q)
	for i := range rows {
		if q == "" || strings.Contains(rows[i].slug, q) || strings.Contains(strings.ToLower(rows[i].name), q) {
			dst = append(dst, i)
		}
	}
	return dst
}

// sortRows orders idx (indexes into rows) by column c; ties by slug.
func sortRows(rows []row, idx []int, c *column, desc bool) {
	sort.SliceStable(idx, func(i, j int) bool {
		a, b := &rows[idx[i]], &rows[idx[j]]
		if cmp := c.cmp(a, b); cmp != 0 {
			if desc {
				return cmp > 0
			}
			return cmp < 0
		}
		return a.slug < b.slug
	})
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
