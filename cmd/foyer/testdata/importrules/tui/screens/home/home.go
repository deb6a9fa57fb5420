// Package home is allowed in its code; its test breaks a house rule.
package home

// View is a placeholder.
func View() string { return "home" }
