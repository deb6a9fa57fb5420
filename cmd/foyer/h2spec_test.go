package main

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// h2specName is the host name h2spec connects to. h2spec sends the host
// it dials as SNI and foyer refuses a handshake without one, so the name
// must resolve to 127.0.0.1 without any DNS: only localhost does.
const h2specName = "localhost"

// Ensure that foyer's HTTPS listener passes every h2spec case (HTTP/2
// conformance, RFC 7540 and RFC 7541, strict cases included) except those
// allow-listed with a reason in docs/performance.md.
func TestH2Spec(t *testing.T) {
	d := startDaemon(t, t.TempDir())
	h2spec := buildH2Spec(t)
	// foyer takes no single-label name as a domain or certificate name,
	// but serves any SAN of an imported certificate: h2spec's requests
	// get foyer's own 404 (no tenant for localhost), see
	// docs/performance.md.
	importCert(t, d, "h2.example.test", h2specName)
	d.applied()

	_, port, _ := net.SplitHostPort(d.status.Listeners["https"])
	report := filepath.Join(t.TempDir(), "h2spec.xml")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, h2spec, "--tls", "--insecure", "--strict",
		"--host", h2specName, "--port", port, "--timeout", "2", "--junit-report", report).CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("h2spec did not finish in 5 minutes:\n%s", out)
	}
	cases := readJUnit(t, report)
	if len(cases) < 100 {
		t.Fatalf("h2spec ran %d cases, want over 100 (exit: %v):\n%s", len(cases), err, out)
	}
	allowed := h2specAllowList(t)
	var failed, unexpected []string
	for _, c := range cases {
		if c.failed() {
			failed = append(failed, c.id())
			if !allowed[c.id()] {
				unexpected = append(unexpected, c.id()+": "+c.message())
			}
		}
	}
	t.Logf("h2spec: %d cases run, %d failed, %d allow-listed", len(cases), len(failed), len(allowed))
	if len(unexpected) > 0 {
		t.Errorf("h2spec cases failed that docs/performance.md does not allow:\n%s", strings.Join(unexpected, "\n"))
	}
	for id := range allowed {
		if !slices.Contains(failed, id) {
			// Not an error: some allowed cases race with foyer's early
			// answer and pass on some runs (see docs/performance.md).
			t.Logf("h2spec case %s is allow-listed but passed this run", id)
		}
	}
	if t.Failed() {
		t.Logf("h2spec output:\n%s", out)
	}
}

// buildH2Spec builds the h2spec pinned in tools/h2spec/go.mod into a temp
// directory. It skips when the build fails (no module cache offline),
// unless CI=true.
func buildH2Spec(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "h2spec")
	cmd := exec.Command("go", "build", "-modfile=tools/h2spec/go.mod", "-o", bin,
		"github.com/summerwind/h2spec/cmd/h2spec")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("build h2spec: %v\n%s", err, out)
		}
		t.Skipf("h2spec cannot be built here: %v\n%s", err, out)
	}
	return bin
}

// junitCase is one test case of h2spec's JUnit report.
type junitCase struct {
	Package   string `xml:"package,attr"`
	ClassName string `xml:"classname,attr"`
	Failure   *struct {
		Message string `xml:",innerxml"`
	} `xml:"failure"`
	Error *struct {
		Message string `xml:",innerxml"`
	} `xml:"error"`
	Skipped *struct{} `xml:"skipped"`
	n       int       // the case's number in its section, counted by readJUnit
}

// id is the case's name as h2spec prints it: "http2/6.9.1/2". The report
// leaves the number out; h2spec numbers a section's cases from 1 in the
// order the report lists them.
func (c junitCase) id() string { return fmt.Sprintf("%s/%d", c.Package, c.n) }

func (c junitCase) failed() bool { return c.Failure != nil || c.Error != nil }

func (c junitCase) message() string {
	if c.Failure != nil {
		return c.ClassName + ": " + strings.Join(strings.Fields(c.Failure.Message), " ")
	}
	if c.Error != nil {
		return c.ClassName + ": " + strings.Join(strings.Fields(c.Error.Message), " ")
	}
	return c.ClassName
}

// readJUnit returns every test case of an h2spec JUnit report.
func readJUnit(t *testing.T, path string) []junitCase {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("h2spec wrote no report: %v", err)
	}
	var r struct {
		Suites []struct {
			Cases []junitCase `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &r); err != nil {
		t.Fatalf("h2spec report: %v", err)
	}
	var all []junitCase
	seen := map[string]int{}
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			seen[c.Package]++
			c.n = seen[c.Package]
			all = append(all, c)
		}
	}
	return all
}

// allowLine is an allow-list entry in docs/performance.md's h2spec
// section: "- `http2/6.9.1/2`: reason".
var allowLine = regexp.MustCompile("^- `((?:generic|http2|hpack)/[0-9./]+)`: .+")

// h2specAllowList reads the allowed failing cases from docs/performance.md.
func h2specAllowList(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("../../docs/performance.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	allowed, in := map[string]bool{}, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = strings.HasPrefix(line, "## h2spec")
			continue
		}
		if m := allowLine.FindStringSubmatch(line); in && m != nil {
			allowed[m[1]] = true
		}
	}
	return allowed
}
