// Package appliance is foyer's daemon: it binds the listeners, keeps the
// route table in step with the store, terminates TLS with the acme
// package's config, serves the admin socket, and drains on stop.
package appliance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/acme"
	"github.com/foyerhq/foyer/appliance/admin"
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/proxy"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
)

// Options configures an Appliance. Everything that is not about listeners
// lives in the store's Settings.
type Options struct {
	// DataDir holds admin.sock. Required.
	DataDir string
	// Store is the opened store; the caller closes it after Run returns.
	Store store.Store
	// HTTPAddr, HTTPSAddr and OpsAddr are the listen addresses; "" turns a
	// listener off. ":0" picks a free port (see Addrs).
	HTTPAddr, HTTPSAddr, OpsAddr string
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Verify times the background domain verifier; the zero value is
	// its defaults (VerifyTiming).
	Verify VerifyTiming
	// Version and Commit are shown by `foyer status`.
	Version, Commit string
	Logs            store.Logs // the access log (logs.db) behind GET /v1/logs; nil: it answers 503; the caller closes it after Run
	// Engine serves HTTP/1.1 on the HTTP and HTTPS listeners: EngineStd
	// (net/http) or EngineFast (proxy.Engine); "" is EngineStd.
	Engine string
}

// Appliance is one running foyer.
type Appliance struct {
	opts  Options
	log   *slog.Logger
	proxy *proxy.Handler
	// live keeps the per-tenant live numbers and metrics (metrics.go);
	// recorder is the proxy's record step over it and the access log.
	live     *traffic.Live
	recorder *traffic.Recorder

	// accessLog queues records for logs.db, rolls up usage and serves
	// followers (accesslog.go).
	accessLog *traffic.AccessLog

	// events is the hub of domain, certificate and health events behind
	// the watch stream's event lines (events.go).
	events *eventHub

	certs *acme.Manager
	gate  *gate // the on-demand issuance gate (decide.go)
	// selfTest answers the HTTP self-test and verifier moves custom
	// domains through their lifecycle (verifier.go).
	selfTest *acme.SelfTest
	verifier *verifier
	admin    *admin.Server
	api      apiListener // the HTTPS API listener (apilisten.go)
	started  time.Time

	mu       sync.Mutex // guards servers, addrs, tableErr
	servers  []*http.Server
	engines  []*proxy.Engine // the fast engines in front of some of servers (listeners.go)
	addrs    map[string]string
	tableErr string

	tableRev atomic.Uint64
	certsRev certsSeen     // the imported certificates' revision last loaded (certlife.go)
	certsOK  eligibleSet   // the names the table in service allows certificates for (certlife.go)
	ready    chan struct{} // closed when every listener serves
	stopOnce sync.Once
	stopErr  error
}

