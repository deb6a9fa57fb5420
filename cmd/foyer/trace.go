package main

import (
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newTraceCmd is `foyer trace URL [-H 'K: V']... [--method M] [--from IP]`:
// how the daemon would handle a request, without sending it anywhere.
func newTraceCmd() *cobra.Command {
	var (
		headers      []string
		method, from string
		asJSON       bool
	)
	cmd := &cobra.Command{
		Use:   "trace URL",
		Short: "Show how foyer would handle a request: tenant rule, policy verdicts, backend pick (nothing is sent)",
		Long: "trace asks the daemon how it would handle a request to URL: which rule identifies the tenant, each\n" +
			"policy check's verdict and the backend the balancer would pick, and why. It is a dry run: nothing is\n" +
			"sent to a backend, no rate-limit token or concurrency slot is taken, no API key use is recorded and\n" +
			"no rotation moves.",
		Example: "  foyer trace http://acme.example.com/api/orders\n" +
			"  foyer trace http://example.com/ -H 'X-Tenant-ID: acme' -H 'X-API-Key: fy_...'\n" +
			"  foyer trace https://shop.acme.test/cart --method POST --from 203.0.113.7 --json",
		Args: exactArgs(1, "exactly one URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := api.TraceRequest{URL: args[0], Method: strings.ToUpper(method), ClientIP: from}
			var err error
			if req.Headers, err = parseHeaders(headers); err != nil {
				return &usageError{msg: err.Error(), path: cmd.CommandPath()}
			}
			if from != "" {
				if _, err := netip.ParseAddr(from); err != nil {
					return &usageError{msg: fmt.Sprintf("--from %q is not an IP address (for example 203.0.113.7)", from), path: cmd.CommandPath()}
				}
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			rep, err := c.Trace(cmd.Context(), req)
			if err != nil || asJSON {
				return jsonOr(cmd, err, rep)
			}
			return printTrace(cmd.OutOrStdout(), rep)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&headers, "header", "H", nil, "a request header, 'Name: value' (repeatable)")
	f.StringVar(&method, "method", "GET", "the request's method")
	f.StringVar(&from, "from", "", "the client's IP address (default 127.0.0.1)")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// parseHeaders turns "Name: value" flags into a header map.
func parseHeaders(hs []string) (map[string][]string, error) {
	if len(hs) == 0 {
		return nil, nil
	}
	out := http.Header{}
	for _, h := range hs {
		k, v, ok := strings.Cut(h, ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("-H %q is not a header: write it as 'Name: value', e.g. -H 'X-Tenant-ID: acme'", h)
		}
		out.Add(k, strings.TrimSpace(v))
	}
	return out, nil
}

// printTrace writes the report: one line per step, then the pool.
func printTrace(w io.Writer, rep api.TraceReport) error {
	fmt.Fprintf(w, "%s %s from %s (host %s)\n", rep.Method, rep.URL, rep.ClientIP, orDash(rep.Host))
	t := newTable(w)
	for _, s := range rep.Steps {
		v := s.Verdict
		if s.Status != 0 {
			v += " " + strconv.Itoa(s.Status)
		}
		detail := s.Detail
		if s.Step == "identify" && rep.Tenant != "" {
			detail = "tenant " + rep.Tenant + " by " + rep.Rule + ": " + detail
		}
		if s.Reason != "" {
			detail = strings.TrimSuffix(s.Reason+"; "+detail, "; ")
		}
		t.row("  "+s.Step, v, detail)
	}
	if err := t.flush(); err != nil {
		return err
	}
	if rep.Pool != "" && len(rep.Backends) > 0 {
		fmt.Fprintf(w, "pool %s (%s):\n", rep.Pool, orDash(rep.Algorithm))
		t = newTable(w)
		for _, b := range rep.Backends {
			mark := ""
			if b.URL == rep.Pick {
				mark = "<- pick"
			}
			t.row("  "+b.URL, b.State, "in flight "+strconv.FormatInt(b.InFlight, 10), "weight "+strconv.Itoa(b.Weight), mark)
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	var err error
	if rep.Status != 0 {
		_, err = fmt.Fprintf(w, "result: foyer would answer %d: %s\n", rep.Status, rep.Reason)
	} else {
		_, err = fmt.Fprintf(w, "result: forwarded to %s\n", rep.Pick)
	}
	return err
}
