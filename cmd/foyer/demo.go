package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance"
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// demoTenants are the tenants `foyer demo` sets up, each with two backends.
var demoTenants = []struct{ slug, name string }{
	{"acme", "Acme Corp"}, {"globex", "Globex Corporation"}, {"initech", "Initech"},
}

const demoBase = "localhost"

// newDemoCmd is `foyer demo`: foyer on embedded defaults, ready for curl.
func newDemoCmd() *cobra.Command {
	var f listenFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Serve three demo tenants with in-process backends (data in ./.demo)",
		Long: "Run foyer on embedded defaults: a data directory ./.demo (or --data), demo backends\n" +
			"served in-process on loopback, three tenants under the base domain localhost, and\n" +
			"foyer's internal CA (setting internal-ca) issuing their certificates on demand; its root\n" +
			"is written to demo-ca.pem in the data directory. It prints the commands to try; Ctrl-C\n" +
			"stops it.\n" +
			"Running it again reuses the data directory.",
		Example: "  foyer demo\n  foyer demo --http 127.0.0.1:18080 --https 127.0.0.1:18443",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := "./.demo"
			if d, _ := cmd.Flags().GetString("data"); d != "" {
				dir = d
			}
			log, err := newLogger(cmd.ErrOrStderr(), f.logLevel)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return runDemo(ctx, dir, f, log, cmd.OutOrStdout())
		},
	}
	f.register(cmd, "127.0.0.1:8080", "127.0.0.1:8443", "127.0.0.1:9090")
	return cmd
}

// runDemo starts the demo backends, seeds dir and serves until ctx ends.
func runDemo(ctx context.Context, dir string, f listenFlags, log *slog.Logger, out io.Writer) error {
	urls, stopBackends, err := startDemoBackends()
	if err != nil {
		return err
	}
	defer stopBackends()
	caPath := filepath.Join(dir, "demo-ca.pem")
	if err := seedDemo(ctx, dir, urls); err != nil {
		return err
	}
	return serve(ctx, dir, f, log, func(a *appliance.Appliance) {
		// The daemon made the CA as it applied internal-ca=on, before it
		// was ready; export its root as `foyer ca export-root` does.
		c := api.NewClient(filepath.Join(dir, api.SocketName))
		if err := exportRoot(ctx, c, caPath, nil); err != nil {
			log.Error("demo: HTTPS will not verify without the CA root", "err", err)
		}
		printDemo(out, dir, caPath, a.Addrs())
	})
}

// startDemoBackends serves two small backends per demo tenant on loopback
// and returns their URLs by tenant.
func startDemoBackends() (map[string][]string, func(), error) {
	urls := map[string][]string{}
	var servers []*http.Server
	stop := func() {
		for _, s := range servers {
			s.Close()
		}
	}
	for _, t := range demoTenants {
		for i := 1; i <= 2; i++ {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				stop()
				return nil, nil, fmt.Errorf("start demo backend: %w", err)
			}
			srv := &http.Server{Handler: demoBackend(t.name, i), ReadHeaderTimeout: 5 * time.Second}
			servers = append(servers, srv)
			go srv.Serve(ln)
			urls[t.slug] = append(urls[t.slug], "http://"+ln.Addr().String())
		}
	}
	return urls, stop, nil
}

// demoBackend answers with what it saw, so a curl shows foyer's routing.
func demoBackend(name string, n int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Hello from %s, demo backend %d of 2\n", name, n)
		fmt.Fprintf(w, "  %s %s, Host: %s\n", r.Method, r.URL.Path, r.Host)
		for _, k := range []string{"X-Foyer-Tenant", "X-Forwarded-For", "X-Forwarded-Proto", "X-Request-Id"} {
			fmt.Fprintf(w, "  %s: %s\n", k, r.Header.Get(k))
		}
	})
}

// seedDemo writes the demo configuration in one transaction: settings
// (the base domain, and internal-ca on: the tenants' certificates come from
// foyer's own CA, made once and kept in the store), tenants (kept if
// present) and their backends (replaced by this run's).
func seedDemo(ctx context.Context, dir string, urls map[string][]string) error {
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Update(ctx, "foyer demo", func(tx store.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.BaseDomain, s.InternalCA = demoBase, true
		if err := tx.SetSettings(s); err != nil {
			return err
		}
		for _, t := range demoTenants {
			if err := seedDemoTenant(tx, t.slug, t.name, urls[t.slug]); err != nil {
				return err
			}
		}
		// Before the internal CA, the demo imported a certificate under
		// this name; an imported one would win over the issued ones.
		if c, err := tx.Cert(demoTenants[0].slug + "." + demoBase); err == nil && c.Issuer == "CN=foyer demo CA" {
			return tx.RemoveCert(c.Name)
		}
		return nil
	})
}

func seedDemoTenant(tx store.Tx, slug, name string, urls []string) error {
	if _, err := tx.Tenant(slug); err != nil {
		if err := tx.CreateTenant(&store.Tenant{Slug: slug, Name: name}); err != nil {
			return err
		}
	}
	old, err := tx.Backends(slug)
	if err != nil {
		return err
	}
	for _, b := range old {
		if err := tx.RemoveBackend(slug, b.Pool, b.URL); err != nil {
			return err
		}
	}
	for _, u := range urls {
		if err := tx.AddBackend(&store.Backend{Tenant: slug, URL: u}); err != nil {
			return err
		}
	}
	return nil
}

// printDemo tells the user what to try, with the ports actually bound.
func printDemo(w io.Writer, dir, caPath string, addrs map[string]string) {
	self := "foyer"
	if strings.Contains(os.Args[0], "/") {
		self = os.Args[0]
	}
	port := func(name string) string {
		_, p, _ := net.SplitHostPort(addrs[name])
		return p
	}
	fmt.Fprintf(w, "\nfoyer demo is serving %d tenants under *.%s (data in %s).\n\n", len(demoTenants), demoBase, dir)
	fmt.Fprintf(w, "Talk to it from another shell:\n  export FOYER_DATA=%s\n  %s tenant list\n\n", dir, self)
	fmt.Fprintln(w, "Try:")
	if p := port("http"); p != "" {
		for _, t := range demoTenants {
			h := t.slug + "." + demoBase
			fmt.Fprintf(w, "  curl -fsS --resolve %s:%s:127.0.0.1 http://%s:%s/\n", h, p, h, p)
		}
		fmt.Fprintf(w, "  curl -sS --resolve nobody.%s:%s:127.0.0.1 http://nobody.%s:%s/   # 404: no such tenant\n", demoBase, p, demoBase, p)
	}
	if p := port("https"); p != "" {
		h := demoTenants[0].slug + "." + demoBase
		fmt.Fprintf(w, "  curl -fsS --cacert %s --resolve %s:%s:127.0.0.1 https://%s:%s/\n", caPath, h, p, h, p)
	}
	fmt.Fprintln(w, "\nCtrl-C stops it.")
}
