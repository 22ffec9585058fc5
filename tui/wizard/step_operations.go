package wizard

import (
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

// offers lists the operations that fit name's roles, most urgent first.
func (m Model) offers(name string) []operation {
	f := m.survey[name]
	perf, dr := f.of(ops.Performance), f.of(ops.DR)
	var out []operation
	add := func(o operation) { out = append(out, o) }
	if dr.Mode == ops.ModeSecondary {
		add(operation{label: "Disaster failover: promote " + name + " (DR operation token), then the performance secondaries follow",
			flow: FlowFailover, typ: ops.DR, secondary: name})
		add(operation{label: "Disable DR replication on " + name, flow: FlowDisable, typ: ops.DR, primary: name})
	}
	if perf.Mode == ops.ModePrimary {
		for _, id := range perf.KnownSecondaries {
			if neverConnected(perf, id) {
				add(operation{label: "Revoke " + id + " (token never used)", flow: FlowRevoke, typ: ops.Performance, primary: name, id: id})
			}
		}
		if len(m.followers(name)) > 0 {
			add(operation{label: "Point the performance secondaries at " + name, flow: FlowFollow, typ: ops.Performance, primary: name})
		}
		add(operation{label: "Paths filter of a performance secondary", flow: FlowPathsFilter, typ: ops.Performance, primary: name})
		add(operation{label: "Revoke a performance secondary", flow: FlowRevoke, typ: ops.Performance, primary: name})
		add(operation{label: "Demote " + name + " (performance primary)", flow: FlowPerfDemote, typ: ops.Performance, primary: name})
	}
	if dr.Mode == ops.ModePrimary {
		for _, id := range dr.KnownSecondaries {
			if neverConnected(dr, id) {
				add(operation{label: "Revoke DR secondary " + id + " (token never used)", flow: FlowRevoke, typ: ops.DR, primary: name, id: id})
			}
		}
		if secs := m.drSecondariesOf(name); len(secs) > 0 {
			add(operation{label: "Planned failover (drill) to " + secs[0], flow: FlowDrill, typ: ops.DR, primary: name, secondary: secs[0]})
		}
	}
	if perf.Mode == ops.ModeSecondary {
		add(operation{label: "Promote " + name + " (performance secondary)", flow: FlowPerfPromote, typ: ops.Performance, secondary: name})
	}
	for _, t := range []ops.ReplicationType{ops.Performance, ops.DR} {
		if ts := f.of(t); ts.Mode == ops.ModePrimary || (ts.Mode == ops.ModeSecondary && t == ops.Performance) {
			add(operation{label: "Disable " + typeName(t) + " replication on " + name, flow: FlowDisable, typ: t, primary: name})
		}
	}
	add(operation{label: "Guided setup (enable, token, activate, watch, verify)", flow: FlowSetup})
	return out
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
