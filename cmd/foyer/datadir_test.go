package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure that the data directory is found in the documented order: --data,
// FOYER_DATA, STATE_DIRECTORY (first of a list), /var/lib/foyer if it
// exists, then XDG_DATA_HOME/foyer or ~/.local/share/foyer.
func TestResolveDataDir(t *testing.T) {
	sys := t.TempDir()
	cases := []struct {
		name      string
		flag      string
		env       map[string]string
		sysExists bool
		want      string
	}{
		{"flag wins over everything", "/f", map[string]string{"FOYER_DATA": "/e", "STATE_DIRECTORY": "/s"}, true, "/f"},
		{"FOYER_DATA next", "", map[string]string{"FOYER_DATA": "/e", "STATE_DIRECTORY": "/s"}, true, "/e"},
		{"systemd STATE_DIRECTORY", "", map[string]string{"STATE_DIRECTORY": "/s"}, true, "/s"},
		{"first of a STATE_DIRECTORY list", "", map[string]string{"STATE_DIRECTORY": "/s1:/s2"}, true, "/s1"},
		{"system directory when it exists", "", map[string]string{"XDG_DATA_HOME": "/x"}, true, sys},
		{"XDG_DATA_HOME when it does not", "", map[string]string{"XDG_DATA_HOME": "/x"}, false, "/x/foyer"},
		{"relative XDG_DATA_HOME is ignored", "", map[string]string{"XDG_DATA_HOME": "rel", "HOME": "/h"}, false, "/h/.local/share/foyer"},
		{"home default", "", map[string]string{"HOME": "/h"}, false, "/h/.local/share/foyer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"FOYER_DATA", "STATE_DIRECTORY", "XDG_DATA_HOME"} {
				t.Setenv(k, c.env[k])
			}
			t.Setenv("HOME", c.env["HOME"])
			setSystemDataDir(t, sys, c.sysExists)
			got, err := resolveDataDir(c.flag)
			if err != nil || got != c.want {
				t.Fatalf("resolveDataDir(%q) = %q, %v; want %q", c.flag, got, err, c.want)
			}
		})
	}
}

// Ensure that with nothing to go on the error says how to choose a directory.
func TestResolveDataDirNoHome(t *testing.T) {
	for _, k := range []string{"FOYER_DATA", "STATE_DIRECTORY", "XDG_DATA_HOME", "HOME"} {
		t.Setenv(k, "")
	}
	setSystemDataDir(t, t.TempDir(), false)
	if _, err := resolveDataDir(""); err == nil || !strings.Contains(err.Error(), "--data DIR") {
		t.Fatalf("resolveDataDir without a home: %v", err)
	}
}

// Ensure that the client dials admin.sock in the directory --data names,
// and FOYER_DATA's when the flag is absent.
func TestClientSocketFollowsDataDir(t *testing.T) {
	t.Setenv("FOYER_DATA", "/from-env")
	cases := map[string][]string{
		"/from-flag/admin.sock": {"--data", "/from-flag", "status"},
		"/from-env/admin.sock":  {"status"},
	}
	for want, args := range cases {
		_, errOut, code := runCLI(args...)
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("foyer %v: exit %d, stderr %q; want it to name %s", args, code, errOut, want)
		}
	}
}

// setSystemDataDir points systemDataDir at dir (created or not) for one test.
func setSystemDataDir(t *testing.T, dir string, exists bool) {
	old := systemDataDir
	t.Cleanup(func() { systemDataDir = old })
	systemDataDir = dir
	if !exists {
		systemDataDir = filepath.Join(dir, "absent")
	}
	if _, err := os.Stat(systemDataDir); exists != (err == nil) {
		t.Fatalf("system data dir %s: exists=%v, stat %v", systemDataDir, exists, err)
	}
}
