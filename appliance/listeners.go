package appliance

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"

	"github.com/foyerhq/foyer/appliance/admin"
	"github.com/foyerhq/foyer/store"
)

// listen binds every configured listener and starts serving; serving
// errors go to errc. On error, what was bound is closed by Shutdown.
func (a *Appliance) listen(s store.Settings, errc chan<- error) error {
	type job struct {
		name, addr string
		srv        *http.Server
		tls        bool
	}
	var jobs []job
	if a.opts.HTTPAddr != "" {
		jobs = append(jobs, job{"http", a.opts.HTTPAddr, a.server(s, a.certs.HTTPChallenge(a.selfTest.Wrap(a.proxy))), false})
	}
	if a.opts.HTTPSAddr != "" {
		srv := a.server(s, a.proxy)
		srv.TLSConfig = a.certs.TLSConfig()
		jobs = append(jobs, job{"https", a.opts.HTTPSAddr, srv, true})
	}
	if a.opts.OpsAddr != "" {
		jobs = append(jobs, job{"ops", a.opts.OpsAddr, a.server(s, a.opsHandler()), false})
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
		a.mu.Unlock()
		go func() {
			if j.tls {
				errc <- serveErr(j.name, j.srv.ServeTLS(ln, "", ""))
			} else {
				errc <- serveErr(j.name, j.srv.Serve(ln))
			}
		}()
	}
	return nil
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
