package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// usageError is a mistake in how a command was called. Its hint points at
// the command's help.
type usageError struct {
	msg  string
	path string // the full command path, e.g. "foyer tenant add"
}

func (e *usageError) Error() string { return e.msg }

// Hint tells a person where to read how the command is called.
func (e *usageError) Hint() string { return "see `" + e.path + " --help`" }

// argsBetween accepts min to max positional arguments (max < 0: no limit).
// Otherwise it says what the command takes, in words (what, e.g. "exactly
// one SLUG"), followed by the first line of the command's Example.
func argsBetween(min, max int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) >= min && (max < 0 || len(args) <= max) {
			return nil
		}
		msg := fmt.Sprintf("%s takes %s", subPath(cmd), what)
		if ex := firstExample(cmd); ex != "" {
			msg += ", e.g. " + ex
		}
		return &usageError{msg: msg, path: cmd.CommandPath()}
	}
}

// exactArgs accepts exactly n positional arguments, described by what.
func exactArgs(n int, what string) cobra.PositionalArgs { return argsBetween(n, n, what) }

// noArgs accepts no positional arguments.
func noArgs() cobra.PositionalArgs { return argsBetween(0, 0, "no arguments") }

// subPath is cmd's path without the root's name: "tenant add".
func subPath(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// firstExample is the first line of cmd's Example, trimmed.
func firstExample(cmd *cobra.Command) string {
	line, _, _ := strings.Cut(strings.TrimSpace(cmd.Example), "\n")
	return strings.TrimSpace(line)
}

// addJSONFlag registers --json on a read command.
func addJSONFlag(cmd *cobra.Command, p *bool) {
	cmd.Flags().BoolVar(p, "json", false, "print the API's JSON instead of a table")
}

// printJSON writes v as indented JSON and a newline.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table is an aligned table over a writer; rows are tab-separated fields.
type table struct{ tw *tabwriter.Writer }

// newTable starts a table with the given header (nil for none).
func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	if len(header) > 0 {
		t.row(header...)
	}
	return t
}

// row adds one row.
func (t *table) row(fields ...string) {
	fmt.Fprintln(t.tw, strings.Join(fields, "\t"))
}

// flush writes the table out.
func (t *table) flush() error { return t.tw.Flush() }

// say prints a write command's confirmation line.
func say(cmd *cobra.Command, format string, args ...any) error {
	_, err := fmt.Fprintf(cmd.OutOrStdout(), format+"\n", args...)
	return err
}

// orDash returns s, or "-" when it is empty, so a table column never collapses.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// formatTime shows a time in UTC to the second, or "-" for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// jsonOr returns err if there is one, else prints v as JSON. Read commands
// call it when the API failed or --json was given.
func jsonOr(cmd *cobra.Command, err error, v any) error {
	if err != nil {
		return err
	}
	return printJSON(cmd.OutOrStdout(), v)
}

// runGroup runs a command that only groups others: alone it prints its
// help; with an argument it says that no such sub-command exists.
func runGroup(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	msg := fmt.Sprintf("%q is not a command of %s", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return &usageError{msg: msg, path: cmd.CommandPath()}
}
