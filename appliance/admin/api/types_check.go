package api

import "time"

// StoreCheck is GET /v1/check: the daemon's read-only check of its own
// files (bbolt's consistency check, the schema version, every record read
// back), run while it keeps serving.
type StoreCheck struct {
	// Time is the daemon's clock when the check ended, so a client can
	// compare clocks.
	Time  time.Time   `json:"time"`
	Files []FileCheck `json:"files"`
}

// FileCheck is the check of one file, foyer.db or logs.db.
type FileCheck struct {
	Path    string `json:"path"`
	Records int    `json:"records"`
	// Problems is every problem found, one line each; empty when sound.
	Problems []string `json:"problems,omitempty"`
	// Skipped says why the file was not checked (a store that cannot
	// check itself, an access log that is not open); empty when it was.
	Skipped string `json:"skipped,omitempty"`
}
