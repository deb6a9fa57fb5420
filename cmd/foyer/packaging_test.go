package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// These tests read the release files at the repository root: the systemd
// unit in packaging/, its package scripts and goreleaser.yaml. The snapshot
// build itself (`make release-snapshot`) is not part of `go test`: it takes
// minutes and checks its binaries with `file`.

const (
	unitPath       = "../../packaging/foyer.service"
	goreleaserPath = "../../goreleaser.yaml"
)

// unitFile is a parsed systemd unit: section -> key -> values, in order (a
// key may be given more than once).
type unitFile map[string]map[string][]string

// parseUnit reads a systemd unit file: [Section] headers, Key=Value lines,
// comments starting with # or ;. It fails the test on any other line.
func parseUnit(t *testing.T, path string) unitFile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unitFile{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" || strings.HasSuffix(line, "\\") {
				t.Fatalf("%s:%d: not a Key=Value line inside a section: %q", path, n, line)
			}
			k = strings.TrimSpace(k)
			u[section][k] = append(u[section][k], strings.TrimSpace(v))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

// Ensure that the shipped systemd unit carries every hardening directive the
// release promises, runs `foyer serve` as the foyer user from the path the
// packages install it to, and lets systemd create the data directory.
func TestSystemdUnitDirectives(t *testing.T) {
	u := parseUnit(t, unitPath)
	want := map[string]map[string]string{
		"Unit": {
			"After": "network-online.target",
			"Wants": "network-online.target",
		},
		"Service": {
			"ExecStart":               "/usr/bin/foyer serve",
			"User":                    "foyer",
			"Group":                   "foyer",
			"DynamicUser":             "no",
			"StateDirectory":          "foyer",
			"StateDirectoryMode":      "0700",
			"UMask":                   "0077",
			"AmbientCapabilities":     "CAP_NET_BIND_SERVICE",
			"CapabilityBoundingSet":   "CAP_NET_BIND_SERVICE",
			"NoNewPrivileges":         "yes",
			"ProtectSystem":           "strict",
			"ProtectHome":             "yes",
			"PrivateTmp":              "yes",
			"PrivateDevices":          "yes",
			"ProtectKernelTunables":   "yes",
			"ProtectKernelModules":    "yes",
			"ProtectControlGroups":    "yes",
			"RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
			"RestrictNamespaces":      "yes",
			"LockPersonality":         "yes",
			"MemoryDenyWriteExecute":  "yes",
			"SystemCallArchitectures": "native",
			"Restart":                 "on-failure",
			"LimitNOFILE":             "1048576",
			"KillSignal":              "SIGTERM",
			"TimeoutStopSec":          "60",
			"ReadWritePaths":          "", // absent: ProtectSystem=strict leaves only StateDirectory writable
			"Environment":             "", // absent: settings live in the store, not in the environment
			"EnvironmentFile":         "",
			"ExecStartPre":            "",
			"PermissionsStartOnly":    "",
			"RemainAfterExit":         "",
		},
		"Install": {
			"WantedBy": "multi-user.target",
		},
	}
	for section, keys := range want {
		for k, v := range keys {
			got := u[section][k]
			switch {
			case v == "" && len(got) > 0:
				t.Errorf("[%s] %s=%s: must not be set", section, k, strings.Join(got, " "))
			case v != "" && len(got) != 1:
				t.Errorf("[%s] %s: set %d times (%q), want once as %q", section, k, len(got), got, v)
			case v != "" && got[0] != v:
				t.Errorf("[%s] %s=%s, want %s", section, k, got[0], v)
			}
		}
	}

	// The daemon honours $STATE_DIRECTORY, so StateDirectory=foyer makes
	// /var/lib/foyer its data directory, the same one the CLI finds.
	t.Setenv("FOYER_DATA", "")
	t.Setenv("STATE_DIRECTORY", "/var/lib/foyer")
	if d, err := resolveDataDir(""); err != nil || d != "/var/lib/foyer" {
		t.Errorf("resolveDataDir with STATE_DIRECTORY=/var/lib/foyer: %q, %v", d, err)
	}
	if systemDataDir != "/var/lib/"+u["Service"]["StateDirectory"][0] {
		t.Errorf("the CLI's system data directory %s is not the unit's StateDirectory", systemDataDir)
	}

	// ExecStart names a real sub-command.
	start := strings.Fields(u["Service"]["ExecStart"][0])
	if c, _, err := newRootCmd().Find(start[1:]); err != nil || c.Name() != "serve" {
		t.Errorf("ExecStart %q does not run foyer serve (%v)", start, err)
	}
}

