package ops

import (
	"sort"
	"strings"
)

// NameReplacer rewrites finding texts with the names an operator knows:
// the activation token id of each linked secondary, and the API address of
// each configured cluster (addresses maps address to name), become the
// configured cluster's name. Vault reports peers by id and address; the
// dashboard and status both show names. Longer strings are replaced first,
// so an address is never replaced by a shorter one it begins with.
func NameReplacer(r Report, addresses map[string]string) *strings.Replacer {
	type pair struct{ old, name string }
	var pairs []pair
	for _, l := range r.Links {
		if l.SecondaryID != "" && l.Secondary != "" && l.SecondaryID != l.Secondary {
			pairs = append(pairs, pair{l.SecondaryID, l.Secondary})
		}
	}
	for a, n := range addresses {
		if a = strings.TrimRight(a, "/"); a != "" && n != "" {
			pairs = append(pairs, pair{a, n})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if len(pairs[i].old) != len(pairs[j].old) {
			return len(pairs[i].old) > len(pairs[j].old)
		}
		return pairs[i].old < pairs[j].old
	})
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p.old, p.name)
	}
	return strings.NewReplacer(args...)
}
