package admin

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/user"
	"strconv"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

func TestAllowed(t *testing.T) {
	// Ensure that only root and the daemon's own uid may use the socket.
	cases := []struct {
		name        string
		peer, owner int
		want        bool
	}{
		{"root peer, user daemon", 0, 1000, true},
		{"root peer, root daemon", 0, 0, true},
		{"same user", 1000, 1000, true},
		{"other user", 1001, 1000, false},
		{"user peer, root daemon", 1000, 0, false},
		{"unknown uid", -1, 1000, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := allowed(c.peer, c.owner); got != c.want {
				t.Errorf("allowed(%d, %d) = %v, want %v", c.peer, c.owner, got, c.want)
			}
		})
	}
}

func TestActorInAudit(t *testing.T) {
	// Ensure that a write is audited under the peer's uid, user name and socket.
	h := start(t)
	h.mustTenant("acme")
	page, err := h.client.Audit(t.Context(), 1, "")
	if err != nil {
		t.Fatal(err)
	}
	want := "uid " + strconv.Itoa(os.Getuid())
	if u, err := user.LookupId(strconv.Itoa(os.Getuid())); err == nil {
		want += " (" + u.Username + ")"
	}
	want += " via admin.sock"
	if len(page.Items) != 1 || page.Items[0].Actor != want {
		t.Fatalf("audit %+v, want one entry by %q", page.Items, want)
	}
}

// withPeer makes the harness's server see every peer as the result of check.
func withPeer(h *harness, uid int, err error) *harness {
	h.srv.identify = func(net.Conn) peer { return h.srv.identifyUID(uid, err) }
	return h
}

func TestPeerRefused(t *testing.T) {
	// Ensure that a peer that is neither root nor the daemon's user gets 403 and a closed connection.
	h := withPeer(newHarness(t, func(o *Options) { o.DaemonUID = 4343 }), 4242, nil).serve()
	_, err := h.client.Status(t.Context())
	ae := apiError(t, err, http.StatusForbidden)
	if !strings.Contains(ae.Msg, "uid 4242") || !strings.Contains(ae.Hint, "uid 4343") {
		t.Errorf("refusal %q (hint %q), want it to name both uids", ae.Msg, ae.Hint)
	}
	resp, body := h.raw("GET", "/v1/nothing-here", nil)
	if resp.StatusCode != http.StatusForbidden || !resp.Close {
		t.Errorf("unknown path from a refused peer: %d, close %v; want 403 and close", resp.StatusCode, resp.Close)
	}
	errorBodyOf(t, body)
}

func TestPeerCredentialsUnreadable(t *testing.T) {
	// Ensure that a connection whose peer cannot be identified is refused.
	h := withPeer(newHarness(t, nil), -1, errors.New("no SO_PEERCRED here")).serve()
	_, err := h.client.Status(t.Context())
	ae := apiError(t, err, http.StatusForbidden)
	if !strings.Contains(ae.Msg, "no SO_PEERCRED here") {
		t.Errorf("refusal %q, want the reason", ae.Msg)
	}
}

func TestViewerMayOnlyRead(t *testing.T) {
	// Ensure that a viewer identity can call read routes but gets 403 on write routes.
	h := newHarness(t, nil)
	h.srv.identify = func(net.Conn) peer {
		return peer{id: Identity{UID: 77, Role: RoleViewer, Via: "test"}}
	}
	h.serve()
	if _, err := h.client.Status(t.Context()); err != nil {
		t.Fatalf("viewer reading status: %v", err)
	}
	_, err := h.client.CreateTenant(t.Context(), api.CreateTenantRequest{Slug: "acme"})
	ae := apiError(t, err, http.StatusForbidden)
	if want := "uid 77 via test may only read"; !strings.HasPrefix(ae.Msg, want) {
		t.Errorf("refusal %q, want it to start %q", ae.Msg, want)
	}
	if n := len(must(h.client.AllTenants(t.Context()))); n != 0 {
		t.Errorf("%d tenants after a refused create", n)
	}
}

func TestIdentityActor(t *testing.T) {
	// Ensure that Actor leaves out an unknown user name.
	for _, c := range []struct {
		id   Identity
		want string
	}{
		{Identity{UID: 0, User: "root", Via: "admin.sock"}, "uid 0 (root) via admin.sock"},
		{Identity{UID: 1234, Via: "admin.sock"}, "uid 1234 via admin.sock"},
	} {
		if got := c.id.Actor(); got != c.want {
			t.Errorf("%+v.Actor() = %q, want %q", c.id, got, c.want)
		}
	}
}

// must returns v, panicking on err; for calls whose failure a later check reports.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}
