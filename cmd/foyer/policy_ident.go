package main

import (
	"slices"
	"sort"
)

// identPolicyKeys are the identification keys of store.PolicyKeys
// (id-path, id-header, jwt), for help text.
var identPolicyKeys = []string{"id-header", "id-path", "id-path-strip", "jwt", "jwt-alg", "jwt-claim"}

// init adds the identification keys to policyKeyList, kept sorted.
func init() {
	for _, k := range identPolicyKeys {
		if !slices.Contains(policyKeyList, k) {
			policyKeyList = append(policyKeyList, k)
		}
	}
	sort.Strings(policyKeyList)
}
