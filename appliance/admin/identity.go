package admin

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer/store"
)

// Role is what an Identity may do.
type Role string

// Roles. The socket gives RoleAdmin; a bearer token on the HTTPS API
// gives RoleAdmin or RoleTenant; an SSH console key (SSHIdentity) gives
// any of the three, RoleViewer being read-only access.
const (
	RoleAdmin  Role = "admin"  // may call read and write routes
	RoleViewer Role = "viewer" // may call read routes only
	// RoleTenant may call only the routes of tenantScopes, and only about
	// its own tenant (Identity.Tenant); there it may read and write.
	RoleTenant Role = "tenant"
)

// ViaHTTPSAPI is the Via of every identity of the HTTPS API listener.
const ViaHTTPSAPI = "https-api"

// ViaSSH is the Via of every identity of the SSH console (tui/console).
const ViaSSH = "ssh"

// Identity is who is on the other end of a connection (or, on the HTTPS
// API, of a request), as its listener established it.
type Identity struct {
	UID  int    // the peer's uid (socket listeners)
	User string // the uid's user name, or "" if it has none
	Role Role
	Via  string // the listener, e.g. "admin.sock" or ViaHTTPSAPI
	// Token is the name of the bearer token (HTTPS API); "" on the socket.
	Token string
	// Tenant is the slug a RoleTenant identity is limited to.
	Tenant string
	// SSHKey and Fingerprint name the SSH console key (Via ViaSSH).
	SSHKey      string
	Fingerprint string
}

// Actor is the identity as the audit trail records it,
// e.g. "uid 1000 (alice) via admin.sock", "token saas via https-api" or
// "ssh-key ops (SHA256:...) via ssh".
func (id Identity) Actor() string {
	if id.SSHKey != "" {
		return "ssh-key " + id.SSHKey + " (" + id.Fingerprint + ") via " + id.Via
	}
	if id.Token != "" {
		return "token " + id.Token + " via " + id.Via
	}
	s := "uid " + strconv.Itoa(id.UID)
	if id.User != "" {
		s += " (" + id.User + ")"
	}
	return s + " via " + id.Via
}

// mayWrite reports whether the identity may call write routes.
func (id Identity) mayWrite() bool { return id.Role == RoleAdmin }

// peer is the outcome of checking a connection's peer: an Identity, or
// the reason it is refused.
type peer struct {
	id      Identity
	refused error // non-nil: every request on the connection gets 403
}

type peerKey struct{}

// peerFrom returns the peer ConnContext stored for the request's connection.
func peerFrom(ctx context.Context) peer {
	if p, ok := ctx.Value(peerKey{}).(peer); ok {
		return p
	}
	return peer{refused: errorf(errForbidden, "", "", "connection has no peer identity")}
}

// allowed reports whether a socket peer with uid peerUID may use the API
// of a daemon running as daemonUID: root and the daemon's own user only.
func allowed(peerUID, daemonUID int) bool {
	return peerUID == 0 || peerUID == daemonUID
}

// identifySocketPeer checks the uid of a unix socket peer.
func (s *Server) identifySocketPeer(c net.Conn) peer {
	return s.identifyUID(peerUID(c))
}

// identifyUID turns a peer uid (or the failure to read it) into a peer.
func (s *Server) identifyUID(uid int, err error) peer {
	if err != nil {
		return peer{refused: errorf(errForbidden, "", "",
			"cannot read the peer's credentials on %s: %v", s.via, err)}
	}
	if !allowed(uid, s.daemonUID) {
		return peer{refused: errorf(errForbidden, "",
			fmt.Sprintf("run the command as root or as uid %d, the user foyer runs as", s.daemonUID),
			"uid %d may not use %s", uid, s.via)}
	}
	return peer{id: Identity{UID: uid, User: s.userName(uid), Role: RoleAdmin, Via: s.via}}
}

// userName returns the name of uid, or "" if it has none; lookups are cached.
func (s *Server) userName(uid int) string {
	if v, ok := s.users.Load(uid); ok {
		return v.(string)
	}
	name := ""
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		name = u.Username
	}
	s.users.Store(uid, name)
	return name
}

