package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// systemDataDir is the data directory of a packaged install; a variable so
// tests can point it elsewhere.
var systemDataDir = "/var/lib/foyer"

// resolveDataDir finds the data directory: flag (--data), else FOYER_DATA,
// else the first of systemd's colon-separated STATE_DIRECTORY, else
// systemDataDir if it exists, else $XDG_DATA_HOME/foyer (default
// ~/.local/share/foyer).
func resolveDataDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if d := os.Getenv("FOYER_DATA"); d != "" {
		return d, nil
	}
	if d, _, _ := strings.Cut(os.Getenv("STATE_DIRECTORY"), ":"); d != "" {
		return d, nil
	}
	if fi, err := os.Stat(systemDataDir); err == nil && fi.IsDir() {
		return systemDataDir, nil
	}
	return userDataDir()
}

// userDataDir is $XDG_DATA_HOME/foyer, or ~/.local/share/foyer when
// XDG_DATA_HOME is unset or not absolute (as the XDG spec asks).
func userDataDir() (string, error) {
	if x := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "foyer"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("cannot find a data directory: no home directory; pass --data DIR or set FOYER_DATA")
	}
	return filepath.Join(home, ".local", "share", "foyer"), nil
}

// dataDir resolves the data directory from cmd's --data flag and the
// environment.
func dataDir(cmd *cobra.Command) (string, error) {
	flag := ""
	if f := cmd.Flag("data"); f != nil {
		flag = f.Value.String()
	}
	return resolveDataDir(flag)
}

// client returns an API client for the admin socket in cmd's data
// directory. It does not connect until the first call.
func client(cmd *cobra.Command) (*api.Client, error) {
	if c := sshClientFrom(cmd.Context()); c != nil { // ssh_exec.go: a command of an SSH console session
		return c, nil
	}
	dir, err := dataDir(cmd)
	if err != nil {
		return nil, err
	}
	return api.NewClient(filepath.Join(dir, api.SocketName)), nil
}
