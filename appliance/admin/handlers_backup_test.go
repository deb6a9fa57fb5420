package admin

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// backupStore is the memstore with a snapshot of fixed bytes (memstore
// has no file to snapshot; boltstore's real one is tested in store/boltstore
// and end to end in cmd/foyer). failAfter > 0 makes the snapshot fail
// after that many bytes.
type backupStore struct {
	store.Store
	data      []byte
	failAfter int
}

func (b *backupStore) WriteBackup(_ context.Context, w io.Writer) (int64, error) {
	if b.failAfter > 0 {
		n, _ := w.Write(b.data[:b.failAfter])
		return int64(n), errors.New("disk went away")
	}
	n, err := w.Write(b.data)
	return int64(n), err
}

func (b *backupStore) Schema(context.Context) (uint64, error) { return 7, nil }

func withBackup(data []byte, failAfter int) func(*Options) {
	return func(o *Options) { o.Store = &backupStore{Store: o.Store, data: data, failAfter: failAfter} }
}

// Ensure that GET /v1/backup streams the snapshot with its schema and that
// the stream's Close confirms it arrived whole.
func TestBackupStreams(t *testing.T) {
	data := bytes.Repeat([]byte("snapshot"), 100_000)
	h := newHarness(t, withBackup(data, 0)).serve()
	bs, err := h.client.Backup(t.Context(), api.BackupPartStore)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(bs)
	if err != nil {
		t.Fatal(err)
	}
	if err := bs.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) || bs.Schema != 7 {
		t.Fatalf("got %d bytes, schema %d; want %d bytes, schema 7", len(got), bs.Schema, len(data))
	}
}

// Ensure that a snapshot failing midway reaches the client as an error,
// never as a shorter backup.
func TestBackupFailureMidway(t *testing.T) {
	h := newHarness(t, withBackup(bytes.Repeat([]byte("x"), 1<<20), 1000)).serve()
	bs, err := h.client.Backup(t.Context(), api.BackupPartStore)
	if err != nil {
		return // refused before the body: fine, it is an error
	}
	_, rerr := io.ReadAll(bs)
	if cerr := bs.Close(); rerr == nil && cerr == nil {
		t.Fatal("a snapshot that failed midway read as whole")
	}
}

// Ensure that a store without snapshots and an unknown part are refused
// with a hint, and that logs.db without an access log is too.
func TestBackupRefusals(t *testing.T) {
	h := start(t)
	for _, part := range []string{api.BackupPartStore, api.BackupPartLogs, "passwd"} {
		_, err := h.client.Backup(t.Context(), part)
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Hint == "" {
			t.Errorf("part %s: error %v, want an API error with a hint", part, err)
		}
	}
}

// Ensure that only admins reach GET /v1/backup over the token API: tenant
// tokens are refused, and the route is not in tenantScopes. (Tokens have
// no read-only role; the socket's viewer role is refused by the route's
// write access, as every write route is.)
func TestBackupAdminOnly(t *testing.T) {
	h := newHarness(t, withBackup([]byte("secret keys"), 0)).serve()
	h.mustTenant("acme")
	a := serveTokenAPI(h)
	code, _, body := a.call(h.mustToken("saas", "tenant:acme"), "GET", "/v1/backup", "")
	if code != http.StatusForbidden || bytes.Contains(body, []byte("secret")) {
		t.Errorf("tenant token: %d %s, want 403", code, body)
	}
	if code, _, body := a.call(h.mustToken("ops", "admin"), "GET", "/v1/backup", ""); code != http.StatusOK || string(body) != "secret keys" {
		t.Errorf("admin: %d %q", code, body)
	}
	for k := range tenantScopes {
		if strings.Contains(k, "/v1/backup") {
			t.Errorf("tenantScopes lists %s: a tenant token must never read a backup", k)
		}
	}
}
