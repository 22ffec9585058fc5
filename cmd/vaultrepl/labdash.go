package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/tui"
)

// labSource is a lab the dashboard drives: in this process (demo) or
// through its control endpoint (--lab).
type labSource interface {
	tui.LabControl
	State(ctx context.Context, student string) (sim.LabState, error)
	Reset(student string) error
}

var (
	_ labSource = (*sim.Lab)(nil)
	_ labSource = (*sim.Remote)(nil)
)

// labAdapter gives the lab menu the instructor's view (faults in effect,
// checklists) and the reset, in the dashboard's terms.
type labAdapter struct {
	labSource
	students []string // the class's students, to find a cluster's set
	student  string   // a student's own dashboard: only their set
}

var _ tui.LabInspector = labAdapter{}

// LabView is tui.LabInspector's read.
func (a labAdapter) LabView(ctx context.Context) (tui.LabView, error) {
	st, err := a.State(ctx, a.student)
	if err != nil {
		return tui.LabView{}, err
	}
	v := tui.LabView{Faults: map[string][]string{}}
	for name, fs := range st.Faults {
		for _, f := range fs {
			v.Faults[name] = append(v.Faults[name], faultPhrase(f))
		}
	}
	for _, p := range st.Progress {
		if a.student != "" && p.HiddenFault != "" && !p.Complete {
			// The trainee is to find the fault with the dashboard: the
			// panes' lab lines and the fault list would name it.
			v.Faults = map[string][]string{}
		}
		c := tui.Checklist{Student: p.Student, Title: p.Title, Complete: p.Complete, Summary: p.Summary, Hidden: p.HiddenFault}
		if a.student != "" {
			// The trainee's own dashboard does not give the answer away.
			c.Hidden = ""
		}
		for _, s := range p.Steps {
			c.Steps = append(c.Steps, tui.ChecklistStep{Title: s.Title, Command: s.Command, Done: s.Done, Took: s.Took, Hint: s.Hint})
		}
		v.Checklists = append(v.Checklists, c)
	}
	return v, nil
}

// ResetSet resets the set the cluster belongs to: its student's in a class,
// else the whole lab.
func (a labAdapter) ResetSet(cluster string) (string, error) {
	return a.SetOf(cluster), a.Reset(a.studentOf(cluster))
}

// SetOf names the set ResetSet resets.
func (a labAdapter) SetOf(cluster string) string {
	if s := a.studentOf(cluster); s != "" {
		return s + "'s clusters"
	}
	return "every cluster of the lab"
}

func (a labAdapter) studentOf(cluster string) string {
	if a.student != "" {
		return a.student
	}
	for _, s := range a.students {
		if strings.HasPrefix(cluster, s+"-") {
			return s
		}
	}
	return ""
}

// faultPhrase is a fault in effect as a pane's lab line says it.
func faultPhrase(f sim.ActiveFault) string {
	switch f.Kind {
	case sim.KindPartition:
		return "partitioned " + f.Detail
	case sim.KindSeal:
		return "sealed"
	case sim.KindStop:
		return "stopped"
	case sim.KindSkewClock:
		return "clock skewed " + f.Detail
	case sim.KindCorruptMerkle:
		return "corrupted " + f.Detail + " merkle tree"
	case sim.KindCommunityEdition:
		return "Community Edition"
	}
	if f.Detail != "" {
		return f.Kind + " " + f.Detail
	}
	return f.Kind
}

// labDashboardDeps is the dashboard on a running lab (--lab): the clients
// carry each cluster's own token from the state file, the wizard's login
// screen knows the lab's userpass user, and the lab menu (L) drives the
// lab through its control endpoint.
func labDashboardDeps(g *globalOptions, s settings, ui *uiSetup, clients []*ops.Client) (tui.Deps, error) {
	st := s.Lab
	remote, err := sim.NewRemote(st.Control, s.Timeout)
	if err != nil {
		return tui.Deps{}, err
	}
	login := wizardLogin{username: st.Userpass.Username,
		hint: fmt.Sprintf("lab login: username %s, password %s", st.Userpass.Username, st.Userpass.Password)}
	// The wizard's countdowns read this machine's clock; the panes anchor
	// ages on each cluster's own clock (sys/health server_time_utc), which
	// is the lab's, so --speed shows there.
	deps := baseDeps(g, s, ui, clients, time.Now, login)
	deps.Lab = labAdapter{labSource: remote, students: st.Students, student: st.Student}
	return deps, nil
}
