package ops

// This file parses declarative configuration files (`foyer apply`);
// config_render.go writes them (`foyer export`) and config_diff.go shows
// what an apply changes. docs/config.md is the schema.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Config is a parsed configuration file: the typed document `foyer
// apply` sends, and where in the file each of its fields was written, so
// that an error about a field (the CLI's or the daemon's) names its line.
type Config struct {
	// File is the name errors use for the file, e.g. "foyer.yaml".
	File string
	// Doc is the document the file holds.
	Doc api.ConfigDocument
	// lines maps a field path ("tenants[1].pools[0].algorithm",
	// "settings.base-domain") to the line it is written on.
	lines map[string]int
}

// ConfigError is an error about one place of a configuration file.
type ConfigError struct {
	File  string
	Line  int    // 0 when no line is known
	Field string // the field path, e.g. "tenants[1].state"; may be empty
	Msg   string
	hint  string
}

// Error reads "foyer.yaml:12: tenants[1].state: ...".
func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" && !strings.HasPrefix(e.Msg, e.Field+":") {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Hint says what to do about it; it may be empty.
func (e *ConfigError) Hint() string { return e.hint }

// ParseConfig reads a configuration file's YAML. Unknown fields, values
// of the wrong type and a second document are refused with the file, line
// and field.
func ParseConfig(file string, data []byte) (*Config, error) {
	c := &Config{File: file, lines: map[string]int{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, c.yamlError(err, data, nil)
	}
	if len(root.Content) > 0 {
		c.index("", root.Content[0])
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	switch err := dec.Decode(&c.Doc); {
	case errors.Is(err, io.EOF):
		return c, nil // an empty file: an empty document
	case err != nil:
		return nil, c.yamlError(err, data, &root)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil: // what follows the document does not parse
		return nil, c.yamlError(err, data, nil)
	default:
		return nil, &ConfigError{File: file, Line: extra.Line, Msg: "the file holds more than one YAML document",
			hint: "keep the whole configuration in one document (no second ---)"}
	}
	return c, nil
}

// index records the line of every mapping key and sequence item under
// path.
func (c *Config) index(path string, n *yaml.Node) {
	if path != "" {
		if _, ok := c.lines[path]; !ok {
			c.lines[path] = n.Line
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			c.lines[p] = k.Line
			c.index(p, n.Content[i+1])
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			c.index(fmt.Sprintf("%s[%d]", path, i), item)
		}
	}
}

// Line returns the line a field path is written on, or of the nearest
// enclosing entry that is; 0 if none is.
func (c *Config) Line(path string) int {
	for path != "" {
		if l, ok := c.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

var (
	unknownFieldRE = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S+`)
	lineRE         = regexp.MustCompile(`(?s)^(?:yaml: )?line (\d+): (.*)$`) // (?s): a quoted value may hold a newline
)

// yamlError turns the YAML decoder's error into ConfigErrors with the
// file's name (the first problem; the decoder lists all of them). The
// decoder gives no line for a bad byte, a syntax error on line 1 (root is
// nil: the file did not parse) or a value its type refuses (an RFC 3339
// time, found in root).
func (c *Config) yamlError(err error, data []byte, root *yaml.Node) error {
	var te *yaml.TypeError
	msgs := []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	first := strings.TrimSpace(msgs[0])
	if m := unknownFieldRE.FindStringSubmatch(first); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &ConfigError{File: c.File, Line: line, Field: c.pathAt(line, m[2]),
			Msg:  fmt.Sprintf("unknown field %q", m[2]),
			hint: "see docs/config.md for the fields each entry takes"}
	}
	if m := lineRE.FindStringSubmatch(first); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &ConfigError{File: c.File, Line: line, Field: c.pathAt(line, ""), Msg: m[2],
			hint: "see docs/config.md for the type of each field"}
	}
	if line := badByteLine(data); line > 0 || root == nil {
		return &ConfigError{File: c.File, Line: max(line, 1), Msg: first, hint: "check the file's YAML syntax"}
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		if n := findScalar(root, pe.Value); n != nil {
			return &ConfigError{File: c.File, Line: n.Line, Field: c.pathAt(n.Line, ""), Msg: first,
				hint: "write times in RFC 3339, e.g. 2027-01-02T15:04:05Z"}
		}
	}
	return &ConfigError{File: c.File, Msg: first, hint: "check the file's YAML syntax"}
}

// findScalar returns the first scalar under n whose value is v, or nil.
func findScalar(n *yaml.Node, v string) *yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Value == v {
		return n
	}
	for _, c := range n.Content {
		if f := findScalar(c, v); f != nil {
			return f
		}
	}
	return nil
}

// badByteLine is the line of the first byte YAML does not allow in a file
// (invalid UTF-8 or a control character), or 0 if there is none.
func badByteLine(data []byte) int {
	line := 1
	for i, r := range string(data) {
		if r == utf8.RuneError && !bytes.HasPrefix(data[i:], []byte("\uFFFD")) || !yamlPrintable(r) && !(i == 0 && r == 0xFEFF) {
			return line
		}
		if r == '\n' {
			line++
		}
	}
	return 0
}

// yamlPrintable reports whether r may appear in a YAML stream (YAML 1.2,
// 5.1 "Character Set").
func yamlPrintable(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0x7e || r == 0x85 ||
		r >= 0xa0 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd && r != 0xfeff || r >= 0x10000 && r <= 0x10ffff
}

// pathAt finds the field path written on line (ending in key when key is
// given); "" if none is.
func (c *Config) pathAt(line int, key string) string {
	best := ""
	for p, l := range c.lines {
		if l != line || key != "" && !strings.HasSuffix(p, "."+key) && p != key {
			continue
		}
		if len(p) > len(best) {
			best = p
		}
	}
	return best
}

// Explain places an error the daemon answered about the document (its
// Field a path such as "tenants[1].pools[0].algorithm") in the file, as a
// ConfigError with the line. Other errors are returned as they are.
func (c *Config) Explain(err error) error {
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Field == "" {
		return err
	}
	return &ConfigError{File: c.File, Line: c.Line(ae.Field), Field: ae.Field, Msg: ae.Msg, hint: ae.Hint}
}
