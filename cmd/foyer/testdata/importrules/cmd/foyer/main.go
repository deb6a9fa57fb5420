// Command foyer may import everything below it.
package main

import (
	"fmt"

	"github.com/foyerhq/foyer/ops"
	"github.com/foyerhq/foyer/store/boltstore"
	"github.com/foyerhq/foyer/tui"
)

func main() { fmt.Println(ops.Restore(), boltstore.Open(), tui.Run()) }
