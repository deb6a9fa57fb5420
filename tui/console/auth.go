package console

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"charm.land/ssh"
	lru "github.com/hashicorp/golang-lru/v2"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"
)

// failures is the per-source-IP limit on refused logins: a token bucket
// per IP (AuthFailures tries, one more every AuthFailureEvery), kept in a
// bounded LRU so that many addresses cannot grow memory without bound.
type failures struct {
	mu    sync.Mutex // guards ips (the LRU is safe alone; mu makes get-or-add one step)
	ips   *lru.Cache[string, *rate.Limiter]
	burst int
	every time.Duration
}

func newFailures(size, burst int, every time.Duration) (*failures, error) {
	c, err := lru.New[string, *rate.Limiter](size)
	if err != nil {
		return nil, fmt.Errorf("new ssh console: failure limiter: %w", err)
	}
	return &failures{ips: c, burst: burst, every: every}, nil
}

// limiter returns the limiter of ip, adding a full one if it has none.
func (f *failures) limiter(ip string) *rate.Limiter {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l, ok := f.ips.Get(ip); ok {
		return l
	}
	l := rate.NewLimiter(rate.Every(f.every), f.burst)
	f.ips.Add(ip, l)
	return l
}

// blocked reports whether ip has used up its refused logins.
func (f *failures) blocked(ip string) bool { return f.limiter(ip).Tokens() < 1 }

// fail counts one refused login of ip.
func (f *failures) fail(ip string) { f.limiter(ip).Allow() }

// hostOf is the IP of a remote address, the failure limit's key.
func hostOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// connCallback drops a connection from an IP that used up its refused
// logins before any handshake.
func (s *Server) connCallback(_ ssh.Context, c net.Conn) net.Conn {
	if ip := hostOf(c.RemoteAddr()); s.fails.blocked(ip) {
		// Debug: an IP that keeps trying would otherwise fill the log; its
		// failures up to the limit were logged as warnings.
		s.log.Debug("SSH connection refused: too many failed logins", "remote", ip)
		return nil
	}
	return c
}

// publicKey is the public-key login check: a key the store knows, from an
// IP under the failure limit. The key's role is not decided here: the
// session looks the authenticated key up again (see keyOf), since this
// callback also answers keys a client only offers without proving them.
func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	ip := hostOf(ctx.RemoteAddr())
	if s.fails.blocked(ip) {
		return false
	}
	fp := gossh.FingerprintSHA256(key)
	k, err := s.opts.Lookup(ctx, fp)
	if err != nil {
		s.fails.fail(ip)
		if !errors.Is(err, ErrUnknownKey) {
			s.log.Error("SSH login: looking the key up", "remote", ip, "fingerprint", fp, "err", err)
			return false
		}
		s.log.Warn("SSH login refused: unknown key", "remote", ip, "user", ctx.User(), "fingerprint", fp)
		return false
	}
	s.log.Debug("SSH key accepted", "remote", ip, "key", k.Name, "fingerprint", fp)
	return true
}
