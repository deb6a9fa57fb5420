package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// cliDocPath is docs/cli.md seen from this package's directory.
var cliDocPath = filepath.Join("..", "..", "docs", "cli.md")

// Ensure that docs/cli.md is what the command definitions render today.
func TestCLIDocIsFresh(t *testing.T) {
	var b bytes.Buffer
	if err := renderCLIDoc(&b, newRootCmd()); err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile(cliDocPath)
	if err != nil {
		t.Fatalf("read docs/cli.md: %v; create it with `go run ./cmd/foyer gen-docs --out docs/cli.md`", err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		t.Fatal("docs/cli.md is stale: run `go run ./cmd/foyer gen-docs --out docs/cli.md`")
	}
}

// Ensure that gen-docs renders the same page as the test does, whichever
// command cobra executed, and skips hidden commands and help.
func TestGenDocsCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cli.md")
	if _, errOut, code := runCLI("gen-docs", "--out", out); code != 0 {
		t.Fatalf("gen-docs: exit %d: %s", code, errOut)
	}
	got, _ := os.ReadFile(out)
	var want bytes.Buffer
	renderCLIDoc(&want, newRootCmd())
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("gen-docs --out differs from renderCLIDoc")
	}
	for _, absent := range []string{"## foyer gen-docs", "## foyer help", "--help"} {
		if bytes.Contains(got, []byte(absent)) {
			t.Errorf("docs contain %q", absent)
		}
	}
	for _, present := range []string{"## foyer tenant add\n", "## foyer serve\n", "## foyer completion bash\n", "Global flags:"} {
		if !bytes.Contains(got, []byte(present)) {
			t.Errorf("docs lack %q", present)
		}
	}
}

// Ensure that each of foyer's own commands has a one-line Short and an
// Example that starts with "foyer" (cobra's completion commands are
// cobra's).
func TestEveryCommandHasShortAndExample(t *testing.T) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, s := range c.Commands() {
			walk(s)
		}
		if strings.HasPrefix(c.CommandPath(), "foyer completion") || c.Name() == "gen-docs" {
			return
		}
		if c.Short == "" || strings.Contains(c.Short, "\n") || strings.HasSuffix(c.Short, ".") {
			t.Errorf("%s: Short %q is not one line without a period", c.CommandPath(), c.Short)
		}
		if !strings.HasPrefix(firstExample(c), "foyer ") {
			t.Errorf("%s: Example %q does not start with a foyer command", c.CommandPath(), c.Example)
		}
	}
	walk(newRootCmd())
}
