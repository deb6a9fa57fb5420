package ops

import (
	"fmt"
	"io"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// changeMarks are the first column of a diff line.
var changeMarks = map[string]string{
	api.ChangeCreate: "+",
	api.ChangeUpdate: "~",
	api.ChangeRemove: "-",
	api.ChangeKeep:   "=",
}

// DiffCounts counts an apply's changes by operation.
type DiffCounts struct{ Create, Change, Remove, Keep int }

// CountChanges counts res's changes by operation.
func CountChanges(changes []api.ConfigChange) DiffCounts {
	var n DiffCounts
	for _, c := range changes {
		switch c.Op {
		case api.ChangeCreate:
			n.Create++
		case api.ChangeUpdate:
			n.Change++
		case api.ChangeRemove:
			n.Remove++
		case api.ChangeKeep:
			n.Keep++
		}
	}
	return n
}

// WriteDiff prints an apply's changes, one a line ("+ tenant acme",
// "~ pool acme/default: algorithm: ..."), then a summary line, and, when
// it created API keys, their tokens (shown this once).
func WriteDiff(w io.Writer, res api.ApplyResult) error {
	for _, c := range res.Changes {
		line := fmt.Sprintf("%s %s %s", changeMarks[c.Op], c.Kind, c.Name)
		if c.Detail != "" {
			line += ": " + c.Detail
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	n := CountChanges(res.Changes)
	verb := "applied"
	switch {
	case res.DryRun:
		verb = "dry run, nothing changed"
	case n.Create+n.Change+n.Remove == 0:
		verb = "nothing to change"
	default:
		verb = fmt.Sprintf("applied in one transaction, revision %d", res.Revision)
	}
	if _, err := fmt.Fprintf(w, "%d to create, %d to change, %d to remove, %d kept (%s)\n",
		n.Create, n.Change, n.Remove, n.Keep, verb); err != nil {
		return err
	}
	for _, k := range res.Keys {
		if _, err := fmt.Fprintf(w, "new API key %s of %s (shown once): %s\n", k.Name, k.Tenant, k.Token); err != nil {
			return err
		}
	}
	return nil
}
