package tenants

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer/tui/format"
)

// column is one column of the tenants table.
type column struct {
	title string
	width int    // cells; the NAME column grows into spare room
	drop  int    // when the terminal is narrow, the highest drop goes first; 0 never
	key   string // the sort key (shift+letter, k9s-like)
	right bool   // right-aligned (numbers)
	cell  func(r *row) string
	cmp   func(a, b *row) int
	desc  bool // a first press sorts descending (numbers: biggest first)
}

// nameCol is the NAME column's index in columns.
const nameCol = 0

// columns are in display order. Drop order at narrow widths (first to
// go): p50, 2xx, bandwidth, 4xx, in-flight, trend, state, backends,
// domains; name, req/s, 5xx and p99 always stay.
var columns = []*column{
	{title: "NAME", width: 14, key: "N", cell: func(r *row) string { return r.slug },
		cmp: func(a, b *row) int { return strings.Compare(a.slug, b.slug) }},
	{title: "STATE", width: 9, drop: 4, key: "S", cell: func(r *row) string { return r.state },
		cmp: func(a, b *row) int { return strings.Compare(a.state, b.state) }},
	{title: "REQ/S", width: 5, key: "R", right: true, desc: true, cell: func(r *row) string { return format.Rate(r.rate) },
		cmp: func(a, b *row) int { return cmpF(a.rate, b.rate) }},
	{title: "LAST 60S", width: 10, drop: 5, key: "T", desc: true, cell: func(r *row) string { return sparkline(r.spark, 10) },
		cmp: func(a, b *row) int { return cmpF(sum(a.spark), sum(b.spark)) }},
	{title: "2XX", width: 4, drop: 10, key: "O", right: true, desc: true, cell: func(r *row) string { return share(r, r.s2) },
		cmp: func(a, b *row) int { return cmpF(a.s2, b.s2) }},
	{title: "4XX", width: 4, drop: 8, key: "F", right: true, desc: true, cell: func(r *row) string { return share(r, r.s4) },
		cmp: func(a, b *row) int { return cmpF(a.s4, b.s4) }},
	{title: "5XX", width: 4, key: "E", right: true, desc: true, cell: func(r *row) string { return share(r, r.s5) },
		cmp: func(a, b *row) int { return cmpF(a.s5, b.s5) }},
	{title: "P50", width: 6, drop: 11, key: "L", right: true, desc: true, cell: func(r *row) string { return format.Latency(r.p50) },
		cmp: func(a, b *row) int { return cmpF(float64(a.p50), float64(b.p50)) }},
	{title: "P99", width: 6, key: "P", right: true, desc: true, cell: func(r *row) string { return format.Latency(r.p99) },
		cmp: func(a, b *row) int { return cmpF(float64(a.p99), float64(b.p99)) }},
	{title: "INFL", width: 4, drop: 7, key: "I", right: true, desc: true, cell: func(r *row) string { return strconv.FormatInt(r.inFlight, 10) },
		cmp: func(a, b *row) int { return cmpF(float64(a.inFlight), float64(b.inFlight)) }},
	{title: "BW/S", width: 6, drop: 9, key: "B", right: true, desc: true, cell: func(r *row) string { return format.Bytes(r.bytesRate) },
		cmp: func(a, b *row) int { return cmpF(a.bytesRate, b.bytesRate) }},
	{title: "DOMAINS", width: 10, drop: 2, key: "D", desc: true, cell: domainsCell,
		cmp: func(a, b *row) int {
			if c := cmpF(float64(-badgeRank[a.badge]), float64(-badgeRank[b.badge])); c != 0 && a.domains > 0 && b.domains > 0 {
				return c
			}
			return a.domains - b.domains
		}},
	{title: "HEALTH", width: 6, drop: 3, key: "H", right: true, cell: func(r *row) string {
		if r.backends == 0 {
			return "none"
		}
		return fmt.Sprintf("%d/%d", r.healthy, r.backends)
	}, cmp: func(a, b *row) int { return cmpF(health(a), health(b)) }},
}

// health is a row's share of healthy backends (a tenant without any sorts first).
func health(r *row) float64 {
	if r.backends == 0 {
		return -1
	}
	return float64(r.healthy) / float64(r.backends)
}

// share shows a status class's share, "-" without answers in the minute.
func share(r *row, v float64) string {
	if r.s2+r.s4+r.s5 == 0 && v == 0 {
		return "-"
	}
	return format.Percent(v)
}

func domainsCell(r *row) string {
	if r.domains == 0 {
		return "-"
	}
	return strconv.Itoa(r.domains) + " " + r.badge
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

var bars = []rune("▁▂▃▄▅▆▇█")

// sparkline draws xs (oldest first) in w cells, each cell the mean of its
// share of the samples, scaled to the largest; cells before the first
// sample are blank.
func sparkline(xs []float64, w int) string {
	if len(xs) == 0 {
		return strings.Repeat(" ", w)
	}
	per := max((sparkSamples+w-1)/w, 1)
	cells := make([]float64, w)
	have := make([]bool, w)
	// the newest sample is in the last cell; count back from it
	for i := range xs {
		back := len(xs) - 1 - i
		c := w - 1 - back/per
		if c < 0 {
			continue
		}
		cells[c] += xs[i] / float64(per)
		have[c] = true
	}
	var top float64
	for _, v := range cells {
		top = max(top, v)
	}
	var b strings.Builder
	for i, v := range cells {
		switch {
		case !have[i]:
			b.WriteByte(' ')
		case top == 0:
			b.WriteRune(bars[0])
		default:
			b.WriteRune(bars[int(v/top*float64(len(bars)-1)+0.5)])
		}
	}
	return b.String()
}
