package admin

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/user"
	"strconv"

	"github.com/foyerhq/foyer/store"
)

// Role is what an Identity may do.
type Role string

// Roles. The socket gives RoleAdmin; RoleViewer is for later listeners
// (SSH keys, API tokens) that grant read-only access.
const (
	RoleAdmin  Role = "admin"  // may call read and write routes
	RoleViewer Role = "viewer" // may call read routes only
)

// Identity is who is on the other end of a connection, as its listener
// established it.
type Identity struct {
	UID  int    // the peer's uid (socket listeners)
	User string // the uid's user name, or "" if it has none
	Role Role
	Via  string // the listener, e.g. "admin.sock"
}

// Actor is the identity as the audit trail records it,
// e.g. "uid 1000 (alice) via admin.sock".
func (id Identity) Actor() string {
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