// New checks opts and prepares an Appliance; nothing is bound yet.
func New(opts Options) (*Appliance, error) {
	if opts.DataDir == "" || opts.Store == nil {
		return nil, errors.New("appliance: DataDir and Store are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	a := &Appliance{opts: opts, log: opts.Logger, addrs: map[string]string{}, ready: make(chan struct{})}
	a.live = traffic.NewLive(traffic.LiveOptions{})
	a.accessLog = newAccessLog(opts) // accesslog.go
	a.recorder = &traffic.Recorder{Live: a.live, Log: a.accessLog}
	a.events = newEventHub(time.Now)
	reg := balance.NewRegistry()
	reg.OnHealthChange(a.events.healthChanged)
	brk := balance.NewBreakers(nil)
	brk.OnChange(a.events.breakerChanged)
	a.proxy = proxy.New(proxy.Options{Logger: opts.Logger, Recorder: a.recorder, Registry: reg, Breakers: brk})
	a.events.table = a.proxy.Table
	a.gate = newGate(a.proxy.Table, func(name string) bool { return a.certs.ImportedCovers(name) })
	certs, err := acme.New(acme.Options{Certs: opts.Store, Blobs: opts.Store, Logger: opts.Logger, Decide: a.gate.Decide,
		Eligible: a.gate.Eligible})
	if err != nil {
		return nil, fmt.Errorf("set up certificates: %w", err)
	}
	a.certs = certs
	a.selfTest, a.verifier = acme.NewSelfTest(), newVerifier(a, opts.Verify)
	a.admin, err = admin.New(admin.Options{Store: opts.Store, Socket: a.socketPath(), Info: a.info, Logger: opts.Logger,
		Stats: a.live.Latest, Health: a.proxy.Health, Breaker: a.proxy.Breaker, Trace: a.trace, CheckDomain: a.checkDomain, Issued: a.issuedCerts, Logs: opts.Logs,
		AccessLog: a.accessLog, Events: a.events.subscribe})
	if err != nil {
		return nil, fmt.Errorf("set up admin API: %w", err)
	}
	return a, nil
}

func (a *Appliance) socketPath() string { return filepath.Join(a.opts.DataDir, api.SocketName) }

// Ready is closed once every listener serves and the first route table is
// in service.
func (a *Appliance) Ready() <-chan struct{} { return a.ready }

// Addrs returns the bound address of each listener ("http", "https",
// "ops", "admin").
func (a *Appliance) Addrs() map[string]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]string, len(a.addrs))
	for k, v := range a.addrs {
		out[k] = v
	}
	return out
}

