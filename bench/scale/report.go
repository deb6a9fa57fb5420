package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer/bench/internal/benchproc"
)

// result is one N's measurements.
type result struct {
	n, certs int
	touched  int // tenants the request-every-tenant pass reached
	dbBytes  int64
	write    time.Duration
	starts   []start
}

// rebuild is one "route table in service" line of foyer's debug log:
// its phases, in seconds.
type rebuild struct {
	Revision                           uint64
	Snapshot, Build, Certs, Swap, Took float64
}

// rebuilds reads foyer's JSON log for the rebuild lines.
func rebuilds(path string) ([]rebuild, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []rebuild
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l struct {
			Msg                                string
			Revision                           uint64
			Snapshot, Build, Certs, Swap, Took int64 // nanoseconds
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Msg != "route table in service" {
			continue
		}
		s := func(ns int64) float64 { return float64(ns) / 1e9 }
		out = append(out, rebuild{l.Revision, s(l.Snapshot), s(l.Build), s(l.Certs), s(l.Swap), s(l.Took)})
	}
	return out, sc.Err()
}

// benchLine is one result of a Go benchmark.
type benchLine struct {
	name           string
	nsOp, allocsOp float64
}

var benchRe = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+[\d.]+ B/op\s+([\d.]+) allocs/op)?`)

// routeBench runs appliance/route's Identify and Build benchmarks.
func routeBench() ([]benchLine, error) {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", "^Benchmark(Identify|Build)$", "-benchmem", "-benchtime", "200ms", "-count", "3", "./appliance/route")
	b, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("route benchmarks: %v\n%s", err, b)
	}
	var out []benchLine
	runs := map[string][]float64{} // ns/op of each run, by name
	for line := range strings.SplitSeq(string(b), "\n") {
		m := benchRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		ns, _ := strconv.ParseFloat(m[2], 64)
		al, _ := strconv.ParseFloat(m[3], 64)
		if _, seen := runs[m[1]]; !seen {
			out = append(out, benchLine{name: m[1], allocsOp: al})
		}
		runs[m[1]] = append(runs[m[1]], ns)
	}
	for i := range out {
		out[i].nsOp = benchproc.Median(runs[out[i].name])
	}
	return out, nil
}

func ms(sec float64) string { return fmt.Sprintf("%.1f ms", sec*1000) }
func us(sec float64) string { return fmt.Sprintf("%.0f us", sec*1e6) }

// collect gathers f over the starts.
func collect(ss []start, f func(start) float64) []float64 {
	v := make([]float64, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	return v
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

// render writes the report.
func render(rs []result, rb []benchLine, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Scale (%s)\n\n", time.Now().UTC().Format(time.DateOnly))
	fmt.Fprintf(&b, "Machine: %s; load average %s at the start, %s at the end (other work on the machine shows in the tails). "+
		"`make scale` (bench/scale), %s in all.\n\n", benchproc.Machine(), loadStart, benchproc.LoadAvg(), took.Round(time.Second))
	fmt.Fprintf(&b, "Each tenant tI has one backend (one of two loopback backends) and routes as tI.test; the store "+
		"also holds the imported certificates, written offline through the store package before `foyer serve` starts. "+
		"Start-up and memory are medians over the fresh starts; the first/tenth requests pool %d sampled tenants per start; "+
		"config changes are timed on the last start. foyer runs with GOGC=%s and engine %s.\n\n", *sampled, gogcShown(), engineShown())
	fmt.Fprintf(&b, "| | target |")
	for _, r := range rs {
		fmt.Fprintf(&b, " N=%d |", r.n)
	}
	fmt.Fprintf(&b, "\n|---|---|%s\n", strings.Repeat("---|", len(rs)))
	row := func(name, target string, f func(r result) string) {
		fmt.Fprintf(&b, "| %s | %s |", name, target)
		for _, r := range rs {
			fmt.Fprintf(&b, " %s |", f(r))
		}
		b.WriteString("\n")
	}
	med := func(r result, f func(start) float64) float64 { return benchproc.Median(collect(r.starts, f)) }
	row("fresh starts; changes timed", "", func(r result) string {
		return fmt.Sprintf("%d; %d", len(r.starts), len(r.starts[len(r.starts)-1].changes))
	})
	row("imported certificates", "", func(r result) string { return strconv.Itoa(r.certs) })
	row("foyer.db (written in)", "", func(r result) string {
		return fmt.Sprintf("%.1f MiB (%.1f s)", benchproc.MiB(r.dbBytes), r.write.Seconds())
	})
	row("exec to /readyz 200", "", func(r result) string { return ms(med(r, func(s start) float64 { return s.ready.Seconds() })) })
	row("exec to a tenant's first 200", "< 3 s", func(r result) string {
		v := med(r, func(s start) float64 { return s.firstOK.Seconds() })
		return ms(v) + " " + verdict(v < 3)
	})
	row("start-up rebuild (snapshot + build + certs + swap)", "", func(r result) string {
		return ms(med(r, func(s start) float64 { return startRebuild(s).Took }))
	})
	row("VmRSS when ready (VmHWM)", "< 300 MB", func(r result) string {
		v := med(r, func(s start) float64 { return s.rss })
		return fmt.Sprintf("%.1f MiB (%.1f) %s", v, med(r, func(s start) float64 { return s.hwm }), verdict(v*1.048576 < 300))
	})
	row("VmRSS after a request to every tenant (VmHWM)", "< 300 MB", func(r result) string {
		v := med(r, func(s start) float64 { return s.rssAfter })
		return fmt.Sprintf("%.1f MiB (%.1f) %s%s", v, med(r, func(s start) float64 { return s.hwmAf }), verdict(v*1.048576 < 300), partly(r))
	})
	row("a request to every tenant (2 clients)", "", func(r result) string {
		return fmt.Sprintf("%.1f s, %d not 200%s", med(r, func(s start) float64 { return s.allTook.Seconds() }), r.starts[len(r.starts)-1].allErrs, partly(r))
	})
	firstTenth := func(r result) (first, tenth []float64) {
		for _, s := range r.starts {
			first, tenth = append(first, s.first...), append(tenth, s.tenth...)
		}
		return first, tenth
	}
	row("first request after start: median / p99", "", func(r result) string {
		f, _ := firstTenth(r)
		return us(benchproc.Median(f)) + " / " + us(benchproc.Quantile(f, 0.99))
	})
	row("tenth request: median / p99", "", func(r result) string {
		_, t := firstTenth(r)
		return us(benchproc.Median(t)) + " / " + us(benchproc.Quantile(t, 0.99))
	})
	row("first / tenth (median; p99)", "<= 2x", func(r result) string {
		f, t := firstTenth(r)
		m, p := benchproc.Median(f)/benchproc.Median(t), benchproc.Quantile(f, 0.99)/benchproc.Quantile(t, 0.99)
		return fmt.Sprintf("%.2fx; %.2fx %s", m, p, verdict(m <= 2))
	})
	changesOf := func(r result) []change { return r.starts[len(r.starts)-1].changes }
	row("config change, ack to served: p50 / p99 / max", "p99 < 100 ms", func(r result) string {
		var v []float64
		for _, c := range changesOf(r) {
			v = append(v, c.visible.Seconds())
		}
		p99 := benchproc.Quantile(v, 0.99)
		return fmt.Sprintf("%s / %s / %s %s", ms(benchproc.Quantile(v, 0.5)), ms(p99), ms(benchproc.Quantile(v, 1)), verdict(p99 < 0.1))
	})
	for _, k := range changeKinds {
		row("&nbsp;&nbsp;"+k.name+": p50 / p99", "", func(r result) string {
			var v []float64
			for _, c := range changesOf(r) {
				if c.kind == k.name {
					v = append(v, c.visible.Seconds())
				}
			}
			return ms(benchproc.Quantile(v, 0.5)) + " / " + ms(benchproc.Quantile(v, 0.99))
		})
	}
	row("config change, the API write itself: p50 / p99", "", func(r result) string {
		var v []float64
		for _, c := range changesOf(r) {
			v = append(v, c.write.Seconds())
		}
		return ms(benchproc.Quantile(v, 0.5)) + " / " + ms(benchproc.Quantile(v, 0.99))
	})
	row("foyer's CPU per change (the API write, the rebuild, the polls' requests)", "", func(r result) string {
		return ms(r.starts[len(r.starts)-1].changeCPU.Seconds())
	})
	phase := func(name string, f func(rebuild) float64) {
		row("daemon's rebuild per change, "+name+": p50 / p99", "", func(r result) string {
			var v []float64
			for _, x := range changeRebuilds(r.starts[len(r.starts)-1]) {
				v = append(v, f(x))
			}
			return ms(benchproc.Quantile(v, 0.5)) + " / " + ms(benchproc.Quantile(v, 0.99))
		})
	}
	phase("total", func(x rebuild) float64 { return x.Took })
	phase("store snapshot", func(x rebuild) float64 { return x.Snapshot })
	phase("route.Build", func(x rebuild) float64 { return x.Build })
	phase("certificates", func(x rebuild) float64 { return x.Certs })
	phase("proxy.Swap", func(x rebuild) float64 { return x.Swap })
	b.WriteString("\nChanges, in turn on a new tenant: add the tenant (served: 503, no backend), add its backend " +
		"(200), remove the backend (503), remove the tenant (404); each timed from the admin API's acknowledgement " +
		"to the first request that shows it, polling every 100 us. The daemon's own times come from its debug log line " +
		"\"route table in service\".\n")
	if len(rb) > 0 {
		b.WriteString("\n## route.Identify and route.Build (appliance/route benchmarks)\n\n")
		b.WriteString("slug = a wildcard subdomain `<slug>.<base_domain>`; domain = a custom domain, exact; " +
			"domain-mixed = a custom domain sent in mixed case with a port and a trailing dot (normalised first); miss = an unknown host.\n\n")
		b.WriteString("Medians of 3 runs of 200 ms each.\n\n| benchmark | ns/op | allocs/op |\n|---|---|---|\n")
		for _, l := range rb {
			fmt.Fprintf(&b, "| %s | %.1f | %.0f |\n", l.name, l.nsOp, l.allocsOp)
		}
	}
	b.WriteString("\nPer start (N: exec to /readyz, to a tenant's 200, VmRSS ready, after every tenant):\n\n")
	for _, r := range rs {
		for i, s := range r.starts {
			fmt.Fprintf(&b, "- N=%d start %d: %s, %s, %.1f MiB, %.1f MiB\n", r.n, i+1, ms(s.ready.Seconds()), ms(s.firstOK.Seconds()), s.rss, s.rssAfter)
		}
	}
	return b.String()
}

// partly notes a request-every-tenant pass that reached only some tenants.
func partly(r result) string {
	if r.touched >= r.n {
		return ""
	}
	return fmt.Sprintf(" (first %d tenants only)", r.touched)
}

// gogcShown is the GOGC foyer ran with, as the report says it.
func gogcShown() string {
	if *gogc == "" {
		if v := os.Getenv("GOGC"); v != "" {
			return v + " (from the environment)"
		}
		return "400 (its default)"
	}
	return *gogc
}

// startRebuild is the start's first rebuild: the one before serving.
func startRebuild(s start) rebuild {
	if len(s.rebuilds) == 0 {
		return rebuild{}
	}
	return s.rebuilds[0]
}

// changeRebuilds are the rebuilds after the first (the changes').
func changeRebuilds(s start) []rebuild {
	if len(s.rebuilds) < 2 {
		return nil
	}
	return s.rebuilds[1:]
}

// engineShown is the engine foyer ran with, as the report says it.
func engineShown() string {
	if *engine == "" {
		return "(foyer's default)"
	}
	return *engine
}
