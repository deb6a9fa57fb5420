package store

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error a Store returns that is about the data (not
// about the disk) wraps exactly one of these, so callers branch with
// errors.Is and the admin API maps them to a status in one place
// (404, 409, 409, 422, 423).
var (
	// ErrNotFound: the named record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: a record with that key already exists.
	ErrExists = errors.New("already exists")
	// ErrConflict: the change contradicts other records (a tenant that
	// still has backends, a domain claimed by another tenant).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: a field breaks a validation rule; the *Error names it.
	ErrInvalid = errors.New("invalid")
	// ErrLocked: the store is held by another process.
	ErrLocked = errors.New("locked")
)

// Error is the one error type the store returns for refused changes. It
// wraps a sentinel (Kind), names the field at fault where there is one, and
// carries a hint that tells a person what to do next.
type Error struct {
	Kind  error  // one of the sentinels above
	Field string // e.g. "tenant.slug"; empty when no single field is at fault
	Msg   string // what is wrong, lower case, no trailing period
	Hint  string // what to do about it; may be empty
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Msg
	}
	return e.Msg
}

// Unwrap lets errors.Is(err, ErrInvalid) and friends work.
func (e *Error) Unwrap() error { return e.Kind }

// Errf builds an *Error of the given kind.
func Errf(kind error, field, hint, format string, args ...any) *Error {
	return &Error{Kind: kind, Field: field, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// invalid is shorthand for a validation failure of one field.
func invalid(field, hint, format string, args ...any) *Error {
	return Errf(ErrInvalid, field, hint, format, args...)
}

// HintOf returns the hint carried by err, or "".
func HintOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint
	}
	return ""
}

// FieldOf returns the field named by err, or "".
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
