package ops

// This file is `foyer doctor`'s frame: the report, its levels and the
// order of the checks. doctor_daemon.go asks the daemon, doctor_acme.go
// reaches the ACME directory, doctor_local.go looks at the data directory
// and its disk.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Level is the outcome of one doctor check.
type Level string

// The levels, from good to bad. A report with any LevelFail makes `foyer
// doctor` exit non-zero.
const (
	LevelOK   Level = "ok"
	LevelWarn Level = "warn"
	LevelFail Level = "fail"
)

// DoctorCheck is one line of the report: what was checked, how it went, a
// one-line detail and, when it is not ok, what to do.
type DoctorCheck struct {
	Name   string `json:"name"`
	Level  Level  `json:"level"`
	Detail string `json:"detail"`
	Hint   string `json:"hint,omitempty"`
}

// DoctorReport is every check, in the order they ran.
type DoctorReport struct {
	// Daemon says whether the daemon answered on its socket; when it did
	// not, the report holds the offline checks only.
	Daemon bool          `json:"daemon"`
	Checks []DoctorCheck `json:"checks"`
}

// Count returns how many checks ended at level l.
func (r DoctorReport) Count(l Level) int {
	n := 0
	for _, c := range r.Checks {
		if c.Level == l {
			n++
		}
	}
	return n
}

// DoctorOptions is what Doctor needs. DataDir and Client are required.
type DoctorOptions struct {
	// DataDir is the data directory; its files, permissions and disk are
	// checked locally.
	DataDir string
	// Client talks to the daemon on DataDir's socket.
	Client *api.Client
	// OfflineCheck checks the store's files with the daemon stopped
	// (cmd/foyer passes boltstore.CheckDir). If nil, the store is not
	// checked when the daemon is down.
	OfflineCheck func(context.Context) ([]api.FileCheck, error)
	// HTTP fetches the ACME directory; its transport gets the acme-roots
	// setting. If nil, a client with ACMETimeout is built.
	HTTP *http.Client
	// ACMETimeout bounds the ACME directory fetch. Default 5s.
	ACMETimeout time.Duration
	// Now is the local clock; default time.Now.
	Now func() time.Time
	// DiskUsage reports the filesystem of a path; default statfs.
	DiskUsage func(path string) (Disk, error)
}

// Doctor runs every check and returns the report. It never returns an
// error: a check that cannot run says so in its own line.
func Doctor(ctx context.Context, opts DoctorOptions) DoctorReport {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DiskUsage == nil {
		opts.DiskUsage = diskUsage
	}
	if opts.ACMETimeout <= 0 {
		opts.ACMETimeout = 5 * time.Second
	}
	d := &doctor{opts: opts}
	d.daemon(ctx)
	d.permissions()
	d.storeCheck(ctx)
	if d.up {
		d.acme(ctx)
		d.domains(ctx)
		d.certs(ctx)
		d.clock()
	}
	d.disk()
	return DoctorReport{Daemon: d.up, Checks: d.checks}
}

// doctor is one run: what the checks learned so far and their lines.
type doctor struct {
	opts     DoctorOptions
	up       bool              // the daemon answered
	status   api.Status        // the daemon's status, when up
	localAt  time.Time         // the local clock when the status arrived
	settings map[string]string // the daemon's settings, when up
	acmeDate time.Time         // the ACME directory's Date header, when it answered
	checks   []DoctorCheck
}

// add appends a check line.
func (d *doctor) add(name string, l Level, detail, hint string) {
	d.checks = append(d.checks, DoctorCheck{Name: name, Level: l, Detail: detail, Hint: hint})
}

// WriteDoctorReport writes r as an aligned table, one line per check with
// its hint below it, and a last line of counts.
func WriteDoctorReport(w io.Writer, r DoctorReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Level, c.Name, oneLine(c.Detail))
		if c.Hint != "" && c.Level != LevelOK {
			fmt.Fprintf(tw, "\t\thint: %s\n", oneLine(c.Hint))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d ok, %d warn, %d fail\n", r.Count(LevelOK), r.Count(LevelWarn), r.Count(LevelFail))
	return err
}

// oneLine folds a detail onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
