// Package api breaks its row: the standard library only.
package api

import "example.com/leftpad"

// Client is a placeholder.
func Client() string { return leftpad.Pad("api") }
