package admin

import (
	"errors"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// Errors of the API itself, beside the store's sentinels. Like those, they
// are carried as the Kind of a *store.Error so every refusal has one shape
// (message, field, hint).
var (
	// errBadRequest: the request is malformed (its body, a query parameter).
	errBadRequest = errors.New("bad request")
	// errForbidden: the peer may not use the API, or may not write.
	errForbidden = errors.New("forbidden")
	// errTooLarge: the request body is over maxBody.
	errTooLarge = errors.New("request body too large")
)

// errorf builds an API error of the given kind.
func errorf(kind error, field, hint, format string, args ...any) error {
	return store.Errf(kind, field, hint, format, args...)
}

// statusFor is the one place an error becomes an HTTP status.
func statusFor(err error) int {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, store.ErrExists), errors.Is(err, store.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, store.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, store.ErrLocked):
		return http.StatusLocked
	case errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errForbidden):
		return http.StatusForbidden
	default:
		return http.StatusInternalServerError
	}
}

// errorBody is the JSON a person reads for err.
func errorBody(err error) api.ErrorBody {
	var se *store.Error
	if errors.As(err, &se) {
		return api.ErrorBody{Error: se.Error(), Hint: se.Hint, Field: se.Field}
	}
	return api.ErrorBody{Error: err.Error()}
}

// writeError answers r with err. Server errors (500) are logged, with the
// method and path but never the request body.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := statusFor(err)
	body := errorBody(err)
	if code == http.StatusInternalServerError {
		s.log.Error("admin api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		if body.Hint == "" {
			body.Hint = "see the daemon's log"
		}
	}
	writeJSON(w, code, body)
}
