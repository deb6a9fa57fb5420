package traffic

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/foyerhq/foyer/store"
)

// DefaultTenantBudget is how many tenants get their own Prometheus label
// when LiveOptions.Budget is 0 (Settings.MetricsTenantBudget's default).
const DefaultTenantBudget = 1000

// LiveOptions configures a Live.
type LiveOptions struct {
	// Now is the clock Snapshot and Run read; default time.Now. Observe
	// places a request by its own end (Time + Duration), not by Now.
	Now func() time.Time
	// Interval is how often Run publishes a snapshot and ages the
	// per-second buckets; default one second.
	Interval time.Duration
	// Budget is how many tenants get their own tenant label in the
	// Prometheus metrics; default DefaultTenantBudget. SetBudget changes it.
	Budget int
}

// Live holds per-tenant live counters: totals since the process started
// (the Prometheus counters) and, for tenants with traffic in the last
// minute or so (ringKeep), per-second buckets (rates, error ratio, latency
// percentiles). Snapshot lists tenants with traffic in the last five
// minutes (activeSeconds).
//
// The hot path (Observe, Begin, End) takes no lock shared by all tenants:
// a tenant's state is found in a sync.Map (read-mostly: lock-free once the
// tenant has been seen) and updated with atomics; its Prometheus histogram
// has its own mutex (the one of the "_other" histogram is shared by the
// tenants folded into it). A tenant's entry is created once, under mu, the
// first time foyer reports anything about it, and is kept for the
// process's life, because its counters are Prometheus counters.
type Live struct {
	now      func() time.Time
	interval time.Duration

	tenants sync.Map // slug -> *tenant; never deleted

	mu       sync.Mutex   // serialises creating a tenant entry (and its label)
	budget   atomic.Int64 // tenants that may get their own label
	labelled atomic.Int64 // tenants that got their own label
	count    atomic.Int64 // tenant entries

	set   *metrics.Set                 // the per-tenant duration histograms
	other *metrics.PrometheusHistogram // the histogram of every folded tenant

	frame     atomic.Pointer[Frame] // the latest published frame (Run, Latest)
	publishMu sync.Mutex            // serialises publishing frames
	asked     atomic.Int64          // unix nanoseconds of the last Latest
}

// Label values that are not tenant slugs (slugs are DNS labels, so they
// never start with "_").
const (
	// LabelOther is the tenant label of every tenant past the budget.
	LabelOther = "_other"
	// LabelUnknown is the tenant label of requests for no tenant (unknown
	// host, or before the first route table).
	LabelUnknown = "_unknown"
)

// NewLive returns an empty Live. Call Run to publish snapshots and age the
// buckets of tenants that went idle.
func NewLive(opts LiveOptions) *Live {
	l := &Live{now: opts.Now, interval: opts.Interval, set: metrics.NewSet()}
	if l.now == nil {
		l.now = time.Now
	}
	if l.interval <= 0 {
		l.interval = time.Second
	}
	b := opts.Budget
	if b <= 0 {
		b = DefaultTenantBudget
	}
	l.budget.Store(int64(b))
	l.other = l.set.NewPrometheusHistogram(durationName(LabelOther))
	l.frame.Store(&Frame{Snapshot: &Snapshot{Time: l.now()}, next: make(chan struct{})})
	return l
}

// SetBudget changes how many tenants may get their own label. Labels
// already given are kept (a lower budget folds only tenants seen later);
// a higher one lets tenants seen later have their own.
func (l *Live) SetBudget(n int) {
	if n <= 0 {
		n = DefaultTenantBudget
	}
	l.budget.Store(int64(n))
}

// Budget returns the tenant budget and how much of it is used.
func (l *Live) Budget() (budget, labelled int) {
	return int(l.budget.Load()), int(l.labelled.Load())
}

// tenant is one tenant's live state. Its fields are atomics, except those
// set once before the entry is published (slug, label, hist).
type tenant struct {
	slug  string
	label string                       // its own slug, LabelOther or LabelUnknown
	hist  *metrics.PrometheusHistogram // its own, or l.other when folded

	inFlight atomic.Int64
	classes  [6]atomic.Uint64 // by status/100; 0 holds statuses below 100 (none)
	outcomes [numOutcomes]atomic.Uint64
	bytesIn  atomic.Uint64
	bytesOut atomic.Uint64
	lastSec  atomic.Int64 // the unix second of the last request's end

	ring atomic.Pointer[ring] // nil while idle (no request in the last ringKeep seconds)

	mu       sync.Mutex                 // serialises adding to backends
	backends atomic.Pointer[[]*backend] // copy on write; a tenant has few
}

// backend is one upstream's numbers as one tenant used it.
type backend struct {
	url      string
	requests atomic.Uint64
	errors   atomic.Uint64 // 5xx answers and unreachable
	latSum   atomic.Uint64 // nanoseconds to the response header, summed
}

