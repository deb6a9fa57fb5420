package data

import (
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Sample is one tenant's numbers at one stats frame.
type Sample struct {
	Time       time.Time
	Rate       float64 // requests per second over the last second
	ErrorRatio float64 // 5xx share over the last minute (0..1)
	P50, P99   time.Duration
	InFlight   int64
	BytesRate  float64   // bytes in + out per second (10 s)
	Status     [6]uint64 // answers by status class since the daemon started
}

// Series is one tenant's latest numbers and a ring of the last HistoryLen
// samples (one a second: five minutes).
type Series struct {
	Latest api.TenantStats
	ring   [HistoryLen]Sample
	head   int // index of the next write
	n      int // samples held, up to HistoryLen
	// sumErr and sumP99 are the sums of the held samples' ErrorRatio and
	// P99, kept as samples come and go so Averages costs nothing.
	sumErr float64
	sumP99 float64
}

// Len is how many samples the series holds.
func (s *Series) Len() int { return s.n }

// push adds a sample, dropping the oldest when full.
func (s *Series) push(x Sample) {
	if s.n == HistoryLen {
		old := s.ring[s.head]
		s.sumErr -= old.ErrorRatio
		s.sumP99 -= float64(old.P99)
	}
	s.sumErr += x.ErrorRatio
	s.sumP99 += float64(x.P99)
	s.ring[s.head] = x
	s.head = (s.head + 1) % HistoryLen
	if s.n < HistoryLen {
		s.n++
	}
	if s.head == 0 { // once a lap, sum afresh so rounding never drifts
		s.sumErr, s.sumP99 = 0, 0
		for i := range s.ring {
			s.sumErr += s.ring[i].ErrorRatio
			s.sumP99 += float64(s.ring[i].P99)
		}
	}
}

// At returns the i-th newest sample (0 = newest); ok is false past the end.
func (s *Series) At(i int) (Sample, bool) {
	if i < 0 || i >= s.n {
		return Sample{}, false
	}
	return s.ring[(s.head-1-i+2*HistoryLen)%HistoryLen], true
}

// Last appends the newest n samples (fewer if the series is shorter),
// oldest first, to dst and returns it.
func (s *Series) Last(dst []Sample, n int) []Sample {
	if n > s.n {
		n = s.n
	}
	for i := n - 1; i >= 0; i-- {
		x, _ := s.At(i)
		dst = append(dst, x)
	}
	return dst
}

// Rates appends the newest n request rates, oldest first, to dst: the
// input of a sparkline.
func (s *Series) Rates(dst []float64, n int) []float64 {
	if n > s.n {
		n = s.n
	}
	for i := n - 1; i >= 0; i-- {
		x, _ := s.At(i)
		dst = append(dst, x.Rate)
	}
	return dst
}

// Averages returns the mean 5xx share and p99 over the whole ring (five
// minutes at most) and how many samples they cover.
func (s *Series) Averages() (errRatio float64, p99 time.Duration, n int) {
	if s.n == 0 {
		return 0, 0, 0
	}
	return s.sumErr / float64(s.n), time.Duration(s.sumP99 / float64(s.n)), s.n
}

// MinSpikeSamples is how many samples a series needs before Spiking may
// say yes: half a minute, so a fresh tenant is not flagged by its first
// requests.
const MinSpikeSamples = 30

// Spiking reports whether the newest 5xx share or p99 is more than twice
// the tenant's own five-minute average.
func (s *Series) Spiking() bool {
	if s.n < MinSpikeSamples {
		return false
	}
	e, p, _ := s.Averages()
	now, _ := s.At(0)
	return now.ErrorRatio > 0 && now.ErrorRatio > 2*e || now.P99 > 0 && now.P99 > 2*p
}

// ClassShare returns the share of 2xx, 4xx and 5xx among the answers of the
// last window samples (by difference of the since-start counters), or over
// the whole life of the daemon when the series is too short.
func (s *Series) ClassShare(window int) (ok2, c4, c5 float64) {
	newest, ok := s.At(0)
	if !ok {
		return 0, 0, 0
	}
	var base Sample
	if window >= s.n {
		window = s.n - 1
	}
	if window > 0 {
		base, _ = s.At(window)
	}
	var d [6]float64
	var total float64
	for i := range d {
		if newest.Status[i] >= base.Status[i] {
			d[i] = float64(newest.Status[i] - base.Status[i])
		}
		total += d[i]
	}
	if total == 0 {
		return 0, 0, 0
	}
	return d[2] / total, d[4] / total, d[5] / total
}

// applyFrame records a stats frame: every tenant in it gets a sample; a
// tenant known before but absent now (no traffic for five minutes) gets a
// zero sample, so its history keeps time.
func (m *Model) applyFrame(st api.Stats) {
	if m.Stats == nil {
		m.Stats = map[string]*Series{}
	}
	m.StatsTime = st.Time
	m.Totals = api.TenantStats{}
	seen := make(map[string]bool, len(st.Tenants))
	for _, ts := range st.Tenants {
		seen[ts.Tenant] = true
		s := m.Stats[ts.Tenant]
		if s == nil {
			s = &Series{}
			m.Stats[ts.Tenant] = s
		}
		s.Latest = ts
		s.push(Sample{Time: st.Time, Rate: ts.Rate1, ErrorRatio: ts.ErrorRatio, P50: ts.P50, P99: ts.P99,
			InFlight: ts.InFlight, BytesRate: ts.BytesInRate + ts.BytesOutRate, Status: ts.Status})
		m.Totals.Rate1 += ts.Rate1
		m.Totals.Rate10 += ts.Rate10
		m.Totals.InFlight += ts.InFlight
		m.Totals.BytesInRate += ts.BytesInRate
		m.Totals.BytesOutRate += ts.BytesOutRate
		m.Totals.Requests += ts.Requests
		for i := range ts.Status {
			m.Totals.Status[i] += ts.Status[i]
		}
	}
	for slug, s := range m.Stats {
		if !seen[slug] {
			last, _ := s.At(0)
			s.Latest = api.TenantStats{Tenant: slug, Requests: s.Latest.Requests, Status: s.Latest.Status}
			s.push(Sample{Time: st.Time, Status: last.Status})
		}
	}
}
