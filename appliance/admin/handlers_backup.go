package admin

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// getBackup is GET /v1/backup?part=foyer.db|logs.db: a consistent snapshot
// of the store (or the access log) streamed as it is read, without pausing
// traffic or configuration writes (store.Backuper). The answer carries the
// snapshot's schema in a header and, as HTTP trailers, its size and
// SHA-256, so the client can tell a whole snapshot from one cut short. A
// snapshot that fails after its first byte aborts the connection, which
// the client sees as an error, never as a shorter success.
func (s *Server) getBackup(w http.ResponseWriter, r *http.Request) error {
	part := r.URL.Query().Get("part")
	var src any
	switch part {
	case "", api.BackupPartStore:
		part, src = api.BackupPartStore, s.store
	case api.BackupPartLogs:
		src = s.logs
	default:
		return errorf(errBadRequest, "part", "use part=foyer.db or part=logs.db", "unknown backup part %q", part)
	}
	b, ok := src.(store.Backuper)
	if !ok || src == nil {
		return errorf(store.ErrNotFound, "part", "back up with the daemon stopped (foyer backup reads the files directly then)",
			"this daemon's %s cannot be backed up through the API", part)
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Trailer", api.BackupBytesTrailer+", "+api.BackupSHA256Trailer)
	if v, ok := src.(store.Versioned); ok {
		schema, err := v.Schema(r.Context())
		if err != nil {
			return err
		}
		h.Set(api.BackupSchemaHeader, strconv.FormatUint(schema, 10))
	}
	sum := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(w, sum)}
	if _, err := b.WriteBackup(r.Context(), cw); err != nil {
		if cw.n == 0 {
			return err
		}
		s.log.Error("backup failed while streaming", "part", part, "bytes", cw.n, "error", err)
		panic(http.ErrAbortHandler) // the client sees a broken stream, not a short success
	}
	h.Set(api.BackupBytesTrailer, strconv.FormatInt(cw.n, 10))
	h.Set(api.BackupSHA256Trailer, hex.EncodeToString(sum.Sum(nil)))
	return nil
}

// countingWriter counts what it passes on.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
