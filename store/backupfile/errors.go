package backupfile

import (
	"errors"
	"fmt"
)

// The reasons a file is refused. Every error Read, Verify and Extract
// return for a bad file wraps one of them, so callers can tell them apart
// with errors.Is; the message says what is wrong and what to do.
var (
	// ErrForeign: the file is not a foyer backup.
	ErrForeign = errors.New("not a foyer backup")
	// ErrTruncated: the file is shorter than its header says.
	ErrTruncated = errors.New("backup is truncated")
	// ErrCorrupt: a checksum does not match.
	ErrCorrupt = errors.New("backup is damaged")
	// ErrNewerFormat: a newer foyer wrote the file.
	ErrNewerFormat = errors.New("backup has a newer format")
	// ErrEncrypted: the file is encrypted and no (matching) key was given.
	ErrEncrypted = errors.New("backup is encrypted")
	// ErrWrongKey: the passphrase or identity does not open the file.
	ErrWrongKey = errors.New("wrong passphrase or identity")
)

// Refusal is a refused backup file: Reason is one of the sentinels above,
// Msg says what is wrong with this file.
type Refusal struct {
	Reason error
	Msg    string
}

func (r *Refusal) Error() string { return fmt.Sprintf("%s: %s", r.Reason, r.Msg) }

// Unwrap returns the reason.
func (r *Refusal) Unwrap() error { return r.Reason }

func refuse(reason error, format string, args ...any) error {
	return &Refusal{Reason: reason, Msg: fmt.Sprintf(format, args...)}
}
