package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// sshClientKey is the context key under which sshExec hands a command the
// session's in-process API client; client() returns it when set.
type sshClientKey struct{}

// sshClientFrom returns the SSH session's client in ctx, or nil.
func sshClientFrom(ctx context.Context) *api.Client {
	if ctx == nil {
		return nil
	}
	c, _ := ctx.Value(sshClientKey{}).(*api.Client)
	return c
}

// sshCommands are the top-level commands an SSH session may run: those
// that only call the API. The others read or write this machine's files
// (serve, backup, restore, export, apply, cert, ca, store, doctor, demo),
// need a terminal of their own (tui: ssh -t gives the console), or make
// no sense remotely (gen-docs, completion).
var sshCommands = []string{"status", "settings", "tenant", "backend", "domain", "audit", "version", "token",
	"ssh-key", "logs", "usage", "stats", "events", "trace", "policy", "plan", "apikey", "pool", "help"}

// sshFileFlags name flags that read a file on this machine; an SSH
// session may not use them (it would read the daemon's files, not the
// person's): the CLI sends a file's content, so pass it inline instead.
var sshFileFlags = []string{"--file", "--key-file", "--hs256-secret-file", "--passphrase-file", "--data"}

// sshExec runs one CLI command for an SSH session of the console
// (console.ExecFunc): the same command tree as the binary, its output to
// the session, with c (the session key's in-process client, limited to
// the key's role by the API) in place of the admin socket.
func sshExec(ctx context.Context, c *api.Client, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || !slices.Contains(sshCommands, args[0]) {
		name := ""
		if len(args) > 0 {
			name = args[0]
		}
		printError(stderr, hinted{fmt.Errorf("%q cannot be run over SSH", name),
			"commands over SSH: " + strings.Join(sshCommands, ", ") + " (ssh -t for the console)"})
		return 1
	}
	for _, a := range args {
		flag, _, _ := strings.Cut(a, "=")
		if slices.Contains(sshFileFlags, flag) {
			printError(stderr, hinted{fmt.Errorf("%s reads a file on the server and cannot be used over SSH", flag),
				"give the content inline (e.g. ssh-key add --key '...'), or run the command on the server"})
			return 1
		}
	}
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(context.WithValue(ctx, sshClientKey{}, c))
	if err != nil {
		printError(stderr, asUsageError(cmd, err))
		return 1
	}
	return 0
}
