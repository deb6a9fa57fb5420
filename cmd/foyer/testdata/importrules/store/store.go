// Package store is allowed: the standard library only.
package store

import "strings"

// Name is a placeholder.
var Name = strings.ToLower("STORE")
