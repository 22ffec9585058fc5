package wizard

import (
	"cmp"
	"slices"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// stOperations offers what can be done with the focused cluster
// (Start.Focused), by its role: a DR secondary's failover, a DR primary's
// drill, a performance primary's revokes (an activation token never used
// comes first: the finding it clears), paths filters, demote and disable,
// a performance secondary's promote. Choosing one starts that flow.
const stOperations step = 49

type operationsStep struct{}

// operation is one entry of the menu: the flow it starts and with what.
type operation struct {
	label              string
	flow               Flow
	typ                ops.ReplicationType
	primary, secondary string
	id                 string
}

type operationsState struct {
	choice *int
	offers []operation
}

func init() { register(stOperations, operationsStep{}) }

func (operationsStep) crumb() string        { return "operation" }
func (operationsStep) title(Model) string   { return "choosing an operation" }
func (operationsStep) explain(Model) string { return explainFailover }

// offers lists the operations that fit name's roles: each flow's offer in
// the flow table, most urgent flow first.
func (m Model) offers(name string) []operation {
	fs := make([]Flow, 0, len(flows))
	for f, d := range flows {
		if d.offer != nil {
			fs = append(fs, f)
		}
	}
	slices.SortFunc(fs, func(a, b Flow) int { return cmp.Compare(flows[a].rank, flows[b].rank) })
	var out []operation
	for _, f := range fs {
		out = append(out, flows[f].offer(m, name)...)
	}
	return out
}

// The menu entries of each flow, for the flow table's offer column.

func offerFailover(m Model, name string) []operation {
	if m.survey[name].of(ops.DR).Mode != ops.ModeSecondary {
		return nil
	}
	return []operation{{label: "Disaster failover: promote " + name + " (DR operation token), then the performance secondaries follow",
		flow: FlowFailover, typ: ops.DR, secondary: name}}
}

// offerRevoke puts an activation token never used first: the finding it
// clears.
func offerRevoke(m Model, name string) []operation {
	f := m.survey[name]
	var out []operation
	if perf := f.of(ops.Performance); perf.Mode == ops.ModePrimary {
		for _, id := range perf.KnownSecondaries {
			if neverConnected(perf, id) {
				out = append(out, operation{label: "Revoke " + id + " (token never used)", flow: FlowRevoke, typ: ops.Performance, primary: name, id: id})
			}
		}
	}
	if dr := f.of(ops.DR); dr.Mode == ops.ModePrimary {
		for _, id := range dr.KnownSecondaries {
			if neverConnected(dr, id) {
				out = append(out, operation{label: "Revoke DR secondary " + id + " (token never used)", flow: FlowRevoke, typ: ops.DR, primary: name, id: id})
			}
		}
	}
	if f.of(ops.Performance).Mode == ops.ModePrimary {
		out = append(out, operation{label: "Revoke a performance secondary", flow: FlowRevoke, typ: ops.Performance, primary: name})
	}
	return out
}

func offerFollow(m Model, name string) []operation {
	if m.survey[name].of(ops.Performance).Mode != ops.ModePrimary || len(m.followers(name)) == 0 {
		return nil
	}
	return []operation{{label: "Point the performance secondaries at " + name, flow: FlowFollow, typ: ops.Performance, primary: name}}
}

func offerDrill(m Model, name string) []operation {
	if m.survey[name].of(ops.DR).Mode != ops.ModePrimary {
		return nil
	}
	secs := m.drSecondariesOf(name)
	if len(secs) == 0 {
		return nil
	}
	return []operation{{label: "Planned failover (drill) to " + secs[0], flow: FlowDrill, typ: ops.DR, primary: name, secondary: secs[0]}}
}

func offerPathsFilter(m Model, name string) []operation {
	if m.survey[name].of(ops.Performance).Mode != ops.ModePrimary {
		return nil
	}
	return []operation{{label: "Paths filter of a performance secondary", flow: FlowPathsFilter, typ: ops.Performance, primary: name}}
}

func offerPerfPromote(m Model, name string) []operation {
	if m.survey[name].of(ops.Performance).Mode != ops.ModeSecondary {
		return nil
	}
	return []operation{{label: "Promote " + name + " (performance secondary)", flow: FlowPerfPromote, typ: ops.Performance, secondary: name}}
}

func offerPerfDemote(m Model, name string) []operation {
	if m.survey[name].of(ops.Performance).Mode != ops.ModePrimary {
		return nil
	}
	return []operation{{label: "Demote " + name + " (performance primary)", flow: FlowPerfDemote, typ: ops.Performance, primary: name}}
}

// offerDisable: a primary of either type, a performance secondary, and a
// DR secondary (with a DR operation token).
func offerDisable(m Model, name string) []operation {
	f := m.survey[name]
	var out []operation
	for _, t := range []ops.ReplicationType{ops.Performance, ops.DR} {
		if ts := f.of(t); ts.Mode == ops.ModePrimary || ts.Mode == ops.ModeSecondary {
			out = append(out, operation{label: "Disable " + typeName(t) + " replication on " + name, flow: FlowDisable, typ: t, primary: name})
		}
	}
	return out
}

func offerSetup(Model, string) []operation {
	return []operation{{label: "Guided setup (enable, token, activate, watch, verify)", flow: FlowSetup}}
}

func (operationsStep) enter(m Model) (Model, tea.Cmd) {
	name := m.start.Focused
	if name == "" && len(m.d.Clusters) > 0 {
		name = m.d.Clusters[0].Name
	}
	st := operationsState{choice: new(int), offers: m.offers(name)}
	m = withState(m, stOperations, st)
	if len(st.offers) == 1 {
		// Nothing but the setup fits (no replication yet): go there.
		*st.choice = 0
		return operationsStep{}.formDone(m)
	}
	opts := make([]huh.Option[int], len(st.offers))
	for i, o := range st.offers {
		opts[i] = huh.NewOption(o.label, i)
	}
	m.ph = phForm
	return m.setForm(fkNext, m.newForm(huh.NewGroup(huh.NewSelect[int]().
		Title("What do you want to do with "+name+"?").Options(opts...).Value(st.choice))))
}

func (operationsStep) formDone(m Model) (Model, tea.Cmd) {
	st := state[operationsState](m, stOperations)
	if st.choice == nil || *st.choice < 0 || *st.choice >= len(st.offers) {
		return m, nil
	}
	o := st.offers[*st.choice]
	m.form = nil
	m.start.Flow, m.start.TypeKnown = o.flow, true
	m.typ, m.primary, m.secondary, m.secondaryID = o.typ, o.primary, o.secondary, o.id
	if o.flow == FlowSetup {
		// The setup asks the type first, as it does when opened directly.
		m.start.TypeKnown = false
		return m.enterStep(stType)
	}
	return m.enterStep(firstStep(o.flow))
}
