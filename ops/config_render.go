package ops

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// configHeader opens every exported file.
const configHeader = `foyer configuration (docs/config.md). Apply it with
  foyer apply -f FILE --dry-run   # show what would change
  foyer apply -f FILE             # change it, all or nothing
Not in this file: secrets (HS256 JWT secrets, API key tokens, secret
settings), certificates, API tokens and runtime state (domain states,
health, usage).`

// RenderConfig writes doc as YAML: two-space indents, maps sorted by key,
// lists in the document's order, a header comment, and a comment naming
// each secret setting that is set (its value is never written). The same
// document always renders to the same bytes.
func RenderConfig(doc api.ConfigDocument) ([]byte, error) {
	var root yaml.Node
	if err := root.Encode(doc); err != nil {
		return nil, fmt.Errorf("rendering configuration: %w", err)
	}
	head := configHeader
	if len(doc.SecretSettingsSet) > 0 {
		head += "\n\nSecret settings set in the store and not written here (set them with\n`foyer settings set KEY VALUE`): " +
			strings.Join(doc.SecretSettingsSet, ", ") + "."
	}
	root.HeadComment = head
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, fmt.Errorf("rendering configuration: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("rendering configuration: %w", err)
	}
	return b.Bytes(), nil
}
