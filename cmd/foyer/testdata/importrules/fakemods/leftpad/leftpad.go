// Package leftpad stands in for any third-party library.
package leftpad

// Pad is a placeholder.
func Pad(s string) string { return " " + s }
