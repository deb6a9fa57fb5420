package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// cliDocHeader opens docs/cli.md.
const cliDocHeader = "# foyer command line reference\n\n" +
	"<!-- Generated from the cobra definitions in cmd/foyer; do not edit.\n" +
	"     Regenerate with `go run ./cmd/foyer gen-docs --out docs/cli.md` (or `make docs`). -->\n\n" +
	"Every command but `serve` and `demo` talks to the daemon through `admin.sock` in the data\n" +
	"directory: `--data DIR`, else `FOYER_DATA`, else `STATE_DIRECTORY` (systemd), else\n" +
	"`/var/lib/foyer` if it exists, else `$XDG_DATA_HOME/foyer` (`~/.local/share/foyer`).\n" +
	"Read commands take `--json` to print the API's JSON. Errors are printed as `error: ...`,\n" +
	"followed by `hint: ...` when there is something to do, and exit with code 1.\n"

// newGenDocsCmd is the hidden `foyer gen-docs`: it renders docs/cli.md.
func newGenDocsCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:     "gen-docs",
		Short:   "Write the Markdown command reference (docs/cli.md)",
		Example: "  go run ./cmd/foyer gen-docs --out docs/cli.md",
		Hidden:  true,
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var b bytes.Buffer
			if err := renderCLIDoc(&b, cmd.Root()); err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err := cmd.OutOrStdout().Write(b.Bytes())
				return err
			}
			return os.WriteFile(out, b.Bytes(), 0o644)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write (default: standard output)")
	return cmd
}

// renderCLIDoc writes the Markdown reference of root's command tree: one
// section per available command (not hidden, not `help`), depth first.
func renderCLIDoc(w io.Writer, root *cobra.Command) error {
	root.InitDefaultCompletionCmd() // present when executed; add it so every render is the same
	hideHelpFlag(root)
	var b bytes.Buffer
	b.WriteString(cliDocHeader)
	writeCommandDoc(&b, root)
	_, err := w.Write(b.Bytes())
	return err
}

// writeCommandDoc writes cmd's section, then its sub-commands'.
func writeCommandDoc(b *bytes.Buffer, cmd *cobra.Command) {
	fmt.Fprintf(b, "\n## %s\n\n%s\n", cmd.CommandPath(), mdText(cmd.Short))
	if cmd.Runnable() && !cmd.HasAvailableSubCommands() {
		fmt.Fprintf(b, "\nUsage:\n\n```\n%s\n```\n", cmd.UseLine())
	}
	if subs := availableSubs(cmd); len(subs) > 0 {
		b.WriteString("\nCommands:\n\n")
		for _, s := range subs {
			fmt.Fprintf(b, "- [`%s`](#%s): %s\n", s.CommandPath(), anchor(s.CommandPath()), mdText(s.Short))
		}
	}
	if cmd.Example != "" {
		fmt.Fprintf(b, "\nExamples:\n\n```\n%s\n```\n", strings.TrimRight(cmd.Example, "\n"))
	}
	writeFlagsDoc(b, "Flags", cmd.LocalFlags().FlagUsages())
	writeFlagsDoc(b, "Global flags", cmd.InheritedFlags().FlagUsages())
	for _, s := range availableSubs(cmd) {
		writeCommandDoc(b, s)
	}
}

// writeFlagsDoc writes a block of flag usages under title, if any.
func writeFlagsDoc(b *bytes.Buffer, title, usages string) {
	if usages = strings.TrimRight(usages, "\n"); usages != "" {
		fmt.Fprintf(b, "\n%s:\n\n```\n%s\n```\n", title, usages)
	}
}

// availableSubs is cmd's sub-commands that are not hidden, deprecated or
// the automatic `help`; it hides the automatic --help flag of each, which
// cobra adds only to the commands that run.
func availableSubs(cmd *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, s := range cmd.Commands() {
		if s.IsAvailableCommand() {
			hideHelpFlag(s)
			out = append(out, s)
		}
	}
	return out
}

// hideHelpFlag hides cmd's --help flag from FlagUsages, so a render does
// not depend on which command cobra executed.
func hideHelpFlag(cmd *cobra.Command) {
	if f := cmd.Flags().Lookup("help"); f != nil {
		f.Hidden = true
	}
}

// anchor is GitHub's anchor for a heading: lower case, spaces to dashes.
func anchor(heading string) string {
	return strings.ReplaceAll(strings.ToLower(heading), " ", "-")
}

// mdText escapes the angle brackets of text such as "<slug>" so Markdown
// does not take them for HTML.
func mdText(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s)
}
