package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance"
	"github.com/foyerhq/foyer/store/boltstore"
)

// listenFlags are `foyer serve`'s flags: only listeners and logging; every
// other setting lives in the store (foyer settings).
type listenFlags struct {
	http, https, ops, logLevel string
	engine                     string         // appliance.EngineStd or EngineFast
	backup                     backupSchedule // serve_backup.go
	ssh                        string         // --ssh: the SSH console's address, over the ssh-listen setting (ssh_console.go)
}

func (f *listenFlags) register(cmd *cobra.Command, http, https, ops string) {
	cmd.Flags().StringVar(&f.http, "http", http, "listen address for plain HTTP (\"\" turns it off)")
	cmd.Flags().StringVar(&f.https, "https", https, "listen address for HTTPS (\"\" turns it off)")
	cmd.Flags().StringVar(&f.ops, "ops", ops, "listen address for /healthz, /readyz, /metrics and /debug/pprof/ (keep it on loopback; \"\" turns it off)")
	cmd.Flags().StringVar(&f.engine, "engine", defaultEngine, "HTTP/1.1 engine of the --http and --https listeners: \"fast\" (foyer's own; HTTP/2, upgrades and anything unusual still go to Go's server) or \"std\" (Go's net/http for everything)")
	cmd.Flags().StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error (text on a terminal, else JSON lines)")
}

// defaultEngine is --engine's default: the fast engine, which passes the
// whole suite; --engine std is the fallback.
const defaultEngine = appliance.EngineFast

// newServeCmd is `foyer serve`: the daemon.
func newServeCmd() *cobra.Command {
	var f listenFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the foyer daemon: the tenant-aware HTTPS reverse proxy and its admin socket",
		Long: "Run the foyer daemon. It opens foyer.db in the data directory (only one foyer may),\n" +
			"serves tenants' traffic on --http and --https, health on --ops, and the admin API on\n" +
			"admin.sock (owner-only) for every other foyer command. SIGTERM or SIGINT stops it\n" +
			"gracefully: it stops accepting, lets in-flight requests finish (up to the\n" +
			"shutdown-timeout setting), and closes the store.",
		Example: "  foyer serve\n  foyer serve --data /var/lib/foyer --http :8080 --https :8443",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := dataDir(cmd)
			if err != nil {
				return err
			}
			log, err := newLogger(cmd.ErrOrStderr(), f.logLevel)
			if err != nil {
				return err
			}
			detachStdin() // stdin_unix.go: nothing may wait on a terminal
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return serve(ctx, dir, f, log, nil)
		},
	}
	f.register(cmd, ":80", ":443", "127.0.0.1:9090")
	f.backup.register(cmd)
	cmd.Flags().StringVar(&f.ssh, "ssh", "", "listen address of the SSH console, e.g. :2222 (overrides the ssh-listen setting; docs/ssh-console.md)")
	return cmd
}

// defaultGCPercent is the GOGC foyer runs with unless GOGC is set. A proxy's
// live heap is small (a few MiB plus the route table) while it allocates
// per request, so at Go's default of 100 the collector runs very often: the
// side-by-side benchmark measured about a third less CPU per request at 400,
// for a few MiB more memory.
const defaultGCPercent = 400

// gcMemoryFloor is the soft memory limit below which GOGC alone paces the
// collector. Above it the limit follows the heap (gcHeapHeadroom): with
// GOGC=400 alone a big live heap (10,000 tenants' tables, certificates
// and live counters: about 120 MiB) grows to five times itself between
// collections; with the limit it grows to twice itself (GOGC=100's pace) once that is
// more than the floor. A small proxy's heap never reaches the floor, so
// its CPU per request is GOGC=400's (bench/accesslog: the same CPU per
// request with and without the limit). The price is paid by big heaps
// under load: at 10,000 tenants, VmRSS after a request to every tenant
// 416 MiB without the limit, 261 MiB with it, and foyer's CPU per config
// change 65 ms without it, 118 ms with it (docs/performance.md, "Scale").
const gcMemoryFloor = 192 << 20

