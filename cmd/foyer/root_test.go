package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that a daemon that cannot be reached gives exit code 1, one error
// line naming the socket tried, and a hint about --data and FOYER_DATA.
func TestUnreachableDaemon(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runCLI("--data", dir, "tenant", "list")
	want := "error: cannot reach foyer at " + dir + "/admin.sock: no socket there\n" +
		"hint: start it with `foyer serve`, or point at another data directory with --data DIR or FOYER_DATA\n"
	if code != 1 || out != "" || errOut != want {
		t.Fatalf("exit %d\nstdout %q\nstderr %q\nwant   %q", code, out, errOut, want)
	}
}

// Ensure that each command refuses the wrong number of arguments before
// dialing anything, naming the expected form with an example.
func TestArgumentCountErrors(t *testing.T) {
	cases := map[string]string{
		"tenant add":               "tenant add takes exactly one SLUG, e.g. foyer tenant add acme",
		"tenant add a b":           "tenant add takes exactly one SLUG, e.g. foyer tenant add acme",
		"tenant list x":            "tenant list takes no arguments, e.g. foyer tenant list",
		"tenant show":              "tenant show takes exactly one SLUG, e.g. foyer tenant show acme",
		"tenant suspend":           "tenant suspend takes exactly one SLUG, e.g. foyer tenant suspend acme",
		"tenant resume a b":        "tenant resume takes exactly one SLUG, e.g. foyer tenant resume acme",
		"tenant rm":                "tenant rm takes exactly one SLUG, e.g. foyer tenant rm acme",
		"tenant set --name x":      "tenant set takes exactly one SLUG",
		"backend add acme":         "backend add takes a SLUG and a URL, e.g. foyer backend add acme http://10.0.0.5:8080",
		"backend rm acme":          "backend rm takes a SLUG and a URL",
		"backend list":             "backend list takes exactly one SLUG",
		"domain add acme":          "domain add takes a SLUG and a DOMAIN, e.g. foyer domain add acme shop.acme.com",
		"domain list a b":          "domain list takes at most one SLUG",
		"domain rm":                "domain rm takes exactly one DOMAIN",
		"cert add --cert c --key":  "flag needs an argument",
		"cert list x":              "cert list takes no arguments",
		"cert rm":                  "cert rm takes exactly one DOMAIN",
		"settings get":             "settings get takes exactly one KEY",
		"settings set base-domain": "settings set takes a KEY and a VALUE",
		"status now":               "status takes no arguments",
		"audit x":                  "audit takes no arguments",
		"version x":                "version takes no arguments",
	}
	dir := t.TempDir() // no daemon: a dial would fail differently
	for args, want := range cases {
		out, errOut, code := runCLI(append([]string{"--data", dir}, strings.Fields(args)...)...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "error: "+want) || !strings.Contains(errOut, "\nhint: see `foyer ") {
			t.Errorf("foyer %s: exit %d, stdout %q, stderr %q; want %q and a hint", args, code, out, errOut, want)
		}
	}
}

// Ensure that unknown commands and flags, and missing required flags, are
// one error line and a hint pointing at the right help, never the usage text.
func TestUsageErrors(t *testing.T) {
	cases := []struct{ args, want, hint string }{
		{"bogus", `unknown command "bogus" for "foyer"`, "foyer --help"},
		{"tenant ad x", `"ad" is not a command of foyer tenant; did you mean add?`, "foyer tenant --help"},
		{"tenant add x --bogus", "unknown flag: --bogus", "foyer tenant add --help"},
		{"tenant set acme", `required flag(s) "name" not set`, "foyer tenant set --help"},
		{"cert add x.test", `required flag(s) "cert", "key" not set`, "foyer cert add --help"},
		{"backend add acme http://x --weight many", `invalid argument "many" for "--weight"`, "foyer backend add --help"},
		{"audit --limit 0", "--limit must be at least 1", "foyer audit --help"},
	}
	for _, c := range cases {
		out, errOut, code := runCLI(append([]string{"--data", t.TempDir()}, strings.Fields(c.args)...)...)
		want := "hint: see `" + c.hint + "`\n"
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "error: "+c.want) || !strings.HasSuffix(errOut, want) ||
			strings.Count(errOut, "error: ") != 1 || strings.Contains(errOut, "Usage:") {
			t.Errorf("foyer %s: exit %d, stdout %q, stderr %q; want %q then %q", c.args, code, out, errOut, c.want, want)
		}
	}
}

// Ensure that a group alone prints its help and succeeds.
func TestGroupAlonePrintsHelp(t *testing.T) {
	out, errOut, code := runCLI("tenant")
	if code != 0 || errOut != "" || !strings.Contains(out, "foyer tenant [command]") {
		t.Fatalf("foyer tenant: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// Ensure that the hint printed is the daemon's (*api.Error), an
// unreachable daemon's, or none.
func TestHintOf(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&api.Error{Msg: "x", Hint: "do y"}, "do y"},
		{&api.Error{Msg: "x"}, ""},
		{&api.UnreachableError{Socket: "/s", Err: errors.New("boom")}, (&api.UnreachableError{}).Hint()},
		{errors.New("plain"), ""},
		{&usageError{msg: "m", path: "foyer x"}, "see `foyer x --help`"},
	}
	for _, c := range cases {
		if got := hintOf(c.err); got != c.want {
			t.Errorf("hintOf(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// Ensure that cobra's completion command is kept and that completing a
// tenant slug with the daemon down offers nothing and fails silently.
func TestCompletionWithoutDaemon(t *testing.T) {
	out, errOut, code := runCLI("completion", "bash")
	if code != 0 || !strings.Contains(out, "__start_foyer") {
		t.Fatalf("completion bash: exit %d, stderr %q", code, errOut)
	}
	out, errOut, code = runCLI("--data", t.TempDir(), "__complete", "tenant", "show", "")
	if code != 0 || strings.TrimSpace(out) != ":4" {
		t.Fatalf("__complete with no daemon: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

// Ensure that tenant slugs, domain names, backend URLs and setting keys
// complete from the daemon.
func TestCompletionFromDaemon(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("settings", "set", "base-domain", "example.test")
	f.mustCLI("tenant", "add", "acme")
	f.mustCLI("tenant", "add", "beta")
	f.mustCLI("backend", "add", "acme", "http://127.0.0.1:9001")
	f.mustCLI("domain", "add", "beta", "shop.beta.test")
	cases := map[string][]string{
		"tenant show ":        {"acme", "beta"},
		"tenant show a":       {"acme"},
		"tenant show acme ":   nil,
		"domain rm ":          {"shop.beta.test"},
		"backend rm acme ":    {"http://127.0.0.1:9001"},
		"settings get base-d": {"base-domain"},
		"domain add acme ":    nil,
	}
	for line, want := range cases {
		args := strings.Split(line, " ")                                  // the last field is the word being completed
		out, _, code := f.cli(append([]string{"__complete"}, args...)...) // stderr: cobra's debug line
		got := strings.Fields(out)
		if code != 0 || len(got) == 0 || got[len(got)-1] != ":4" || strings.Join(got[:len(got)-1], " ") != strings.Join(want, " ") {
			t.Errorf("complete %q: %q, want %q", line, out, want)
		}
	}
}