// Ensure that systemd itself accepts the unit: `systemd-analyze verify`
// reports no unknown directive or bad value. It needs systemd-analyze; it is
// skipped without it, except under CI=true.
func TestSystemdUnitVerify(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("systemd is Linux only")
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("systemd-analyze is missing (apt-get install systemd)")
		}
		t.Skip("systemd-analyze is missing")
	}
	unit, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	// verify checks that ExecStart's program exists; /usr/bin/foyer is only
	// there once the package is installed, so point it at this test binary.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(unit), "ExecStart=/usr/bin/foyer ", "ExecStart="+self+" ", 1)
	if text == string(unit) {
		t.Fatal("the unit has no ExecStart=/usr/bin/foyer line")
	}
	path := filepath.Join(t.TempDir(), "foyer.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// releaseConfig is the part of goreleaser.yaml these tests check.
type releaseConfig struct {
	Version int `yaml:"version"`
	Builds  []struct {
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Flags   []string `yaml:"flags"`
		Ldflags []string `yaml:"ldflags"`
		Targets []string `yaml:"targets"`
	} `yaml:"builds"`
	Archives []struct {
		Formats []string `yaml:"formats"`
		Files   []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		Algorithm string `yaml:"algorithm"`
	} `yaml:"checksum"`
	Nfpms []struct {
		Formats  []string `yaml:"formats"`
		Bindir   string   `yaml:"bindir"`
		Contents []struct {
			Src string `yaml:"src"`
			Dst string `yaml:"dst"`
		} `yaml:"contents"`
		Scripts map[string]string `yaml:"scripts"`
	} `yaml:"nfpms"`
	Release struct {
		Disable bool `yaml:"disable"`
	} `yaml:"release"`
	Announce struct {
		Skip bool `yaml:"skip"`
	} `yaml:"announce"`
	Dockers []any `yaml:"dockers"`
	Sboms   []any `yaml:"sboms"`
	Signs   []any `yaml:"signs"`
}

// loadReleaseConfig parses goreleaser.yaml into the fields these tests
// check.
func loadReleaseConfig(t *testing.T) releaseConfig {
	t.Helper()
	b, err := os.ReadFile(goreleaserPath)
	if err != nil {
		t.Fatal(err)
	}
	var c releaseConfig
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("goreleaser.yaml: %v", err)
	}
	if c.Version != 2 || len(c.Builds) != 1 || len(c.Archives) != 1 || len(c.Nfpms) != 1 {
		t.Fatalf("goreleaser.yaml: want version 2 with one build, one archive and one nfpm entry; got %+v", c)
	}
	return c
}

