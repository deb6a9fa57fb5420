package h1

import "testing"

// Ensure that the word-at-a-time value and target checks agree with the
// byte table for every byte value at every position of a 24-byte run.
func TestWordChecks(t *testing.T) {
	for c := range 256 {
		for pos := range 24 {
			b := []byte("abcdefghijklmnopqrstuvwx")
			b[pos] = byte(c)
			_, okV := checkValue(b)
			if want := class[c]&cValue != 0; okV != want {
				t.Fatalf("checkValue with %#x at %d: %v, want %v", c, pos, okV, want)
			}
			_, okT := checkTarget(b)
			if want := class[c]&cTarget != 0; okT != want {
				t.Fatalf("checkTarget with %#x at %d: %v, want %v", c, pos, okT, want)
			}
		}
	}
}
