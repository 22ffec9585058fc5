package wizard

import (
	"context"
	"errors"
	"slices"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// stRevoke revokes a secondary's activation on the primary (m.primary).
// It is how the "token never used" finding and an abandoned activation
// token are cleared: Start.SecondaryID preselects the id.
const stRevoke step = 42

type revokeStep struct{}

type revokeState struct {
	in *struct{ id string }
}

func init() { register(stRevoke, revokeStep{}) }

func revokeStateOf(m Model) revokeState { return state[revokeState](m, stRevoke) }

func (revokeStep) crumb() string         { return "revoke" }
func (revokeStep) title(Model) string    { return "revoking a secondary" }
func (revokeStep) op(Model) ops.OpKind   { return ops.OpRevokeSecondary }
func (revokeStep) target(m Model) string { return m.primary }
func (revokeStep) reviewAction(Model) string {
	return "confirm"
}
func (revokeStep) verbText(m Model) string {
	return "revoke secondary " + revokeStateOf(m).in.id + " on " + m.primary
}
func (revokeStep) request(m Model) Model { return m }

func (revokeStep) explain(Model) string {
	return "Revoking a secondary cuts it off at once and removes its id from the primary's known_secondaries. " +
		"An activation token that was never used is revoked the same way: its id stays in known_secondaries, " +
		"and the token stays usable until it expires, until it is revoked. A revoked secondary needs a new " +
		"activation token (and, for a performance secondary, a purge) to come back."
}

func (revokeStep) enter(m Model) (Model, tea.Cmd) {
	if m.primary == "" {
		return m.openSelect(fkPrimary)
	}
	m = withState(m, stRevoke, revokeState{in: &struct{ id string }{id: m.secondaryID}})
	return m.runChecks()
}

func (revokeStep) preflight(m Model) (Model, tea.Cmd) {
	c, _ := m.cluster(m.primary)
	m.loading = "Pre-flight checks on " + m.primary
	return m, m.factsCmd(c, opCapPaths(m.typ, ops.OpRevokeSecondary), false, nil)
}

func (revokeStep) evaluate(m Model, msg factsMsg) Model {
	f := msg.main
	cs, ok := usable(f)
	c, _ := m.cluster(m.primary)
	ts := f.of(m.typ)
	st := revokeStateOf(m)
	if st.in == nil { // the primary was chosen on a select, not preset
		st.in = &struct{ id string }{id: m.secondaryID}
		m = withState(m, stRevoke, st)
	}
	switch {
	case !ok:
	case c.ReadOnly:
		cs = append(cs, fail("writable", m.primary+" is read-only in the configuration", "remove read_only for this cluster"))
	case ts.Mode != ops.ModePrimary:
		cs = append(cs, fail("mode", m.primary+" is not a "+typeName(m.typ)+" primary", "revoke on the primary that issued the token"))
	case len(ts.KnownSecondaries) == 0:
		cs = append(cs, pass("secondaries", m.primary+" knows no secondary: nothing to revoke"))
		m.already = true
	case st.in != nil && st.in.id != "" && !slices.Contains(ts.KnownSecondaries, st.in.id):
		cs = append(cs, pass("secondaries", st.in.id+" is not among "+m.primary+"'s known secondaries: already revoked"))
		m.already = true
	default:
		cs = append(cs, pass("mode", m.primary+" is a "+typeName(m.typ)+" primary"))
		if c, ok := opCapCheck(f, ops.OpRevokeSecondary, m.typ); ok {
			cs = append(cs, c)
		}
	}
	m.checks = cs
	return m
}

// neverConnected reports whether the primary has never heard from id: a
// token issued and never used.
func neverConnected(ts ops.TypeStatus, id string) bool {
	return !slices.ContainsFunc(ts.Secondaries, func(p ops.Peer) bool { return p.NodeID == id })
}

func (revokeStep) inputs(m Model) *huh.Form {
	st := revokeStateOf(m)
	ts := m.survey[m.primary].of(m.typ)
	var opts []huh.Option[string]
	for _, id := range ts.KnownSecondaries {
		label := id
		if neverConnected(ts, id) {
			label += "  (token never used)"
		}
		opts = append(opts, huh.NewOption(label, id))
	}
	if st.in.id == "" && len(opts) > 0 {
		st.in.id = opts[0].Value
	}
	return m.newForm(huh.NewGroup(huh.NewSelect[string]().Title("Secondary to revoke on " + m.primary).
		Options(opts...).Value(&st.in.id)))
}

func (revokeStep) review(m Model) (before, after []string) {
	id := revokeStateOf(m).in.id
	before = []string{m.st.Form.Prompt.Render("Review: revoke " + id + " on " + m.primary), ""}
	ts := m.survey[m.primary].of(m.typ)
	if neverConnected(ts, id) {
		after = m.para(id + " never connected: its activation token is revoked and its id leaves known_secondaries.")
	} else {
		after = m.para(id + " is cut off at once; to come back it needs a new activation token.")
	}
	return before, after
}

func (revokeStep) command(m Model) string {
	return ops.Lookup(ops.OpRevokeSecondary).Command(m.typ, "", ops.Arg{Key: "id", Value: revokeStateOf(m).in.id})
}

func (revokeStep) confirmPrompt(m Model) string {
	return "Type " + m.primary + " to revoke " + revokeStateOf(m).in.id + " on it"
}
func (revokeStep) confirmContext(m Model) []string { return m.code(revokeStep{}.command(m)) }

func (revokeStep) run(m Model) func(context.Context) writeMsg {
	fo, _ := m.opsOf(m.primary)
	t, id := m.typ, revokeStateOf(m).in.id
	return func(ctx context.Context) writeMsg {
		if fo == nil {
			return writeMsg{err: errors.New("no client for the primary")}
		}
		res, err := fo.RevokeSecondary(ctx, t, id)
		return writeMsg{res: res, err: err}
	}
}

func (revokeStep) landed(m Model, f facts) bool {
	return f.repl() != nil && !slices.Contains(f.of(m.typ).KnownSecondaries, revokeStateOf(m).in.id)
}

// done forgets an activation token of this run that was just revoked: it
// can no longer activate anything, so leaving no longer loses it.
func (revokeStep) done(m Model, _ writeMsg) (Model, tea.Cmd) {
	if m.hasTok && m.tok.ID == revokeStateOf(m).in.id {
		m.tok, m.hasTok, m.tokFromHere, m.revealed = ops.ActivationToken{}, false, false, false
	}
	return m, nil
}

func (revokeStep) result(m Model) []string {
	return []string{m.levelText(lvPass, revokeStateOf(m).in.id+" was revoked on "+m.primary+".")}
}
