package appliance

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/foyerhq/foyer/store"
)

// apiStopGrace is how long a replaced or stopped HTTPS API listener lets
// requests in flight finish before their connections are closed.
const apiStopGrace = 5 * time.Second

// apiListener is the HTTPS API listener: the admin API's TokenHandler (the
// same routes as admin.sock, for bearer tokens) over TLS with the
// certificate manager's config, on Settings.APIListen. A change of
// api-listen is applied live: start, stop or rebind.
type apiListener struct {
	mu   sync.Mutex   // guards addr and srv; serialises start and stop
	addr string       // Settings.APIListen in service; "" off
	srv  *http.Server // the server in service; nil off
}

// applyAPI brings the HTTPS API listener in line with s and tells the
// issuance gate its name. rebuild calls it on every configuration change;
// ctx is the one rebuild runs under, and the listener it starts stops when
// that ends (Shutdown drains it before, like every listener). A failure to
// bind is logged and leaves the listener off until the next change.
func (a *Appliance) applyAPI(ctx context.Context, s store.Settings) {
	a.gate.setAPIHost(s.APIHost)
	l := &a.api
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.srv != nil && l.addr == s.APIListen {
		return
	}
	if l.srv != nil {
		a.stopAPI(l.srv)
		l.srv, l.addr = nil, ""
	}
	if s.APIListen == "" || ctx.Err() != nil {
		return
	}
	if s.APIHost == "" {
		a.log.Warn("api-listen is set but api-host is not: clients must reach the HTTPS API by a name that has a certificate; set api-host")
	}
	srv, err := a.startAPI(s)
	if err != nil {
		a.log.Error("HTTPS API listener not started", "addr", s.APIListen, "err", err)
		return
	}
	l.srv, l.addr = srv, s.APIListen
	context.AfterFunc(ctx, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.srv == srv {
			a.stopAPI(srv)
			l.srv, l.addr = nil, ""
		}
	})
}

// startAPI binds s.APIListen and serves the API there over TLS. The
// server joins a.servers, so Shutdown drains it with the others.
func (a *Appliance) startAPI(s store.Settings) (*http.Server, error) {
	srv := a.server(s, a.admin.TokenHandler())
	srv.TLSConfig = a.certs.TLSConfig()
	ln, err := a.bind("api", s.APIListen)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.servers = append(a.servers, srv)
	a.mu.Unlock()
	a.log.Info("HTTPS API listening", "addr", ln.Addr().String(), "host", s.APIHost)
	go func() {
		if err := serveErr("api", srv.ServeTLS(ln, "", "")); err != nil {
			a.log.Error("HTTPS API listener failed", "err", err)
		}
	}()
	return srv, nil
}

// stopAPI drains srv for up to apiStopGrace, closes what is left, and
// takes it out of a.servers and the status listeners.
func (a *Appliance) stopAPI(srv *http.Server) {
	a.mu.Lock()
	a.servers = slices.DeleteFunc(a.servers, func(o *http.Server) bool { return o == srv })
	delete(a.addrs, "api")
	a.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), apiStopGrace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
		a.log.Warn("HTTPS API listener stopped before its requests finished", "err", fmt.Errorf("drain: %w", err))
	}
	a.log.Info("HTTPS API listener stopped")
}
