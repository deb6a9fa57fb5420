package admin

import (
	"net"
	"net/http"
	"strings"
	"testing"
)

// Ensure that GET /v1/check reports a store that cannot check itself (the
// memstore) as skipped rather than sound, with the daemon's clock; a
// bbolt store's check runs in cmd/foyer's end-to-end test of doctor.
func TestCheckStoreSkipsMemstore(t *testing.T) {
	h := start(t)
	sc, err := h.client.CheckStore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Files) != 1 || !strings.Contains(sc.Files[0].Skipped, "cannot check itself") || sc.Time.IsZero() {
		t.Fatalf("check = %+v, want one skipped file and a time", sc)
	}
}

// Ensure that GET /v1/check is admin only: a viewer gets 403.
func TestCheckStoreAdminOnly(t *testing.T) {
	h := newHarness(t, nil)
	h.srv.identify = func(net.Conn) peer {
		return peer{id: Identity{UID: 77, Role: RoleViewer, Via: "test"}}
	}
	h.serve()
	_, err := h.client.CheckStore(t.Context())
	apiError(t, err, http.StatusForbidden)
}
