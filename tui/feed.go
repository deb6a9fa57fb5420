package tui

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
)

// Feed turns the daemon's one watch stream into data messages: a config
// line schedules a (debounced) re-read of the lists, a stats line becomes
// a data.Frame, an event line a data.EventLine plus a re-read. When the
// stream ends (the daemon restarted) it reconnects with backoff and says
// so with data.Conn. It never polls: the lists are read only when the
// stream says they changed, and once on every (re)connect.
type Feed struct {
	c   *api.Client
	out chan tea.Msg

	// Debounce is how long a re-read waits for more changes to coalesce
	// (default 200ms). MinBackoff and MaxBackoff bound the reconnect delay
	// (defaults 250ms and 5s). Workers is how many backend lists a partial
	// re-read (health notices of several tenants) reads at once (default 4). Set them before Start.
	Debounce   time.Duration
	MinBackoff time.Duration
	MaxBackoff time.Duration
	Workers    int

	refetch chan struct{} // capacity 1: a re-read is pending (what is in want)

	mu   sync.Mutex // guards want
	want want
}

// want is what the next re-read must read: everything, or only what
// event lines said changed.
type want struct {
	all      bool
	domains  bool            // domains and certificates
	backends map[string]bool // these tenants' backends
}

// NewFeed returns a feed over c; Start runs it.
func NewFeed(c *api.Client) *Feed {
	return &Feed{c: c, out: make(chan tea.Msg, 64), refetch: make(chan struct{}, 1),
		Debounce: 200 * time.Millisecond, MinBackoff: 250 * time.Millisecond, MaxBackoff: 5 * time.Second, Workers: 4}
}

// Messages is the channel the root model reads (NewApp's feed).
func (f *Feed) Messages() <-chan tea.Msg { return f.out }

// Start runs the feed until ctx ends; its goroutines stop with ctx.
func (f *Feed) Start(ctx context.Context) {
	go f.watchLoop(ctx)
	go f.fetchLoop(ctx)
}

// send delivers msg unless ctx ended.
func (f *Feed) send(ctx context.Context, msg tea.Msg) bool {
	select {
	case f.out <- msg:
		return true
	case <-ctx.Done():
		return false
	}
}

// askRefetch schedules a re-read of everything; requests coalesce.
func (f *Feed) askRefetch() {
	f.mu.Lock()
	f.want.all = true
	f.mu.Unlock()
	f.poke()
}

// askFor schedules a re-read of what a notice says changed: a tenant's
// backends for a health notice, domains and certificates otherwise.
func (f *Feed) askFor(n *api.Notice) {
	f.mu.Lock()
	switch {
	case n == nil || n.Dropped > 0: // missed notices: read it all
		f.want.all = true
	case n.Kind == api.NoticeHealth && n.Tenant != "":
		if f.want.backends == nil {
			f.want.backends = map[string]bool{}
		}
		f.want.backends[n.Tenant] = true
	default:
		f.want.domains = true
	}
	f.mu.Unlock()
	f.poke()
}

func (f *Feed) poke() {
	select {
	case f.refetch <- struct{}{}:
	default:
	}
}

// watchLoop keeps one watch stream open, reconnecting with backoff.
func (f *Feed) watchLoop(ctx context.Context) {
	backoff := f.MinBackoff
	for ctx.Err() == nil {
		w, err := f.c.Watch(ctx)
		if err != nil {
			if !f.send(ctx, data.Conn{State: data.Reconnecting, Err: err, Time: time.Now()}) {
				return
			}
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return
			}
			backoff = min(2*backoff, f.MaxBackoff)
			continue
		}
		backoff = f.MinBackoff
		f.send(ctx, data.Conn{State: data.Connected, Time: time.Now()})
		f.askRefetch()
		err = f.follow(ctx, w)
		w.Close()
		if ctx.Err() != nil {
			return
		}
		f.send(ctx, data.Conn{State: data.Reconnecting, Err: err, Time: time.Now()})
	}
}

