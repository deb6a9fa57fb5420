// Package console is the SSH console: foyer's own SSH server (Charm's
// wish over golang.org/x/crypto/ssh) that serves the same Bubble Tea
// program `foyer tui` runs, one per session, to people who log in with a
// public key the operator added (`foyer ssh-key add`). It knows nothing
// of the store or the admin server: cmd/foyer gives it the host key, a
// way to look a key up, an in-process api.Client per key (whose identity
// the admin handlers hold to the key's role) and a way to run CLI
// commands. docs/ssh-console.md is the operator's guide.
package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Defaults of Options' limits (docs/ssh-console.md, "Limits").
const (
	// DefaultMaxSessionsPerKey is how many sessions one key may have open
	// at once.
	DefaultMaxSessionsPerKey = 4
	// DefaultIdleTimeout closes a connection after this long with no bytes
	// either way.
	DefaultIdleTimeout = 15 * time.Minute
	// DefaultAuthFailures is how many refused logins a source IP may have
	// in a row before it is refused outright; it earns one more try every
	// DefaultAuthFailureEvery.
	DefaultAuthFailures     = 10
	DefaultAuthFailureEvery = 6 * time.Second
	// DefaultTrackedIPs bounds the per-IP failure limiters kept (an LRU).
	DefaultTrackedIPs = 4096
	// handshakeTimeout bounds the SSH handshake, login included.
	handshakeTimeout = 30 * time.Second
)

// ErrUnknownKey is what Options.Lookup returns (or wraps) for a key that
// is not in the store.
var ErrUnknownKey = errors.New("unknown ssh key")

// ExecFunc runs one CLI command (args as typed after the host, e.g.
// "tenant list --json") with c as its API client and returns the exit
// status. cmd/foyer provides it: tui must not import the CLI.
type ExecFunc func(ctx context.Context, c *api.Client, args []string, stdin io.Reader, stdout, stderr io.Writer) int

// Options configures a Server.
type Options struct {
	// HostKeyPEM is the host key's private key, PEM (PKCS #8). Required.
	HostKeyPEM []byte
	// Lookup returns the key with the given fingerprint ("SHA256:...")
	// from the store, or an error wrapping ErrUnknownKey. Required. It is
	// asked at login and again when each session starts, so a removed key
	// opens no new session.
	Lookup func(ctx context.Context, fingerprint string) (api.SSHKey, error)
	// Client returns the API client of a session of key k: in process,
	// with the key's identity. Required.
	Client func(k api.SSHKey) *api.Client
	// Exec runs commands of sessions without a terminal. If nil they are
	// refused.
	Exec ExecFunc
	// MaxSessionsPerKey defaults to DefaultMaxSessionsPerKey.
	MaxSessionsPerKey int
	// IdleTimeout defaults to DefaultIdleTimeout.
	IdleTimeout time.Duration
	// AuthFailures and AuthFailureEvery are the per-IP failed-login
	// limit; defaults DefaultAuthFailures and DefaultAuthFailureEvery.
	AuthFailures     int
	AuthFailureEvery time.Duration
	// TrackedIPs defaults to DefaultTrackedIPs.
	TrackedIPs int
	// Refresh is how often the tenant page re-reads its tenant; default
	// 5s, negative turns it off (tests).
	Refresh time.Duration
	// ProgramOptions are added last to every session's program (tests pin
	// a colour profile).
	ProgramOptions []tea.ProgramOption
	// Logger receives logins, refusals and session ends (never key
	// material). If nil, logs are discarded.
	Logger *slog.Logger
}

// Server is the SSH console. Create it with New and give it an address
// with Apply; Close stops it.
type Server struct {
	opts   Options
	signer gossh.Signer
	log    *slog.Logger
	fails  *failures // per-IP failed-login limiters

	mu       sync.Mutex // guards sessions
	sessions map[string]int

	lmu  sync.Mutex   // guards srv, addr and ln (Apply, Addr, Close)
	srv  *ssh.Server  // serving Apply's address; nil when off
	addr string       // the address Apply last bound ("" off)
	ln   net.Listener // srv's listener; nil when off
}

