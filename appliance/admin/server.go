// Package admin is the admin API server: HTTP/JSON over a unix socket that
// only root and the daemon's own user may use. It serves exactly what the
// Go client in appliance/admin/api calls: a table of routes, each tagged
// read or write, checked against the Identity of the connection's peer;
// store errors become a status in one place (statusFor); and GET /v1/watch
// streams configuration revisions as NDJSON.
package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
)

// Options configures a Server.
type Options struct {
	// Store is the configuration store every request reads and writes. Required.
	Store store.Store
	// Socket is the path of the admin socket. Its base name is the "via" of
	// every Identity and audit actor; default api.SocketName.
	Socket string
	// Info reports what only the appliance knows (version, listeners, route
	// table). If nil, GET /v1/status shows only what the store knows.
	Info func() Info
	// Health reports a backend's runtime health (from the appliance's
	// balance registry); false when it has none. If nil, backends show no
	// runtime health.
	Health func(backendID uint64) (balance.Health, bool)
	// Breaker reports a tenant's circuit breaker (from the proxy); false
	// when the tenant has none. If nil, every breaker shows as off.
	Breaker func(tenantID uint64) (balance.BreakerState, bool)
	// Trace explains how the appliance would handle a request, without
	// sending it (POST /v1/trace). If nil, tracing answers an error.
	Trace func(context.Context, api.TraceRequest) (api.TraceReport, error)
	// CheckDomain runs a domain's checks live and updates its state (POST
	// /v1/domains/{name}/check). If nil, checking answers an error.
	CheckDomain func(ctx context.Context, name string) (api.DomainCheck, error)
	// Issued lists the certificates the appliance obtained (ACME, internal
	// CA) with their renewal state, and the weekly budgets. If nil, only
	// imported certificates are listed.
	Issued func(context.Context) ([]api.Cert, []api.CertBudget, error)
	// Stats returns the latest frame of live numbers (traffic.Live.Latest):
	// GET /v1/stats and the watch stream's stats lines. If nil, there are
	// no live numbers.
	Stats func() *traffic.Frame
	// Events subscribes a watch stream to the appliance's events (domain,
	// certificate and health changes; watch_events.go). If nil, the watch
	// stream has no event lines.
	Events func() EventSubscription
	// AccessLog serves GET /v1/logs/follow. If nil, following answers an error.
	AccessLog Follower
	// Logs is the stored access log (logs.db) behind GET /v1/logs. If nil, that answers 503 "access log not open".
	Logs store.Logs
	// Logger receives server errors (never request bodies). If nil, logs are discarded.
	Logger *slog.Logger
	// DaemonUID is the uid allowed besides root; 0 (the default) means
	// os.Getuid(), the user the daemon runs as.
	DaemonUID int
	// Now is the clock for uptime; default time.Now.
	Now func() time.Time
}

// Info is the part of api.Status the appliance supplies; the server adds
// the store's revision and counts.
type Info struct {
	Version       string
	Commit        string
	Started       time.Time
	Listeners     map[string]string // "http", "https", "ops" -> bound address
	TableRevision uint64            // revision the route table in service was built from
	TableError    string            // why the newest revision did not build, if it did not
	DataDir       string
}

// Server is the admin API server. Create it with New, run it with Serve
// and stop it with Shutdown.
type Server struct {
	store     store.Store
	info      func() Info
	health    func(uint64) (balance.Health, bool)       // nil: no runtime health
	breaker   func(uint64) (balance.BreakerState, bool) // nil: breakers show as off
	log       *slog.Logger
	now       func() time.Time
	via       string // the socket's base name, e.g. "admin.sock"
	daemonUID int
	identify  func(net.Conn) peer // the socket's peer check; replaced in tests
	hs        *http.Server
	stats     func() *traffic.Frame    // live numbers; nil: none
	events    func() EventSubscription // the watch stream's event lines; nil: none

	// stopCtx ends when Shutdown begins; watch streams select on it, so
	// Shutdown (which waits for active handlers) is not held up by them.
	// It is not the requests' BaseContext: cancelling that would abort
	// writes that are still allowed to finish while the server drains.
	stopCtx context.Context
	stop    context.CancelFunc

	tracer  func(context.Context, api.TraceRequest) (api.TraceReport, error) // explains a request; nil: no tracing
	checker func(context.Context, string) (api.DomainCheck, error)           // checks a domain; nil: no checks
	issued  func(context.Context) ([]api.Cert, []api.CertBudget, error)      // obtained certificates; nil: none

	accessLog Follower // GET /v1/logs/follow; nil: no follow (handlers_follow.go)

	logs store.Logs // GET /v1/logs; nil: 503 (handlers_logs.go)

	users sync.Map // uid (int) -> user name (string); a cache of os/user lookups

	inProc inProcess // the in-memory listener behind Dialer (inprocess.go)
}

// New returns a server for opts. It does not listen; call Serve.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("new admin server: Options.Store is required")
	}
	s := &Server{store: opts.Store, info: opts.Info, health: opts.Health, breaker: opts.Breaker, log: opts.Logger, now: opts.Now,
		via: api.SocketName, daemonUID: os.Getuid()}
	s.tracer, s.checker = opts.Trace, opts.CheckDomain
	s.issued = opts.Issued
	s.stats, s.events = opts.Stats, opts.Events
	s.accessLog, s.logs = opts.AccessLog, opts.Logs
	if opts.Socket != "" {
		s.via = filepath.Base(opts.Socket)
	}
	if opts.DaemonUID != 0 {
		s.daemonUID = opts.DaemonUID
	}
	if s.info == nil {
		s.info = func() Info { return Info{} }
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.identify = s.identifySocketPeer
	s.stopCtx, s.stop = context.WithCancel(context.Background())
	s.hs = &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ConnContext:       connContext,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Serve accepts connections on ln (from Listen) until Shutdown, checking
// each peer's credentials. It returns nil after Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	err := s.hs.Serve(&credListener{Listener: ln, identify: func(c net.Conn) peer { return s.identify(c) }})
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("serve admin api: %w", err)
	}
	return nil
}

// Shutdown stops accepting, ends watch streams, and waits for other
// requests to finish or ctx to end. Closing the listener removes the
// socket file.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stop()
	if err := s.hs.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down admin api: %w", err)
	}
	return nil
}
