package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// printBreaker prints one line about the tenant's circuit breaker, under
// `foyer pool list` and `foyer tenant show`.
func printBreaker(cmd *cobra.Command, c *api.Client, slug string) error {
	b, err := c.Breaker(cmd.Context(), slug)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(cmd.OutOrStdout(), breakerLine(b))
	return err
}

// breakerLine is "breaker: STATE since T, N% errors of M requests[, probes in D]".
func breakerLine(b api.Breaker) string {
	if b.State == api.BreakerOff {
		return "breaker: off (policy breaker=on turns it on)"
	}
	s := "breaker: " + b.State + " since " + formatTime(b.Since) + ", " +
		strconv.FormatFloat(b.ErrorRatio*100, 'f', 0, 64) + "% errors of " + strconv.Itoa(b.Requests) + " requests in the window"
	if b.Cooldown != "" {
		s += ", probes in " + b.Cooldown
	}
	return s
}
