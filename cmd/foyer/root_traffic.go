package main

import "github.com/spf13/cobra"

// trafficCommands are the traffic-control nouns: pools, policies, plans
// and API keys. Each lives in its own file.
func trafficCommands() []*cobra.Command {
	return []*cobra.Command{newTraceCmd(), newPolicyCmd(), newPlanCmd(), newAPIKeyCmd(), newPoolCmd()}
}
