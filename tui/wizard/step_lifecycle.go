package wizard

import (
	"context"
	"errors"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// The replication lifecycle's single writes: promote a performance
// secondary, demote a performance primary, disable replication on a
// primary or a secondary. One step model serves the three; what differs is
// in lifeKind.
const (
	stPerfPromote step = 45 + iota // promote a performance secondary (m.secondary)
	stPerfDemote                   // demote a performance primary (m.primary)
	stDisable                      // disable replication of m.typ on m.primary, whatever its role
)

type lifeStep struct{ s step }

type lifeState struct {
	in   *struct{ addr string }
	role ops.Mode // the target's role for m.typ, read by the pre-flight
}

func init() {
	for _, s := range []step{stPerfPromote, stPerfDemote, stDisable} {
		register(s, lifeStep{s: s})
	}
}

func (l lifeStep) st(m Model) lifeState { return state[lifeState](m, l.s) }

func (l lifeStep) crumb() string {
	return map[step]string{stPerfPromote: "promote", stPerfDemote: "demote", stDisable: "disable"}[l.s]
}

func (l lifeStep) title(m Model) string {
	switch l.s {
	case stPerfPromote:
		return "promoting a performance secondary"
	case stPerfDemote:
		return "demoting the performance primary"
	}
	return "disabling " + typeName(m.typ) + " replication"
}

func (l lifeStep) op(m Model) ops.OpKind {
	switch {
	case l.s == stPerfPromote:
		return ops.OpPromote
	case l.s == stPerfDemote:
		return ops.OpDemotePrimary
	case l.st(m).role == ops.ModeSecondary:
		return ops.OpDisableSecondary
	}
	return ops.OpDisablePrimary
}

func (l lifeStep) target(m Model) string {
	if l.s == stPerfPromote {
		return m.secondary
	}
	return m.primary
}

func (l lifeStep) reviewAction(Model) string { return "confirm" }
func (l lifeStep) request(m Model) Model     { return m }

func (l lifeStep) explain(m Model) string {
	switch l.s {
	case stPerfPromote:
		return "Promoting a performance secondary makes it a performance primary. If the old primary still runs, " +
			"demote it first: two primaries of one set diverge. The other secondaries then need update-primary. " +
			"Clients do not keep their tokens: each performance cluster issues its own."
	case stPerfDemote:
		return "Demoting the performance primary makes it a secondary that connects to nothing; it keeps its " +
			"cluster id and data, and can rejoin the set with update-primary, without a wipe."
	}
	return "Disabling replication on a primary turns it off: its secondaries can no longer connect, and if it is " +
		"enabled again it gets a new cluster id, so secondaries that reconnect are wiped. On a secondary it " +
		"leaves the set; joining again needs a new activation token and a purge."
}

func (l lifeStep) enter(m Model) (Model, tea.Cmd) {
	if l.s != stDisable {
		m.typ = ops.Performance
	}
	if l.target(m) == "" {
		if l.s == stPerfPromote {
			return m.openSelect(fkTarget)
		}
		return m.openSelect(fkPrimary)
	}
	m = withState(m, l.s, lifeState{in: &struct{ addr string }{}})
	return m.runChecks()
}

func (l lifeStep) preflight(m Model) (Model, tea.Cmd) {
	c, _ := m.cluster(l.target(m))
	m.loading = "Pre-flight checks on " + c.Name
	var caps []string
	if !(m.typ == ops.DR && m.survey[c.Name].of(ops.DR).Mode == ops.ModeSecondary) {
		caps = opCapPaths(m.typ, l.op(m))
	}
	return m, m.factsCmd(c, caps, false, m.othersThan(c.Name))
}

func (l lifeStep) evaluate(m Model, msg factsMsg) Model {
	m.remember(msg.main)
	m.remember(msg.others...)
	f, name := msg.main, l.target(m)
	cs, ok := usable(f)
	c, _ := m.cluster(name)
	st := l.st(m)
	if st.in == nil {
		st.in = &struct{ addr string }{}
	}
	ts := f.of(m.typ)
	st.role = ts.Mode
	switch {
	case !ok:
	case c.ReadOnly:
		cs = append(cs, fail("writable", name+" is read-only in the configuration", "remove read_only for this cluster"))
	case l.s == stPerfPromote && ts.Mode == ops.ModePrimary, l.s == stPerfDemote && ts.Mode == ops.ModeSecondary,
		l.s == stDisable && ts.Mode == ops.ModeDisabled:
		cs = append(cs, pass("mode", name+" is already a "+modePhrase(m.typ, ts.Mode)+": nothing to do"))
		m.already = true
	case l.s == stPerfPromote && ts.Mode != ops.ModeSecondary:
		cs = append(cs, fail("mode", name+" is not a performance secondary", "pick a performance secondary"))
	case l.s == stPerfDemote && ts.Mode != ops.ModePrimary:
		cs = append(cs, fail("mode", name+" is not a performance primary", "pick the performance primary"))
	default:
		cs = append(cs, pass("mode", name+" is a "+modePhrase(m.typ, ts.Mode)))
		if c, ok := opCapCheck(f, l.op(m), m.typ); ok {
			cs = append(cs, c)
		}
		if l.s == stPerfPromote {
			if p := m.primaryOf(name); p != "" && fenceOf(m.survey[p]) == fenceLive {
				cs = append(cs, warn("split brain", p+" is still a running performance primary",
					"demote it first ("+ops.Lookup(ops.OpDemotePrimary).Command(ops.Performance, "")+" on "+p+")"))
			}
		}
	}
	if _, ok := m.opsOf(name); !ok && !anyFailed(cs) {
		cs = append(cs, fail("client", "this cluster's client cannot do it", "run vaultrepl with a Vault client for it"))
	}
	m.checks = cs
	return withState(m, l.s, st)
}

// drSecondaryDisable: disabling a DR secondary takes a DR operation token.
func (l lifeStep) drSecondaryDisable(m Model) bool {
	return l.s == stDisable && m.typ == ops.DR && l.st(m).role == ops.ModeSecondary
}

func (l lifeStep) inputs(m Model) *huh.Form {
	in := l.st(m).in
	switch {
	case l.s == stPerfPromote:
		return m.newForm(huh.NewGroup(huh.NewInput().Title("primary_cluster_addr (optional)").
			Description("The cluster address secondaries will connect to, e.g. a load balancer.").
			Validate(optionalURL).Value(&in.addr)))
	}
	return nil
}

// proceed: disabling a DR secondary takes a DR operation token from key
// shares first (drtoken.go); the other writes go to their inputs.
func (l lifeStep) proceed(m Model) (Model, tea.Cmd) {
	if l.drSecondaryDisable(m) {
		return m.drTokenFirst(l.target(m))
	}
	return m.showInputs()
}

func (l lifeStep) formDone(m Model) (Model, tea.Cmd) {
	if m.dra.started {
		return m.sendShare()
	}
	return m, nil
}

func (l lifeStep) view(m Model, _ int) (top, bottom []string) { return m.drTokenView() }

// effects says exactly what Vault will do.
func (l lifeStep) effects(m Model) string {
	name, ts := l.target(m), m.survey[l.target(m)].of(m.typ)
	switch {
	case l.s == stPerfPromote:
		return name + " becomes a performance primary and serves writes. Its old primary's other secondaries " +
			"do not follow by themselves: each needs update-primary. Clients log in again on " + name + "."
	case l.s == stPerfDemote:
		return name + " becomes a performance secondary that connects to nothing; it keeps its data and cluster id. " +
			"Writes stop until another cluster is promoted."
	case ts.Mode == ops.ModePrimary:
		s := typeName(m.typ) + " replication is turned off on " + name + ": its secondaries"
		if len(ts.KnownSecondaries) > 0 {
			s += " (" + strings.Join(ts.KnownSecondaries, ", ") + ")"
		}
		return s + " can no longer connect. Enabled again, it gets a new cluster id, and every secondary that " +
			"reconnects is wiped."
	}
	return name + " leaves its " + typeName(m.typ) + " replication set and stops receiving changes. Joining again " +
		"takes a new activation token, which purges it."
}

func (l lifeStep) review(m Model) (before, after []string) {
	before = []string{m.st.Form.Prompt.Render("Review: " + l.title(m) + " on " + l.target(m)), ""}
	return before, m.para(l.effects(m))
}

func (l lifeStep) command(m Model) string {
	o := ops.Lookup(l.op(m))
	if l.s == stPerfPromote {
		return o.Command(m.typ, "", ops.Arg{Key: "primary_cluster_addr", Value: strings.TrimSpace(l.st(m).in.addr)})
	}
	if l.drSecondaryDisable(m) {
		return o.Command(m.typ, "", ops.Arg{Key: "dr_operation_token", Value: "token"})
	}
	return o.Command(m.typ, "")
}

func (l lifeStep) run(m Model) func(context.Context) writeMsg {
	fo, _ := m.opsOf(l.target(m))
	t, op, in, drSec, drTok := m.typ, l.op(m), *l.st(m).in, l.drSecondaryDisable(m), m.dra.token
	return func(ctx context.Context) writeMsg {
		if fo == nil {
			return writeMsg{err: errors.New("no client for the cluster")}
		}
		var res ops.WriteResult
		var err error
		switch op {
		case ops.OpPromote:
			res, err = fo.Promote(ctx, t, ops.PromoteRequest{PrimaryClusterAddr: strings.TrimSpace(in.addr)})
		case ops.OpDemotePrimary:
			res, err = fo.DemotePrimary(ctx, t)
		case ops.OpDisablePrimary:
			res, err = fo.DisablePrimary(ctx, t)
		case ops.OpDisableSecondary:
			var r ops.DRTokenRequest
			if drSec {
				if drTok == "" {
					return writeMsg{err: &ops.Error{Class: ops.ErrBadRequest, Op: "disable DR secondary", Messages: []string{"no DR operation token in hand"}}}
				}
				r.DROperationToken = drTok
			}
			res, err = fo.DisableSecondary(ctx, t, r)
		}
		return writeMsg{res: res, err: err}
	}
}

func (l lifeStep) landed(m Model, f facts) bool {
	if f.repl() == nil {
		return false
	}
	switch l.s {
	case stPerfPromote:
		return f.of(m.typ).Mode == ops.ModePrimary
	case stPerfDemote:
		return f.of(m.typ).Mode == ops.ModeSecondary
	}
	return f.of(m.typ).Mode == ops.ModeDisabled
}

func (l lifeStep) done(m Model, _ writeMsg) (Model, tea.Cmd) {
	m.dra = drAttempt{} // a DR operation token, if one was used, is spent
	return m, nil
}

func (l lifeStep) result(m Model) []string {
	out := []string{m.levelText(lvPass, "Done: "+l.title(m)+" on "+l.target(m)+".")}
	if l.s == stPerfPromote {
		c, _ := m.cluster(m.secondary)
		for _, a := range clientAdvice(ops.Performance, m.primaryOf(m.secondary), m.secondary, c.Address) {
			out = append(out, m.para(a)...)
		}
	}
	return out
}
