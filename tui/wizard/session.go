package wizard

import (
	"maps"
	"slices"

	"github.com/vaultrepl/vaultrepl/ops"
)

// session is what the steps of one wizard run share: the type and the
// clusters chosen, the last status read of every cluster, the activation
// token in hand, and what the run changed. Model embeds it, so a step reads
// m.primary or m.tok directly.
type session struct {
	typ       ops.ReplicationType
	survey    map[string]facts // the latest status of each cluster, for choices
	primary   string
	secondary string
	askedPri  bool // the primary was chosen in this wizard (so back can re-ask)
	askedSec  bool

	// The activation token in hand: generated here or pasted. Token is a
	// secret: it is forgotten as soon as it is spent.
	tok         ops.ActivationToken
	hasTok      bool
	tokFromHere bool
	tokUsed     bool
	tokInfo     tokenInfo
	tokErr      error
	secondaryID string
	revealed    bool

	// dra is the DR operation token being generated from key shares, or
	// generated and not yet spent (drtoken.go). Secret parts inside.
	dra drAttempt

	// changed lists the clusters written to, for the host's refresh.
	changed []string

	// data holds each step's own state (its request, what its pre-flight
	// decided), keyed by step; see state and withState.
	data map[step]any
}

// state returns step s's own state: its zero value until withState set it.
func state[T any](m Model, s step) T {
	v, _ := m.data[s].(T)
	return v
}

// withState returns m with step s's state set to v. The map is copied, so
// that a Model value held elsewhere keeps its own (bubbletea models are
// values).
func withState[T any](m Model, s step, v T) Model {
	d := maps.Clone(m.data)
	if d == nil {
		d = map[step]any{}
	}
	d[s] = v
	m.data = d
	return m
}

// remember keeps the latest status of each cluster for the choices.
func (m *Model) remember(fs ...facts) {
	for _, f := range fs {
		if f.Name == "" {
			continue
		}
		if _, shared := m.survey[f.Name]; shared || m.survey == nil {
			// Copy on write: earlier Model values keep their survey.
			m.survey = maps.Clone(m.survey)
			if m.survey == nil {
				m.survey = map[string]facts{}
			}
		}
		m.survey[f.Name] = f
	}
}

func (m *Model) markChanged(name string) {
	if name != "" && !slices.Contains(m.changed, name) {
		m.changed = append(slices.Clone(m.changed), name)
	}
}

func (m Model) cluster(name string) (Cluster, bool) {
	for _, c := range m.d.Clusters {
		if c.Name == name {
			return c, true
		}
	}
	return Cluster{}, false
}

func (m Model) clusterByAddr(addr string) string {
	want := normAddr(addr)
	if want == "" {
		return ""
	}
	for _, c := range m.d.Clusters {
		if normAddr(c.Address) == want {
			return c.Name
		}
	}
	return ""
}

func (m Model) othersThan(name string) []Cluster {
	var out []Cluster
	for _, c := range m.d.Clusters {
		if c.Name != name {
			out = append(out, c)
		}
	}
	return out
}

// primaryOf finds the configured primary of a secondary: the cluster that is
// a primary of the same replication set (cluster_id).
func (m Model) primaryOf(secondary string) string {
	f, ok := m.survey[secondary]
	if !ok {
		return ""
	}
	id := f.of(m.typ).ClusterID
	for _, c := range m.d.Clusters {
		p, ok := m.survey[c.Name]
		if ok && c.Name != secondary && id != "" && p.of(m.typ).Mode == ops.ModePrimary && p.of(m.typ).ClusterID == id {
			return c.Name
		}
	}
	return ""
}
