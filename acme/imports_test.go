package acme_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Ensure that acme imports nothing of foyer but store: the appliance
// injects what acme needs from elsewhere (DESIGN.md's package table).
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/foyerhq/foyer/") && path != "github.com/foyerhq/foyer/store" {
				t.Errorf("%s imports %s; acme may import only store of foyer", name, path)
			}
		}
	}
}
