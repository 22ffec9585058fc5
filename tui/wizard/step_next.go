package wizard

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
)

// nextStep is the menu after a secondary streams: verify, add another
// secondary, set up the other type, or close.
type nextStep struct{}

func init() { register(stNext, nextStep{}) }

func (nextStep) crumb() string      { return "next" }
func (nextStep) title(Model) string { return "what comes next" }

func (nextStep) enter(m Model) (Model, tea.Cmd) {
	return m.setForm(fkNext, m.nextForm(m.nextChoices()))
}

func (nextStep) formDone(m Model) (Model, tea.Cmd) { return m.nextChosen(m.v.next) }

func (nextStep) explain(m Model) string { return typeExplanation(m.typ) }

// typeStep asks for the replication type first, when the host did not say.
type typeStep struct{}

func init() { register(stType, typeStep{}) }

func (typeStep) crumb() string      { return "type" }
func (typeStep) title(Model) string { return "choosing the replication type" }

func (typeStep) enter(m Model) (Model, tea.Cmd) { return m.setForm(fkType, m.typeForm()) }

func (typeStep) explain(Model) string { return explainPerf + "\n\n" + explainDR }

func (m Model) nextContext() []string {
	var out []string
	if m.start.Flow == FlowFailover && m.primary != "" {
		// The disaster is over for clients; the old primary is the next
		// danger: back up unsealed, it would be a second primary.
		old := promoteStateOf(m).old
		if old == "" {
			old = "the old primary"
		}
		out = append(out, m.levelText(lvPass, "Failover done: "+m.primary+" is the primary and its performance secondaries follow it."))
		return append(out, m.para("When "+old+" comes back it still believes it is the primary: demote it at once ("+
			ops.Lookup(ops.OpDemotePrimary).Command(ops.DR, "")+"), then make it a DR secondary of "+m.primary+
			" with update-primary: a DR activation token from "+m.primary+", and a DR operation token made on "+old+".")...)
	}
	if m.primary != "" {
		out = append(out, m.levelText(lvPass, typeTitle(m.typ)+" replication from "+m.primary+" is set up."))
	}
	return out
}

// nextChoices are the offers after a secondary is streaming.
func (m Model) nextChoices() []nextChoice {
	var cs []nextChoice
	if m.primary != "" {
		if m.typ == ops.Performance {
			cs = append(cs, nextChoice{"Verify propagation (a canary auth method on " + m.primary + ")", "verify"})
		} else {
			cs = append(cs, nextChoice{"Verify propagation (the DR secondaries' WAL position)", "verify"})
		}
		cs = append(cs, nextChoice{"Add another " + typeName(m.typ) + " secondary to " + m.primary, "another"})
		other := ops.DR
		if m.typ == ops.DR {
			other = ops.Performance
		}
		if f, ok := m.survey[m.primary]; !ok || f.of(other).Mode != ops.ModePrimary {
			cs = append(cs, nextChoice{"Set up " + typeName(other) + " replication from " + m.primary, "other"})
		}
	}
	return append(cs, nextChoice{"Close the wizard", "close"})
}

func (m Model) nextChosen(choice string) (Model, tea.Cmd) {
	m.form = nil
	switch choice {
	case "verify":
		m.ver = verifyState{}
		return m.enterStep(stVerify)
	case "another", "other":
		if choice == "other" {
			if m.typ == ops.DR {
				m.typ = ops.Performance
			} else {
				m.typ = ops.DR
			}
		}
		m.secondary, m.askedSec, m.secondaryID = "", false, ""
		m.watch = watchState{}
		m.hasTok, m.tokFromHere, m.tokUsed = false, false, false
		m.tok = ops.ActivationToken{}
		m.v.id, m.v.addr, m.v.tls = "", "", ""
		if choice == "other" {
			return m.enterStep(stPrimary)
		}
		return m.enterStep(stToken)
	}
	return m.close()
}