// credListener checks the peer of every connection it accepts, so the
// server knows who each connection belongs to.
type credListener struct {
	net.Listener
	identify func(net.Conn) peer
}

// Accept implements net.Listener. A refused peer's connection is still
// returned: the server answers its requests with 403 and closes it.
func (l *credListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &credConn{Conn: c, peer: l.identify(c)}, nil
}

// credConn is an accepted connection and its checked peer.
type credConn struct {
	net.Conn
	peer peer
}

// connContext is the http.Server's ConnContext: it puts the connection's
// peer into every request's context.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*credConn); ok {
		return context.WithValue(ctx, peerKey{}, cc.peer)
	}
	return ctx
}

// update runs fn in one store transaction on behalf of the request's identity.
func (s *Server) update(r *http.Request, fn func(store.Tx) error) error {
	return s.store.Update(r.Context(), peerFrom(r.Context()).id.Actor(), fn)
}

// errUnauthorized: the request carries no valid bearer token (401). It is
// answered by TokenHandler itself, before any route runs.
var errUnauthorized = errors.New("unauthorized")

// tokenTouchEvery is how stale a token's LastUsed may get before a request
// with it writes the time (one small write a minute per token, at most).
const tokenTouchEvery = time.Minute

// TokenHandler is the admin API as the HTTPS API listener serves it: the
// same routes, for requests that carry "Authorization: Bearer fyt_...".
// A missing, malformed, unknown or revoked token gets 401 with
// WWW-Authenticate: Bearer; a valid one becomes the request's Identity
// (Via ViaHTTPSAPI, audited as "token NAME via https-api"). The caller
// serves it over TLS.
func (s *Server) TokenHandler() http.Handler {
	h := s.hs.Handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := s.identifyToken(r)
		if err != nil && !errors.Is(err, errUnauthorized) {
			s.writeError(w, r, err)
			return
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="foyer"`)
			writeJSON(w, http.StatusUnauthorized, errorBody(err))
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), peerKey{}, peer{id: id})))
	})
}

// identifyToken checks the request's bearer token against the store: the
// hash of the presented text is compared in constant time.
func (s *Server) identifyToken(r *http.Request) (Identity, error) {
	const hint = "send `Authorization: Bearer fyt_...` with a token from `foyer token create`"
	scheme, text, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || text == "" {
		return Identity{}, errorf(errUnauthorized, "", hint, "this API needs a bearer token")
	}
	text = strings.TrimSpace(text)
	id, ok := store.TokenID(text)
	if !ok {
		return Identity{}, errorf(errUnauthorized, "", hint, "the bearer token is not a foyer API token (fyt_<id>_<secret>)")
	}
	var k store.Token
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) { k, err = tx.TokenByID(id); return err })
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Identity{}, fmt.Errorf("reading token: %w", err)
	}
	sum := store.HashAPIKey(text)
	if err != nil || subtle.ConstantTimeCompare([]byte(sum), []byte(k.Hash)) != 1 {
		return Identity{}, errorf(errUnauthorized, "", "ask an admin for a new token (`foyer token create`)",
			"the bearer token is unknown or revoked")
	}
	s.touchToken(r.Context(), k)
	out := Identity{Role: RoleAdmin, Via: ViaHTTPSAPI, Token: k.Name}
	if !k.IsAdmin() {
		out.Role, out.Tenant = RoleTenant, k.Tenant()
	}
	return out, nil
}

// touchToken records the token's use when its LastUsed is older than
// tokenTouchEvery; a failure is logged, never answered.
func (s *Server) touchToken(ctx context.Context, k store.Token) {
	now := s.now()
	if now.Sub(k.LastUsed) < tokenTouchEvery {
		return
	}
	actor := "token " + k.Name + " via " + ViaHTTPSAPI // TouchToken writes no audit entry
	if err := s.store.Update(ctx, actor, func(tx store.Tx) error { return tx.TouchToken(k.ID, now) }); err != nil {
		s.log.Warn("recording a token's last use", "token", k.Name, "err", err)
	}
}