// tenantFor returns slug's entry, creating it (and deciding its label)
// the first time.
func (l *Live) tenantFor(slug string) *tenant {
	if v, ok := l.tenants.Load(slug); ok {
		return v.(*tenant)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if v, ok := l.tenants.Load(slug); ok {
		return v.(*tenant)
	}
	t := &tenant{slug: slug}
	switch {
	case slug == "":
		t.label = LabelUnknown
		t.hist = l.set.NewPrometheusHistogram(durationName(LabelUnknown))
	case l.labelled.Load() < l.budget.Load():
		t.label = slug
		t.hist = l.set.NewPrometheusHistogram(durationName(slug))
		l.labelled.Add(1)
	default:
		t.label, t.hist = LabelOther, l.other
	}
	l.tenants.Store(slug, t)
	l.count.Add(1)
	return t
}

// TenantLabel returns the tenant label slug's series carry in the
// Prometheus metrics: its slug, or LabelOther when it is folded. A tenant
// seen for the first time gets its label now.
func (l *Live) TenantLabel(slug string) string { return l.tenantFor(slug).label }

// Begin counts a request of tenant slug in flight; call End on the result
// when it ends.
func (l *Live) Begin(slug string) *InFlight {
	t := l.tenantFor(slug)
	t.inFlight.Add(1)
	return (*InFlight)(t)
}

// InFlight is one request being counted in flight (see Begin).
type InFlight tenant

// End counts the request out.
func (f *InFlight) End() { f.inFlight.Add(-1) }

// Observe counts one finished request. It keeps nothing of rec.
func (l *Live) Observe(rec *store.LogRecord) {
	t := l.tenantFor(rec.Tenant)
	cls := rec.Status / 100
	if cls < 0 || cls > 5 {
		cls = 0
	}
	t.classes[cls].Add(1)
	t.outcomes[outcomeIndex(rec.Outcome)].Add(1)
	in, out := uint64(max(rec.BytesIn, 0)), uint64(max(rec.BytesOut, 0))
	t.bytesIn.Add(in)
	t.bytesOut.Add(out)
	t.hist.Update(rec.Duration.Seconds())
	failed := rec.Status >= 500 || rec.Outcome == store.OutcomeUpstreamFail
	if rec.Upstream != "" {
		b := t.backend(rec.Upstream)
		b.requests.Add(1)
		if failed {
			b.errors.Add(1)
		}
		b.latSum.Add(uint64(max(rec.UpstreamLatency, 0)))
	}
	sec := rec.Time.Add(rec.Duration).Unix()
	if sec > t.lastSec.Load() {
		t.lastSec.Store(sec) // a race only moves it by a second
	}
	r := t.ring.Load()
	if r == nil {
		r = t.activate()
	}
	r.observe(sec, rec.Duration, failed, in, out)
}

// activate gives an idle tenant its per-second buckets.
func (t *tenant) activate() *ring {
	nr := new(ring)
	if t.ring.CompareAndSwap(nil, nr) {
		return nr
	}
	return t.ring.Load()
}

// backend returns the tenant's entry for url, adding it the first time.
func (t *tenant) backend(url string) *backend {
	if p := t.backends.Load(); p != nil {
		for _, b := range *p {
			if b.url == url {
				return b
			}
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var old []*backend
	if p := t.backends.Load(); p != nil {
		old = *p
		for _, b := range old {
			if b.url == url {
				return b
			}
		}
	}
	b := &backend{url: url}
	next := append(append(make([]*backend, 0, len(old)+1), old...), b)
	t.backends.Store(&next)
	return b
}

// The outcomes counted per tenant, in the order of outcomeIndex.
var outcomeNames = [...]string{
	store.OutcomeAllowed, store.OutcomeRateLimited, store.OutcomeOverloaded, store.OutcomeDeniedIP,
	store.OutcomeUnauthorized, store.OutcomeTooLarge, store.OutcomeMaintenance, store.OutcomeRedirect,
	store.OutcomeUnknownHost, store.OutcomeSuspended, store.OutcomeBreakerOpen, store.OutcomeNoBackend,
	store.OutcomeUpstreamFail,
}

const numOutcomes = len(outcomeNames)

// outcomeIndex is o's index in outcomeNames; an unknown outcome counts as
// allowed.
func outcomeIndex(o string) int {
	for i, n := range outcomeNames {
		if n == o {
			return i
		}
	}
	return 0
}

// rejected reports whether outcome i is foyer refusing the request
// (everything but allowed, redirect, rate_limited and upstream_fail, which
// have their own series).
func rejected(i int) bool {
	switch outcomeNames[i] {
	case store.OutcomeAllowed, store.OutcomeRedirect, store.OutcomeRateLimited, store.OutcomeUpstreamFail:
		return false
	}
	return true
}
