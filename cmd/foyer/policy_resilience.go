package main

import (
	"slices"
	"sort"
)

// resiliencePolicyKeys are the resilience keys of store.PolicyKeys
// (retries, timeouts, max-body, breaker), for help text.
var resiliencePolicyKeys = []string{"breaker", "breaker-cooldown", "breaker-error-ratio", "breaker-latency",
	"breaker-min-requests", "breaker-probes", "breaker-window", "connect-timeout", "max-body",
	"request-timeout", "response-header-timeout", "retries", "retry-timeout"}

// init adds the resilience keys to policyKeyList, kept sorted, so the
// list in policy.go and this one can grow apart.
func init() {
	for _, k := range resiliencePolicyKeys {
		if !slices.Contains(policyKeyList, k) {
			policyKeyList = append(policyKeyList, k)
		}
	}
	sort.Strings(policyKeyList)
}