// Ensure that goreleaser.yaml builds static, trimmed, version-stamped
// binaries for the release targets (the ones `make cross` checks), ships the
// unit in the archives and packages with scripts that exist and parse, and
// reaches nothing outside the machine (no publish, announce, docker, SBOM or
// signing).
func TestGoreleaserConfig(t *testing.T) {
	c := loadReleaseConfig(t)
	b := c.Builds[0]
	if b.Main != "./cmd/foyer" || b.Binary != "foyer" {
		t.Errorf("build main %q binary %q, want ./cmd/foyer and foyer", b.Main, b.Binary)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") || !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("build env %q flags %q: want CGO_ENABLED=0 and -trimpath", b.Env, b.Flags)
	}
	if want := []string{"linux_amd64", "linux_arm64", "darwin_arm64"}; !slices.Equal(b.Targets, want) {
		t.Errorf("targets %q, want %q", b.Targets, want)
	}
	ld := strings.Join(b.Ldflags, " ")
	for _, v := range []string{"main.version=", "main.commit=", "main.date="} {
		if !strings.Contains(ld, "-X "+v) {
			t.Errorf("ldflags %q do not set %s", ld, v)
		}
	}

	a := c.Archives[0]
	if !slices.Equal(a.Formats, []string{"tar.gz"}) {
		t.Errorf("archive formats %q, want tar.gz", a.Formats)
	}
	for _, f := range []string{"README.md", "LICENSE", "packaging/foyer.service"} {
		if !slices.Contains(a.Files, f) {
			t.Errorf("archives do not include %s", f)
		}
	}
	for _, f := range a.Files {
		if _, err := os.Stat(filepath.Join("../..", f)); err != nil {
			t.Errorf("archive file: %v", err)
		}
	}
	if c.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum algorithm %q, want sha256", c.Checksum.Algorithm)
	}

	n := c.Nfpms[0]
	if !slices.Equal(n.Formats, []string{"deb", "rpm"}) || n.Bindir != "/usr/bin" {
		t.Errorf("nfpm formats %q bindir %q, want deb, rpm and /usr/bin (the unit's ExecStart)", n.Formats, n.Bindir)
	}
	unitInstalled := false
	for _, f := range n.Contents {
		if _, err := os.Stat(filepath.Join("../..", f.Src)); err != nil {
			t.Errorf("nfpm content: %v", err)
		}
		if f.Src == "packaging/foyer.service" && f.Dst == "/usr/lib/systemd/system/foyer.service" {
			unitInstalled = true
		}
	}
	if !unitInstalled {
		t.Error("the packages do not install packaging/foyer.service as /usr/lib/systemd/system/foyer.service")
	}
	for _, s := range []string{"postinstall", "preremove", "postremove"} {
		path := filepath.Join("../..", n.Scripts[s])
		if n.Scripts[s] == "" {
			t.Errorf("nfpm has no %s script", s)
			continue
		}
		if out, err := exec.Command("sh", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s: sh -n: %v\n%s", path, err, out)
		}
	}
	if out, err := exec.Command("sh", "-n", "../../packaging/check-deb.sh").CombinedOutput(); err != nil {
		t.Errorf("packaging/check-deb.sh: sh -n: %v\n%s", err, out)
	}
	post, err := os.ReadFile(filepath.Join("../..", n.Scripts["postinstall"]))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"useradd --system", "groupadd --system", "chown foyer:foyer /var/lib/foyer", "chmod 0700 /var/lib/foyer"} {
		if !strings.Contains(string(post), want) {
			t.Errorf("postinstall does not %q", want)
		}
	}
	var code []string // the script without its comments
	for _, l := range strings.Split(string(post), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			code = append(code, l)
		}
	}
	for _, never := range []string{"systemctl start", "systemctl enable", "systemctl restart", "systemctl try-restart", "--now"} {
		if strings.Contains(strings.Join(code, "\n"), never) {
			t.Errorf("postinstall runs %q: installing must start nothing", never)
		}
	}

	if !c.Release.Disable || !c.Announce.Skip || len(c.Dockers) > 0 || len(c.Sboms) > 0 || len(c.Signs) > 0 {
		t.Errorf("the release must run offline: release.disable %v, announce.skip %v, dockers %d, sboms %d, signs %d",
			c.Release.Disable, c.Announce.Skip, len(c.Dockers), len(c.Sboms), len(c.Signs))
	}
}

// Ensure that the ldflags in goreleaser.yaml stamp the variables `foyer
// version` prints: a binary built with them, as GoReleaser builds it,
// reports the version, commit and date it was given.
func TestGoreleaserLdflagsStampVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary; skipped in -short mode")
	}
	c := loadReleaseConfig(t)
	ld := strings.Join(c.Builds[0].Ldflags, " ")
	ld = strings.NewReplacer(
		"{{ .Version }}", "9.8.7",
		"{{ .ShortCommit }}", "fedcba9",
		"{{ .Date }}", "2031-02-03T04:05:06Z",
	).Replace(ld)
	if strings.Contains(ld, "{{") {
		t.Fatalf("ldflags use a template this test does not know: %q", ld)
	}
	bin := filepath.Join(t.TempDir(), "foyer")
	cmd := exec.Command("go", append([]string{"build"}, append(c.Builds[0].Flags, "-ldflags", ld, "-o", bin, ".")...)...)
	cmd.Env = append(os.Environ(), c.Builds[0].Env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatalf("foyer version --json: %v", err)
	}
	var v versionInfo
	if err := json.Unmarshal(out, &v); err != nil || v != (versionInfo{"9.8.7", "fedcba9", "2031-02-03T04:05:06Z"}) {
		t.Fatalf("foyer version --json: %s (%v)", out, err)
	}
}
