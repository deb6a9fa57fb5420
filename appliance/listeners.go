package appliance

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"

	"github.com/foyerhq/foyer/appliance/admin"
	"github.com/foyerhq/foyer/appliance/proxy"
	"github.com/foyerhq/foyer/store"
)

// listen binds every configured listener and starts serving; serving
// errors go to errc. On error, what was bound is closed by Shutdown.
func (a *Appliance) listen(s store.Settings, errc chan<- error) error {
	type job struct {
		name, addr string
		srv        *http.Server
		tls        bool
		eng        *proxy.Engine // the fast engine in front of srv; nil: srv alone
	}
	fast := a.opts.Engine == EngineFast || a.opts.Engine == "" && defaultEngine == EngineFast
	var jobs []job
	if a.opts.HTTPAddr != "" {
		j := job{name: "http", addr: a.opts.HTTPAddr, srv: a.server(s, a.certs.HTTPChallenge(a.selfTest.Wrap(a.proxy)))}
		if fast {
			j.eng = proxy.NewEngine(j.srv, engineConfig(s, nil))
		}
		jobs = append(jobs, j)
	}
	if a.opts.HTTPSAddr != "" {
		j := job{name: "https", addr: a.opts.HTTPSAddr, srv: a.server(s, a.proxy), tls: true}
		j.srv.TLSConfig = a.certs.TLSConfig()
		if fast {
			j.eng = proxy.NewEngine(j.srv, engineConfig(s, j.srv.TLSConfig))
		}
		jobs = append(jobs, j)
	}
	if a.opts.OpsAddr != "" {
		jobs = append(jobs, job{name: "ops", addr: a.opts.OpsAddr, srv: a.server(s, a.opsHandler())})
	}
	adminLn, err := admin.Listen(a.socketPath())
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.addrs["admin"] = a.socketPath()
	a.mu.Unlock()
	go func() { errc <- serveErr("admin", a.admin.Serve(adminLn)) }()
	for _, j := range jobs {
		ln, err := a.bind(j.name, j.addr)
		if err != nil {
			return err
		}
		a.mu.Lock()
		a.servers = append(a.servers, j.srv)
		if j.eng != nil {
			a.engines = append(a.engines, j.eng)
		}
		a.mu.Unlock()
		go func() {
			if j.eng != nil {
				errc <- serveErr(j.name, j.eng.Serve(ln))
			} else if j.tls {
				errc <- serveErr(j.name, j.srv.ServeTLS(ln, "", ""))
			} else {
				errc <- serveErr(j.name, j.srv.Serve(ln))
			}
		}()
	}
	return nil
}

// The engines that serve HTTP/1.1 on the HTTP and HTTPS listeners
// (Options.Engine). Either way the same http.Handler chain answers.
const (
	EngineStd  = "std"  // net/http serves every connection
	EngineFast = "fast" // proxy.Engine serves HTTP/1.1 and hands the rest to net/http
)

// defaultEngine is the engine of Options.Engine "". The package's tests
// set it from FOYER_TEST_ENGINE (engine_test.go).
var defaultEngine = EngineStd

// engineConfig is the fast engine's share of s (read when the listener
// starts, like the standard server's timeouts).
func engineConfig(s store.Settings, tlsConf *tls.Config) proxy.EngineConfig {
	return proxy.EngineConfig{TLS: tlsConf, ReadHeaderTimeout: s.ReadHeaderTimeout.D(), IdleTimeout: s.IdleTimeout.D(),
		MaxHeaderBytes: s.MaxHeaderBytes, MaxHeaderCount: s.MaxHeaderCount, MaxURIBytes: s.MaxURIBytes}
}

// drainEngines shuts the fast engines down beside the servers (Shutdown
// waits on wg); a connection still busy when ctx ends is closed.
func (a *Appliance) drainEngines(ctx context.Context, wg *sync.WaitGroup) {
	a.mu.Lock()
	engines := a.engines
	a.mu.Unlock()
	for _, e := range engines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.Shutdown(ctx); err != nil {
				a.log.Warn("fast engine: connections closed before their requests ended", "err", err)
			}
		}()
	}
}

func serveErr(name string, err error) error {
	if err == nil || errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return fmt.Errorf("serve %s: %w", name, err)
}

// server returns an http.Server with foyer's timeouts. Server-side timeouts
// are read when a listener starts: a change to them applies on the next
// start (upstream timeouts apply live).
func (a *Appliance) server(s store.Settings, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           withLimits(s, h), // limits.go
		ReadHeaderTimeout: s.ReadHeaderTimeout.D(),
		IdleTimeout:       s.IdleTimeout.D(),
		MaxHeaderBytes:    s.MaxHeaderBytes,
		// TLS handshake failures and malformed requests from the internet
		// are routine: log them at debug, not on stderr.
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
	}
}

// opsHandler serves the ops listener: /healthz (the process answers),
// /readyz (the store answers, every listener is up and the newest
// configuration is in service), /metrics (Prometheus, metrics.go) and Go's
// /debug/pprof profiles (the ops listener is loopback-only by default;
// keep it so).
func (a *Appliance) opsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /metrics", a.serveMetrics) // metrics.go
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if msg := a.notReady(); msg != "" {
			http.Error(w, "not ready: "+msg, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	return mux
}

func (a *Appliance) notReady() string {
	select {
	case <-a.ready:
	default:
		return "starting"
	}
	if _, err := a.currentSettings(); err != nil {
		return "store: " + err.Error()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tableErr != "" {
		return "configuration not applied: " + a.tableErr
	}
	return ""
}
