package home

import (
	"testing"

	"github.com/foyerhq/foyer/store/boltstore"
)

func TestView(t *testing.T) { _ = boltstore.Open() }
