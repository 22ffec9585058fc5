package wizard

import "github.com/vaultrepl/vaultrepl/ops"

// flowDef is one row of the flow table: where a flow starts and the steps
// that follow each other. A step may be skipped for one replication type
// (the log-in after a performance activation means nothing for DR).
type flowDef struct {
	first step
	// seq is the order of the steps, as the progress line shows them.
	seq []step
	// only restricts a step of seq to one replication type.
	// after, when set, may send a step somewhere else than the next in seq
	// (a flow that repeats steps, once per cluster).
	after func(Model) (step, bool)
	// title names the flow in the header when it is not the setup.
	title string
	only  map[step]ops.ReplicationType
}

// setupSeq is the guided setup: every setup flow is an entry into it.
var setupSeq = []step{stPrimary, stToken, stActivate, stWatch, stLogin, stVerify}

var setupOnly = map[step]ops.ReplicationType{stLogin: ops.Performance}

// flows is the flow table. Adding a flow: a Flow constant (api.go), a row
// here, and a file per new step.
var flows = map[Flow]flowDef{
	FlowSetup:             {first: stPrimary, seq: setupSeq, only: setupOnly},
	FlowEnablePrimary:     {first: stPrimary, seq: setupSeq, only: setupOnly},
	FlowSecondaryToken:    {first: stToken, seq: setupSeq, only: setupOnly},
	FlowActivateSecondary: {first: stActivate, seq: setupSeq, only: setupOnly},
	FlowWatch:             {first: stWatch, seq: setupSeq, only: setupOnly},
	FlowVerify:            {first: stVerify, seq: setupSeq, only: setupOnly},
	FlowFailover:          {first: stPromoteDR, seq: []step{stPromoteDR, stFollow, stWatch}, after: (Model).afterWatchFollow, title: "Disaster failover"},
	FlowRevoke:            {first: stRevoke, seq: []step{stRevoke}, title: "Revoke a secondary"},
	FlowPerfPromote:       {first: stPerfPromote, seq: []step{stPerfPromote}, title: "Performance promote"},
	FlowPerfDemote:        {first: stPerfDemote, seq: []step{stPerfDemote}, title: "Performance demote"},
	FlowDisable:           {first: stDisable, seq: []step{stDisable}, title: "Disable replication"},
	FlowPathsFilter:       {first: stPathsFilter, seq: []step{stPathsFilter}, title: "Paths filter"},
	FlowOperations:        {first: stOperations, seq: []step{stOperations}, title: "Replication operations"},
	FlowDrill: {first: stDemoteDR, seq: []step{stDemoteDR, stPromoteDR, stFollow, stRejoin, stWatch},
		after: (Model).afterDrill, title: "Planned failover (drill)"},
	FlowFollow: {first: stFollow, seq: []step{stFollow, stWatch}, after: (Model).afterWatchFollow, title: "Secondaries follow the new primary"},
}

func (m Model) flow() flowDef {
	if f, ok := flows[m.start.Flow]; ok {
		return f
	}
	return flows[FlowSetup]
}

func firstStep(f Flow) step {
	if d, ok := flows[f]; ok {
		return d.first
	}
	return stPrimary
}

// steps is the flow's sequence for the current type.
func (m Model) steps() []step {
	d := m.flow()
	var out []step
	for _, s := range d.seq {
		if t, ok := d.only[s]; ok && t != m.typ {
			continue
		}
		out = append(out, s)
	}
	return out
}

// stepAfter is the step that follows the current one. The last step of a
// flow, and the verification, lead to "what next".
func (m Model) stepAfter() step {
	if m.step == stType {
		return firstStep(m.start.Flow)
	}
	if d := m.flow(); d.after != nil {
		if s, ok := d.after(m); ok {
			return s
		}
	}
	seq := m.steps()
	for i, s := range seq {
		if s == m.step && i+1 < len(seq) && seq[i+1] != stVerify {
			return seq[i+1]
		}
	}
	return stNext
}