// Run serves until ctx ends, then shuts down gracefully within the
// settings' shutdown timeout. It returns the first serving error, if any.
func (a *Appliance) Run(ctx context.Context) error {
	a.started = time.Now()
	sub := a.opts.Store.Subscribe() // before the first build: no change is missed
	defer sub.Close()
	settings, err := a.rebuild(ctx)
	if err != nil {
		return err
	}
	errc := make(chan error, 8)
	if err := a.listen(settings, errc); err != nil {
		_ = a.Shutdown(context.Background())
		return err
	}
	_ = a.configureACME(settings) // again, with the bound ports; rebuild reported any error
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go a.follow(watchCtx, sub)
	go a.proxy.CheckHealth(watchCtx) // active health checks; stop with the watch
	go a.live.Run(watchCtx)          // live numbers: one snapshot a second for the watch stream
	verifyDone := make(chan struct{})
	go func() { defer close(verifyDone); a.verifier.run(watchCtx) }()
	// API keys' last use, flushed once a minute; stops with the watch, and
	// Run writes the last batch itself once requests have drained.
	keysDone := make(chan struct{})
	go func() { defer close(keysDone); a.flushKeyUse(watchCtx, keyUseInterval) }()
	// The access log outlives the watch: it is stopped after the drain, so
	// the last requests' records and usage are written (accesslog.go).
	stopAccessLog := a.startAccessLog()
	close(a.ready)
	a.log.Info("foyer serving", "addrs", a.Addrs(), "revision", a.tableRev.Load())

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	stopWatch()
	timeout := settings.ShutdownTimeout.D()
	if s, err := a.currentSettings(); err == nil {
		timeout = s.ShutdownTimeout.D()
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err = a.Shutdown(sctx)
	<-keysDone
	<-verifyDone
	stopAccessLog()
	fctx, fcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer fcancel()
	a.touchKeys(fctx) // the store is still open: the caller closes it after Run
	return errors.Join(serveErr, err)
}

func (a *Appliance) currentSettings() (store.Settings, error) {
	var s store.Settings
	err := a.opts.Store.View(context.Background(), func(tx store.Tx) (err error) {
		s, err = tx.Settings()
		return err
	})
	return s, err
}

// follow rebuilds the route table on every change-feed notice.
func (a *Appliance) follow(ctx context.Context, sub *store.Subscription) {
	for {
		if _, err := sub.Next(ctx); err != nil {
			return
		}
		if _, err := a.rebuild(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("configuration change not applied", "err", err)
		}
	}
}

// rebuild reads a snapshot, builds and swaps in a new route table, and
// reloads imported certificates. A table that fails to build leaves the old
// one in service and the error in status and /readyz.
func (a *Appliance) rebuild(ctx context.Context) (store.Settings, error) {
	t0 := time.Now()
	snap, err := a.opts.Store.Snapshot(ctx)
	if err != nil {
		return store.Settings{}, fmt.Errorf("read configuration: %w", err)
	}
	t1 := time.Now()
	tbl, err := route.Build(snap)
	if err != nil {
		a.setTableErr(fmt.Sprintf("revision %d: %v", snap.Revision, err))
		return snap.Settings, fmt.Errorf("build route table for revision %d: %w", snap.Revision, err)
	}
	tb := time.Now()
	if err := errors.Join(a.reloadCerts(ctx, snap.CertsRevision), a.configureACME(snap.Settings)); err != nil {
		a.setTableErr(fmt.Sprintf("revision %d: certificates: %v", snap.Revision, err))
		a.log.Error("certificates not reloaded", "err", err)
	} else {
		a.setTableErr("")
	}
	t2 := time.Now()
	old := a.proxy.Table()
	a.live.SetBudget(snap.Settings.MetricsTenantBudget)
	a.accessLog.Apply(snap.Settings) // access log on/off, retention
	a.proxy.Swap(tbl, snap.Settings)
	t3 := time.Now()
	a.applyAPI(ctx, snap.Settings)
	a.evictIneligible(old, tbl) // certlife.go
	a.tableRev.Store(snap.Revision)
	// The durations (snapshot read, route.Build, certificate reload, the
	// swap, total) are what bench/scale reads to report the rebuild's cost.
	a.log.Debug("route table in service", "revision", snap.Revision, "tenants", len(snap.Tenants),
		"snapshot", t1.Sub(t0), "build", tb.Sub(t1), "certs", t2.Sub(tb), "swap", t3.Sub(t2), "took", time.Since(t0))
	return snap.Settings, nil
}

func (a *Appliance) setTableErr(s string) {
	a.mu.Lock()
	a.tableErr = s
	a.mu.Unlock()
}

// info is what `foyer status` shows about the daemon itself.
func (a *Appliance) info() admin.Info {
	a.mu.Lock()
	defer a.mu.Unlock()
	ls := make(map[string]string, len(a.addrs))
	for k, v := range a.addrs {
		ls[k] = v
	}
	return admin.Info{Version: a.opts.Version, Commit: a.opts.Commit, Started: a.started,
		Listeners: ls, TableRevision: a.tableRev.Load(), TableError: a.tableErr, DataDir: a.opts.DataDir}
}

// Shutdown stops accepting, lets in-flight requests finish until ctx ends,
// then closes what is left. It is safe to call more than once.
func (a *Appliance) Shutdown(ctx context.Context) error {
	a.stopOnce.Do(func() {
		a.mu.Lock()
		servers := a.servers
		a.mu.Unlock()
		var wg sync.WaitGroup
		errs := make([]error, len(servers)+1)
		for i, s := range servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Shutdown(ctx); err != nil {
					errs[i] = fmt.Errorf("drain %s: %w", s.Addr, err)
					s.Close()
				}
			}()
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs[len(servers)] = a.admin.Shutdown(ctx) }()
		a.drainEngines(ctx, &wg) // listeners.go
		wg.Wait()
		a.proxy.Close()
		a.stopErr = errors.Join(errs...)
		if cerr := a.certs.Close(); cerr != nil {
			a.stopErr = errors.Join(a.stopErr, cerr)
		}
		a.log.Info("foyer stopped")
	})
	return a.stopErr
}

// bind records a listener's address.
func (a *Appliance) bind(name, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for %s on %s: %w", name, addr, err)
	}
	a.mu.Lock()
	a.addrs[name] = ln.Addr().String()
	a.mu.Unlock()
	return ln, nil
}
