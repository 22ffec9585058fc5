package tui

import (
	"sort"

	"github.com/vaultrepl/vaultrepl/ops"
)

// sortOrder is how the panes are ordered; s cycles through them.
type sortOrder int

const (
	sortConfigured sortOrder = iota // the configuration's order
	sortSeverity                    // worst first
	sortName                        // by name
	sortLag                         // largest WAL gap to its primary first
)

func (s sortOrder) String() string {
	switch s {
	case sortSeverity:
		return "severity"
	case sortName:
		return "name"
	case sortLag:
		return "lag"
	case sortConfigured:
	}
	return "config order"
}

func (s sortOrder) next() sortOrder { return (s + 1) % (sortLag + 1) }

// sortIDs orders ids (configured order in) by m.sortBy; ties keep the
// configured order, so panes do not jump among equals.
func (m *Model) sortIDs(ids []ClusterID) {
	switch m.sortBy {
	case sortSeverity:
		sort.SliceStable(ids, func(i, j int) bool {
			a, b := m.shownSeverity(ids[i]), m.shownSeverity(ids[j])
			return a != b && ops.Worst(a, b) == a
		})
	case sortName:
		sort.SliceStable(ids, func(i, j int) bool {
			return m.clusters[ids[i]].spec.Name < m.clusters[ids[j]].spec.Name
		})
	case sortLag:
		sort.SliceStable(ids, func(i, j int) bool { return m.lagOf(ids[i]) > m.lagOf(ids[j]) })
	case sortConfigured:
	}
}

// lagOf is a cluster's largest WAL gap as a secondary of either type; -1
// when it is no secondary or the gap is unknown (those sort last).
func (m *Model) lagOf(id ClusterID) int64 {
	lag := int64(-1)
	for _, t := range ops.ReplicationTypes {
		if l, ok := m.upLink(t, id); ok && l.HasWALGap {
			lag = max(lag, l.WALGap)
		}
	}
	return lag
}
