package admin

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// maxBody bounds a request body: a certificate chain and its key fit.
const maxBody = 2 << 20

// Page sizes of list endpoints.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// decodeJSON reads r's body, exactly one JSON value of at most maxBody
// bytes with no fields v does not have, into v.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, v)
	}
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case isTooLarge(err):
		return decodeError(err, v)
	default:
		return errorf(errBadRequest, "", "send one JSON object", "request body has data after its JSON value")
	}
}

// decodeError says what is wrong with a request body.
func decodeError(err error, v any) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case isTooLarge(err):
		return errorf(errTooLarge, "", "a certificate and its key must fit in 2 MiB together",
			"request body is larger than %d bytes", maxBody)
	case errors.Is(err, io.EOF):
		return errorf(errBadRequest, "", "send a JSON object with fields: "+jsonFields(v), "request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(errBadRequest, "", "", "request body ends in the middle of its JSON value")
	case errors.As(err, &syntax):
		return errorf(errBadRequest, "", "", "request body is not valid JSON (at byte %d): %v", syntax.Offset, err)
	case errors.As(err, &typ):
		return errorf(errBadRequest, typ.Field, "", "field %q must be %s, not %s", typ.Field, typeName(typ.Type), typ.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return errorf(errBadRequest, name, "valid fields: "+jsonFields(v), "unknown field %q in request body", name)
	}
	return errorf(errBadRequest, "", "", "reading request body: %v", err)
}

func isTooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// typeName names a Go type the way a JSON user would.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Uint32:
		return "a whole number"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice:
		return "an array"
	}
	return t.String()
}

// jsonFields lists the JSON field names of the struct v points to.
func jsonFields(v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return "(none)"
	}
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v) // the client is gone if this fails
}

// writeNoContent answers a successful delete.
func writeNoContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// queryLimit reads the limit parameter: default 100, at most 1000.
func queryLimit(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, errorf(errBadRequest, "limit", "give a whole number from 1 to 1000",
			"limit %q is not a whole number", s)
	}
	if n == 0 {
		return defaultLimit, nil
	}
	return min(n, maxLimit), nil
}

// queryBool reads a true/false parameter; absent means false.
func queryBool(r *http.Request, name string) (bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, errorf(errBadRequest, name, "use true or false", "%s %q is not true or false", name, s)
	}
	return b, nil
}
