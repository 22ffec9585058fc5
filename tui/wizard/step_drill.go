package wizard

import (
	"context"
	"errors"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// The planned failover (drill) and its reverse, the failback: demote the
// DR primary (m.primary), promote its DR secondary (m.secondary), let the
// performance secondaries follow, then make the old primary a DR secondary
// of the new one (update-primary with a token from the new primary) and
// watch it to stream-wals. Started from the other side it is the failback.
const (
	stDemoteDR step = 43 + iota // demote the DR primary (step_drill.go)
	stRejoin                    // the old primary becomes a DR secondary of the new one (step_drill.go)
)

type demoteStep struct{}

func init() {
	register(stDemoteDR, demoteStep{})
	register(stRejoin, rejoinStep{})
}

func (demoteStep) crumb() string          { return "demote" }
func (demoteStep) title(Model) string     { return "demoting the DR primary" }
func (demoteStep) op(Model) ops.OpKind    { return ops.OpDemotePrimary }
func (demoteStep) target(m Model) string  { return m.primary }
func (demoteStep) inputs(Model) *huh.Form { return nil }
func (demoteStep) request(m Model) Model  { return m }
func (demoteStep) reviewAction(Model) string {
	return "confirm"
}
func (demoteStep) explain(Model) string {
	return "A planned failover (a drill) starts by demoting the DR primary: it becomes a DR secondary " +
		"that connects to nothing and keeps its data, so it can rejoin later without a wipe. It then " +
		"serves no clients: the DR secondary is promoted next. A cluster that is also the performance " +
		"primary loses that role too; the promoted cluster takes it over."
}

func (demoteStep) enter(m Model) (Model, tea.Cmd) {
	m.typ = ops.DR
	if m.primary == "" {
		return m.openSelect(fkPrimary)
	}
	return m.runChecks()
}

func (demoteStep) preflight(m Model) (Model, tea.Cmd) {
	c, _ := m.cluster(m.primary)
	m.loading = "Pre-flight checks on " + m.primary + " and its DR secondary"
	return m, m.factsCmd(c, opCapPaths(ops.DR, ops.OpDemotePrimary), false, m.othersThan(m.primary))
}

func (demoteStep) evaluate(m Model, msg factsMsg) Model {
	m.remember(msg.main)
	m.remember(msg.others...)
	f := msg.main
	cs, ok := usable(f)
	c, _ := m.cluster(m.primary)
	switch {
	case !ok:
	case c.ReadOnly:
		cs = append(cs, fail("writable", m.primary+" is read-only in the configuration", "remove read_only for this cluster"))
	case f.of(ops.DR).Mode == ops.ModeSecondary && m.secondary != "" && m.survey[m.secondary].of(ops.DR).Mode == ops.ModeSecondary:
		cs = append(cs, pass("mode", m.primary+" is already demoted"))
		m.already = true
	case f.of(ops.DR).Mode != ops.ModePrimary:
		cs = append(cs, fail("mode", m.primary+" is not a DR primary", "start the drill on the DR primary"))
	default:
		cs = append(cs, pass("mode", m.primary+" is the DR primary"))
		if c, ok := opCapCheck(f, ops.OpDemotePrimary, ops.DR); ok {
			cs = append(cs, c)
		}
		secs := m.drSecondariesOf(m.primary)
		if m.secondary == "" && len(secs) > 0 {
			m.secondary = secs[0]
		}
		switch {
		case m.secondary == "" || !slices.Contains(secs, m.secondary):
			cs = append(cs, fail("DR secondary", "no configured DR secondary of "+m.primary+" to promote",
				"configure the DR secondary in vaultrepl first: without it the set would have no primary"))
		case m.survey[m.secondary].of(ops.DR).State != ops.StateStreamWALs:
			cs = append(cs, warn("DR secondary", m.secondary+" is not streaming ("+m.survey[m.secondary].of(ops.DR).State.String()+")",
				"wait until it streams: what it has not received is lost"))
		default:
			cs = append(cs, pass("DR secondary", m.secondary+" streams from "+m.primary))
		}
		if f.of(ops.Performance).Mode == ops.ModePrimary {
			cs = append(cs, info("performance", m.primary+" is also the performance primary: "+m.secondary+" takes that role when promoted"))
		}
	}
	m.checks = cs
	return m
}

func (demoteStep) review(m Model) (before, after []string) {
	before = []string{m.st.Form.Prompt.Render("Review: demote " + m.primary + " (DR primary)"), ""}
	after = m.para(m.primary + " stops serving clients and becomes a DR secondary connected to nothing; " +
		"next, " + m.secondary + " is promoted.")
	return before, after
}

func (demoteStep) command(m Model) string { return ops.Lookup(ops.OpDemotePrimary).Command(ops.DR, "") }

func (demoteStep) run(m Model) func(context.Context) writeMsg {
	fo, _ := m.opsOf(m.primary)
	return func(ctx context.Context) writeMsg {
		if fo == nil {
			return writeMsg{err: errors.New("no client for the primary")}
		}
		res, err := fo.DemotePrimary(ctx, ops.DR)
		return writeMsg{res: res, err: err}
	}
}

func (demoteStep) landed(m Model, f facts) bool {
	return f.repl() != nil && f.of(ops.DR).Mode == ops.ModeSecondary
}

func (demoteStep) done(m Model, _ writeMsg) (Model, tea.Cmd) { return m, nil }

func (demoteStep) result(m Model) []string {
	return []string{m.levelText(lvPass, m.primary+" was demoted."), "  Next: promote " + m.secondary + "."}
}

// rejoinStep makes the old primary (m.secondary) a DR secondary of the new
// one (m.primary): a DR activation token from the new primary, a DR
// operation token on the old primary from key shares, then update-primary.
type rejoinStep struct{}

type rejoinState struct {
	joined bool
}

func rejoinStateOf(m Model) rejoinState { return state[rejoinState](m, stRejoin) }

func (rejoinStep) crumb() string         { return "rejoin" }
func (rejoinStep) title(Model) string    { return "making the old primary a DR secondary" }
func (rejoinStep) op(Model) ops.OpKind   { return ops.OpUpdatePrimary }
func (rejoinStep) target(m Model) string { return m.secondary }
func (rejoinStep) request(m Model) Model { return m }
func (rejoinStep) reviewAction(Model) string {
	return "confirm"
}
func (rejoinStep) verbText(m Model) string {
	return "make " + m.secondary + " a DR secondary of " + m.primary
}
func (rejoinStep) explain(Model) string {
	return "The old primary still holds its data. update-primary with an activation token issued by the new " +
		"primary makes it a DR secondary of it without a wipe; after a failover Vault requires a token here, " +
		"not update_primary_addrs. As a DR secondary it is authorised by a DR operation token, generated " +
		"from the key shares. It then resyncs and streams: the set is protected again."
}

func (rejoinStep) enter(m Model) (Model, tea.Cmd) {
	m.typ = ops.DR
	// The followers' watches moved m.secondary; the old primary is the one
	// the promotion replaced.
	if old := promoteStateOf(m).old; old != "" {
		m.secondary = old
	}
	m = withState(m, stRejoin, rejoinState{})
	return m.runChecks()
}

func (rejoinStep) preflight(m Model) (Model, tea.Cmd) {
	np, _ := m.cluster(m.primary)
	m.loading = "Reading " + m.primary + " and " + m.secondary
	return m, m.factsCmd(np, opCapPaths(ops.DR, ops.OpSecondaryToken), false, m.othersThan(m.primary))
}

func (rejoinStep) evaluate(m Model, msg factsMsg) Model {
	m.remember(msg.main)
	m.remember(msg.others...)
	f := msg.main
	cs, ok := usable(f)
	if !ok {
		m.checks = cs
		return m
	}
	if f.of(ops.DR).Mode != ops.ModePrimary {
		m.checks = append(cs, transient(fail("mode", m.primary+" is not (yet) the DR primary", "re-checking while its role settles")))
		return m
	}
	if f.CapsErr != nil {
		what, _ := errText(f.CapsErr)
		c := fail("serving", m.primary+": "+what, "re-checking: Vault is briefly unavailable after a role change")
		if transientErr(f.CapsErr) {
			c = transient(c)
		}
		m.checks = append(cs, c)
		return m
	}
	cs = append(cs, pass("mode", m.primary+" is the DR primary"))
	if c, ok := opCapCheck(f, ops.OpSecondaryToken, ops.DR); ok {
		cs = append(cs, c)
	}
	old := m.survey[m.secondary]
	switch ts := old.of(ops.DR); {
	case m.secondary == "":
		cs = append(cs, fail("old primary", "the old primary is not configured", "rejoin it by hand"))
	case ts.Mode == ops.ModeSecondary && ts.ClusterID == f.of(ops.DR).ClusterID && ts.State == ops.StateStreamWALs:
		cs = append(cs, pass("old primary", m.secondary+" already streams from "+m.primary))
		m.already = true
	case ts.Mode != ops.ModeSecondary:
		cs = append(cs, fail("old primary", m.secondary+" is not a demoted DR secondary ("+modePhrase(ops.DR, ts.Mode)+")",
			"demote it first"))
	default:
		cs = append(cs, pass("old primary", m.secondary+" is demoted and waits for a primary"))
	}
	m.checks = cs
	return m
}

// The DR operation token on the old primary comes first, from key shares
// (drtoken.go); the step has no other input.
func (rejoinStep) inputs(Model) *huh.Form           { return nil }
func (rejoinStep) proceed(m Model) (Model, tea.Cmd) { return m.drTokenFirst(m.secondary) }
func (rejoinStep) formDone(m Model) (Model, tea.Cmd) {
	if m.dra.started {
		return m.sendShare()
	}
	return m, nil
}
func (rejoinStep) view(m Model, _ int) (top, bottom []string) { return m.drTokenView() }

func (rejoinStep) review(m Model) (before, after []string) {
	before = []string{m.st.Form.Prompt.Render("Review: make " + m.secondary + " a DR secondary of " + m.primary), ""}
	after = m.para(m.secondary + " keeps its data and resyncs with " + m.primary + ".")
	return before, after
}

func (rejoinStep) command(m Model) string {
	return strings.Join([]string{
		"# on " + m.primary,
		ops.Lookup(ops.OpSecondaryToken).Command(ops.DR, "", ops.Arg{Key: "id", Value: m.secondary}),
		"# on " + m.secondary,
		"# DR operation token: " + m.dra.progressText() + ", decoded here",
		ops.Lookup(ops.OpUpdatePrimary).Command(ops.DR, "", ops.Arg{Key: "dr_operation_token", Value: "t"}, ops.Arg{Key: "token", Value: "t"}),
	}, "\n")
}

func (rejoinStep) run(m Model) func(context.Context) writeMsg {
	np, _ := m.opsOf(m.primary)
	old, _ := m.opsOf(m.secondary)
	id, op := m.secondary, m.dra.token
	note := "DR operation token generated from " + m.dra.progressText() + " and decoded locally"
	revokeFirst := slices.Contains(m.survey[m.primary].of(ops.DR).KnownSecondaries, id)
	return func(ctx context.Context) writeMsg {
		if np == nil || old == nil {
			return writeMsg{err: errors.New("no client for one of the clusters")}
		}
		if revokeFirst {
			if _, err := np.RevokeSecondary(ctx, ops.DR, id); err != nil {
				return writeMsg{err: err}
			}
		}
		at, err := np.SecondaryToken(ctx, ops.DR, ops.SecondaryTokenRequest{ID: id})
		if err != nil {
			return writeMsg{err: err}
		}
		if op == "" {
			return writeMsg{err: &ops.Error{Class: ops.ErrBadRequest, Op: "update DR primary", Messages: []string{"no DR operation token in hand"}}}
		}
		res, err := old.UpdatePrimary(ctx, ops.DR, ops.UpdatePrimaryRequest{Token: at.Token, DROperationToken: op})
		res.Warnings = append([]string{note}, res.Warnings...)
		return writeMsg{res: res, err: err}
	}
}

func (rejoinStep) landed(m Model, f facts) bool {
	for _, o := range m.others {
		if o.Name == m.secondary {
			return o.of(ops.DR).ClusterID != "" && o.of(ops.DR).ClusterID == f.of(ops.DR).ClusterID
		}
	}
	return false
}

func (rejoinStep) done(m Model, msg writeMsg) (Model, tea.Cmd) {
	st := rejoinStateOf(m)
	if len(msg.res.Warnings) > 0 && len(m.res.Warnings) > 0 {
		// run put its own note first (how the DR operation token was made).
		m.res.Warnings = m.res.Warnings[1:]
	}
	st.joined = true
	m.secondaryID = m.secondary
	m.dra = drAttempt{} // spent
	return withState(m, stRejoin, st), nil
}

func (rejoinStep) result(m Model) []string {
	return []string{m.levelText(lvPass, m.secondary+" now follows "+m.primary+" as its DR secondary."),
		"  Next: watch it until it streams WALs. The failback is the same flow from " + m.primary + "."}
}

// afterDrill routes the drill: after the promotion the performance
// secondaries follow (each watched), then the old primary rejoins and is
// watched; then what next.
func (m Model) afterDrill() (step, bool) {
	switch m.step {
	case stFollow:
		if !m.already {
			return stWatch, true
		}
		return stRejoin, true
	case stWatch:
		if rejoinStateOf(m).joined {
			return stNext, true
		}
		if len(m.remainingFollowers()) > 0 {
			return stFollow, true
		}
		return stRejoin, true
	case stRejoin:
		return stWatch, true
	}
	return 0, false
}
