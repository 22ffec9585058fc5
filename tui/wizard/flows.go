package wizard

import "github.com/vaultrepl/vaultrepl/ops"

// flowDef is one row of the flow table: the flow's name, where it starts,
// the steps that follow each other, and what the operations menu (w on the
// dashboard) offers for a cluster. A step may be skipped for one
// replication type (the log-in after a performance activation means
// nothing for DR).
type flowDef struct {
	// name is the flow's String, as on the command palette.
	name  string
	first step
	// seq is the order of the steps, as the progress line shows them.
	seq []step
	// after, when set, may send a step somewhere else than the next in seq
	// (a flow that repeats steps, once per cluster).
	after func(Model) (step, bool)
	// title names the flow in the header when it is not the setup.
	title string
	// only restricts a step of seq to one replication type.
	only map[step]ops.ReplicationType
	// offer lists the menu's entries of this flow for the cluster name
	// (nil: the menu never offers it); rank orders the flows in the menu,
	// most urgent first.
	offer func(m Model, name string) []operation
	rank  int
}

// setupSeq is the guided setup: every setup flow is an entry into it.
var setupSeq = []step{stPrimary, stToken, stActivate, stWatch, stLogin, stVerify}

var setupOnly = map[step]ops.ReplicationType{stLogin: ops.Performance}

// flows is the flow table. Adding a flow is one new step file (its step
// model, registered in init) plus a row here (with its Flow constant in
// api.go when a host opens it by name).
var flows = map[Flow]flowDef{
	FlowSetup:             {name: "setup", first: stPrimary, seq: setupSeq, only: setupOnly, offer: offerSetup, rank: 100},
	FlowEnablePrimary:     {name: "enable-primary", first: stPrimary, seq: setupSeq, only: setupOnly},
	FlowSecondaryToken:    {name: "secondary-token", first: stToken, seq: setupSeq, only: setupOnly},
	FlowActivateSecondary: {name: "activate-secondary", first: stActivate, seq: setupSeq, only: setupOnly},
	FlowWatch:             {name: "watch", first: stWatch, seq: setupSeq, only: setupOnly},
	FlowVerify:            {name: "verify", first: stVerify, seq: setupSeq, only: setupOnly},
	FlowFailover: {name: "failover", first: stPromoteDR, seq: []step{stPromoteDR, stFollow, stWatch}, after: (Model).afterWatchFollow,
		title: "Disaster failover", offer: offerFailover, rank: 1},
	FlowRevoke: {name: "revoke", first: stRevoke, seq: []step{stRevoke}, title: "Revoke a secondary", offer: offerRevoke, rank: 2},
	FlowFollow: {name: "follow", first: stFollow, seq: []step{stFollow, stWatch}, after: (Model).afterWatchFollow,
		title: "Secondaries follow the new primary", offer: offerFollow, rank: 3},
	FlowDrill: {name: "drill", first: stDemoteDR, seq: []step{stDemoteDR, stPromoteDR, stFollow, stRejoin, stWatch},
		after: (Model).afterDrill, title: "Planned failover (drill)", offer: offerDrill, rank: 4},
	FlowPathsFilter: {name: "paths-filter", first: stPathsFilter, seq: []step{stPathsFilter}, title: "Paths filter", offer: offerPathsFilter, rank: 5},
	FlowPerfPromote: {name: "performance-promote", first: stPerfPromote, seq: []step{stPerfPromote}, title: "Performance promote", offer: offerPerfPromote, rank: 6},
	FlowPerfDemote:  {name: "performance-demote", first: stPerfDemote, seq: []step{stPerfDemote}, title: "Performance demote", offer: offerPerfDemote, rank: 7},
	FlowDisable:     {name: "disable", first: stDisable, seq: []step{stDisable}, title: "Disable replication", offer: offerDisable, rank: 8},
	FlowOperations:  {name: "operations", first: stOperations, seq: []step{stOperations}, title: "Replication operations"},
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
