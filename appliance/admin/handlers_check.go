package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// selfChecker is a store file that can check itself while open: the bbolt
// store and access log (boltstore.Store.Verify, boltstore.Logs.Verify).
// The server asks for it by interface, so it does not depend on the
// backend; a store without it is reported as skipped.
type selfChecker interface {
	Verify(ctx context.Context) (records int, err error)
	Path() string
}

// checkStore is GET /v1/check: a read-only check of foyer.db and logs.db,
// each in read transactions, while the daemon keeps serving and writing.
// Problems are in the answer (200); the check itself failing is an error.
func (s *Server) checkStore(w http.ResponseWriter, r *http.Request) error {
	out := api.StoreCheck{Files: []api.FileCheck{
		checkFile(r.Context(), s.store, "configuration store"),
	}}
	if s.logs != nil {
		out.Files = append(out.Files, checkFile(r.Context(), s.logs, "access log"))
	}
	if err := r.Context().Err(); err != nil {
		return err
	}
	out.Time = s.now()
	writeJSON(w, http.StatusOK, out)
	return nil
}

// checkFile checks v if it can check itself.
func checkFile(ctx context.Context, v any, what string) api.FileCheck {
	c, ok := v.(selfChecker)
	if !ok {
		return api.FileCheck{Path: what, Skipped: "this " + what + " cannot check itself (not a bbolt file)"}
	}
	n, err := c.Verify(ctx)
	return api.FileCheck{Path: c.Path(), Records: n, Problems: problemLines(err)}
}

// problemLines splits a joined error into one line per problem.
func problemLines(err error) []string {
	if err == nil {
		return nil
	}
	var j interface{ Unwrap() []error }
	if !errors.As(err, &j) {
		return []string{err.Error()}
	}
	var out []string
	for _, e := range j.Unwrap() {
		out = append(out, problemLines(e)...)
	}
	return out
}