// gcHeapHeadroom is the limit's multiple of the live heap once that
// multiple is above gcMemoryFloor.
const gcHeapHeadroom = 2

// tuneGC applies defaultGCPercent unless the operator set GOGC, and the
// soft memory limit (gcMemoryFloor, then gcHeapHeadroom times the live
// heap, updated after every collection until ctx ends) unless the
// operator set GOMEMLIMIT.
func tuneGC(ctx context.Context) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gcMemoryFloor)
		afterGC(ctx, func() {
			s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			metrics.Read(s)
			if s[0].Value.Kind() == metrics.KindUint64 {
				debug.SetMemoryLimit(max(gcMemoryFloor, gcHeapHeadroom*int64(s[0].Value.Uint64())))
			}
		})
	}
}

// releaseStartupGarbage collects start-up's garbage (the store's first
// snapshot decoded, the route table and certificates built from it) and
// returns the freed memory to the system at once, when foyer starts
// serving. Under GOGC=400 the runtime would otherwise keep those pages
// until the heap grew back to them, and an idle foyer's resident memory
// would carry them: with 100 tenants and 101 certificates, bench/run.sh's
// idle VmRSS was 20.4 MiB without this and 19.8 to 20.1 MiB with it (the
// rest is mostly the binary's own pages). One collection, once.
func releaseStartupGarbage() { debug.FreeOSMemory() }

// gcSentinel is an object whose finalizer runs after the collection that
// finds it unreachable (16 bytes or more, so it is not in a tiny block).
type gcSentinel struct{ _ [2]*int }

// afterGC calls fn on the finalizer goroutine after each collection,
// until ctx ends (the sentinel is not re-armed after that).
func afterGC(ctx context.Context, fn func()) {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		if ctx.Err() != nil {
			return
		}
		fn()
		afterGC(ctx, fn)
	})
}

// serve opens the store in dir and runs the appliance until ctx ends. If
// started is not nil it is called once the appliance serves.
func serve(ctx context.Context, dir string, f listenFlags, log *slog.Logger, started func(*appliance.Appliance)) error {
	tuneGC(ctx)
	if f.engine != "" && f.engine != appliance.EngineStd && f.engine != appliance.EngineFast {
		return hinted{fmt.Errorf("--engine %q is not an engine", f.engine), "use --engine fast or --engine std"}
	}
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	// logs.db beside foyer.db: the access log, disposable, closed after Run
	// (deferred after the store, so closed before it).
	logs, err := boltstore.OpenLogs(filepath.Join(st.Dir(), boltstore.LogsName), boltstore.LogsOptions{})
	if err != nil {
		return err
	}
	defer logs.Close()
	defer startBackupSchedule(ctx, st, f.backup, log)() // serve_backup.go; stopped before the store closes
	a, err := appliance.New(appliance.Options{DataDir: dir, Store: st, Logs: logs, HTTPAddr: f.http, HTTPSAddr: f.https,
		OpsAddr: f.ops, Engine: f.engine, Logger: log, Version: version, Commit: commit})
	if err != nil {
		return err
	}
	defer startSSHConsole(ctx, st, a, f.ssh, log)() // ssh_console.go; stopped before the store closes
	go func() {
		select {
		case <-a.Ready():
			releaseStartupGarbage()
			if started != nil {
				started(a)
			}
		case <-ctx.Done():
		}
	}()
	return listenHint(a.Run(ctx))
}

// hinted is an error with a hint for the person who ran the command.
type hinted struct {
	error
	hint string
}

func (h hinted) Hint() string  { return h.hint }
func (h hinted) Unwrap() error { return h.error }

// listenHint adds what to do to the common ways binding a port fails.
func listenHint(err error) error {
	switch {
	case errors.Is(err, syscall.EACCES):
		return hinted{err, "ports below 1024 need root or CAP_NET_BIND_SERVICE (docs/install.md); or choose others, e.g. --http :8080 --https :8443"}
	case errors.Is(err, syscall.EADDRINUSE):
		return hinted{err, "another program listens there; stop it, or choose another address with --http, --https or --ops"}
	}
	return err
}