// New checks opts and returns a server; it does not listen.
func New(opts Options) (*Server, error) {
	if opts.Lookup == nil || opts.Client == nil {
		return nil, errors.New("new ssh console: Options.Lookup and Options.Client are required")
	}
	signer, err := gossh.ParsePrivateKey(opts.HostKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("new ssh console: parse host key: %w", err)
	}
	if opts.MaxSessionsPerKey <= 0 {
		opts.MaxSessionsPerKey = DefaultMaxSessionsPerKey
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.AuthFailures <= 0 {
		opts.AuthFailures = DefaultAuthFailures
	}
	if opts.AuthFailureEvery <= 0 {
		opts.AuthFailureEvery = DefaultAuthFailureEvery
	}
	if opts.TrackedIPs <= 0 {
		opts.TrackedIPs = DefaultTrackedIPs
	}
	if opts.Refresh == 0 {
		opts.Refresh = 5 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	fails, err := newFailures(opts.TrackedIPs, opts.AuthFailures, opts.AuthFailureEvery)
	if err != nil {
		return nil, err
	}
	return &Server{opts: opts, signer: signer, log: log, fails: fails, sessions: map[string]int{}}, nil
}

// HostKeyFingerprint is the host key's SHA256 fingerprint, as clients
// show it.
func (s *Server) HostKeyFingerprint() string { return gossh.FingerprintSHA256(s.signer.PublicKey()) }

// newSSH builds the wish server: public-key logins only (no password, no
// keyboard-interactive), the per-IP failure limit, the idle timeout, and
// the session handler.
func (s *Server) newSSH() (*ssh.Server, error) {
	srv, err := wish.NewServer(
		func(srv *ssh.Server) error {
			srv.HostSigners = []ssh.Signer{s.signer}
			return nil
		},
		wish.WithPublicKeyAuth(s.publicKey),
		wish.WithIdleTimeout(s.opts.IdleTimeout),
		func(srv *ssh.Server) error {
			srv.Version = "foyer"
			srv.HandshakeTimeout = handshakeTimeout
			srv.ConnCallback = s.connCallback
			srv.Handler = s.handle
			return nil
		},
	)
	if err != nil {
		return nil, fmt.Errorf("create ssh server: %w", err)
	}
	return srv, nil
}

// Apply makes the console listen on addr ("" turns it off), as the
// ssh-listen setting or `foyer serve --ssh` says. A new address closes
// the old listener and its sessions. The listener is bound before Apply
// returns; it serves until the next Apply or Close.
func (s *Server) Apply(addr string) error {
	s.lmu.Lock()
	if addr == s.addr && (addr == "" || s.srv != nil) {
		s.lmu.Unlock()
		return nil
	}
	old := s.srv
	s.srv, s.ln, s.addr = nil, nil, ""
	s.lmu.Unlock()
	if old != nil {
		old.Close()
		s.log.Info("SSH console stopped")
	}
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("ssh console: listen on %s: %w", addr, err)
	}
	srv, err := s.newSSH()
	if err != nil {
		ln.Close()
		return err
	}
	s.lmu.Lock()
	s.srv, s.ln, s.addr = srv, ln, addr
	s.lmu.Unlock()
	s.log.Info("SSH console listening", "addr", ln.Addr().String(), "host_key", s.HostKeyFingerprint())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, ssh.ErrServerClosed) {
			s.log.Error("SSH console stopped", "addr", addr, "err", err)
		}
	}()
	return nil
}

// Addr is the address the console listens on, or "" when it is off.
func (s *Server) Addr() string {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops listening and closes every connection at once; sessions'
// programs end with their connection.
func (s *Server) Close() error {
	s.lmu.Lock()
	srv := s.srv
	s.srv, s.ln, s.addr = nil, nil, ""
	s.lmu.Unlock()
	if srv == nil {
		return nil
	}
	if err := srv.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("close ssh console: %w", err)
	}
	return nil
}