// follow reads one stream until it ends or ctx does.
func (f *Feed) follow(ctx context.Context, w *api.Watcher) error {
	stop := context.AfterFunc(ctx, func() { w.Close() })
	defer stop()
	for {
		ev, err := w.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("the daemon closed the watch stream")
			}
			return err
		}
		switch ev.Type {
		case api.EventConfig:
			f.askRefetch()
		case api.EventStats:
			if ev.Stats != nil && !f.send(ctx, data.Frame{Stats: *ev.Stats}) {
				return ctx.Err()
			}
		case api.EventNotice:
			if !f.send(ctx, data.EventLine{Event: ev}) {
				return ctx.Err()
			}
			f.askFor(ev.Event)
		}
	}
}

// fetchLoop re-reads the lists when asked, after the debounce.
func (f *Feed) fetchLoop(ctx context.Context) {
	for {
		select {
		case <-f.refetch:
		case <-ctx.Done():
			return
		}
		select {
		case <-time.After(f.Debounce):
		case <-ctx.Done():
			return
		}
		select { // changes during the debounce are in this read
		case <-f.refetch:
		default:
		}
		f.mu.Lock()
		w := f.want
		f.want = want{}
		f.mu.Unlock()
		var l data.Lists
		if w.all {
			l = f.Fetch(ctx)
		} else {
			l = f.fetchSome(ctx, w)
		}
		if ctx.Err() != nil || !f.send(ctx, l) {
			return
		}
	}
}

// Fetch reads status, tenants, domains, certificates and every tenant's
// backends (one call for all of them).
func (f *Feed) Fetch(ctx context.Context) data.Lists {
	l := data.Lists{Time: time.Now()}
	var err error
	if l.Status, err = f.c.Status(ctx); err != nil {
		return data.Lists{Time: l.Time, Err: err}
	}
	if l.Tenants, err = f.c.AllTenants(ctx); err != nil {
		return data.Lists{Time: l.Time, Err: err}
	}
	if l.Domains, err = f.c.Domains(ctx, ""); err != nil {
		return data.Lists{Time: l.Time, Err: err}
	}
	if l.Certs, err = f.c.Certs(ctx); err != nil {
		return data.Lists{Time: l.Time, Err: err}
	}
	if l.Backends, err = f.allBackends(ctx, l.Tenants); err != nil {
		return data.Lists{Time: l.Time, Err: err}
	}
	return l
}

// allBackends reads every tenant's backends in one call (GET /v1/backends)
// and groups them by tenant; each tenant in ts gets an entry, empty when
// it has none, as the per-tenant reads gave.
func (f *Feed) allBackends(ctx context.Context, ts []api.Tenant) (map[string][]api.Backend, error) {
	bs, err := f.c.AllBackends(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]api.Backend, len(ts))
	for _, t := range ts {
		out[t.Slug] = []api.Backend{}
	}
	for _, b := range bs {
		out[b.Tenant] = append(out[b.Tenant], b)
	}
	return out, nil
}

// fetchSome reads only what w names, as a partial data.Lists.
func (f *Feed) fetchSome(ctx context.Context, w want) data.Lists {
	l := data.Lists{Time: time.Now(), Partial: true}
	var err error
	if w.domains {
		if l.Domains, err = f.c.Domains(ctx, ""); err != nil {
			return data.Lists{Time: l.Time, Err: err}
		}
		if l.Certs, err = f.c.Certs(ctx); err != nil {
			return data.Lists{Time: l.Time, Err: err}
		}
	}
	if len(w.backends) > 0 {
		ts := make([]api.Tenant, 0, len(w.backends))
		for slug := range w.backends {
			ts = append(ts, api.Tenant{Slug: slug})
		}
		if l.Backends, err = f.backends(ctx, ts); err != nil {
			return data.Lists{Time: l.Time, Err: err}
		}
	}
	return l
}

// backends reads each tenant's backends with a few workers.
func (f *Feed) backends(ctx context.Context, ts []api.Tenant) (map[string][]api.Backend, error) {
	out := make(map[string][]api.Backend, len(ts))
	var mu sync.Mutex // guards out and first
	var first error
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range max(f.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for slug := range jobs {
				bs, err := f.c.Backends(ctx, slug)
				mu.Lock()
				var ae *api.Error
				switch {
				case err == nil:
					out[slug] = bs
				case errors.As(err, &ae) && ae.Status == 404: // deleted meanwhile
				case first == nil:
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, t := range ts {
		jobs <- t.Slug
	}
	close(jobs)
	wg.Wait()
	return out, first
}
