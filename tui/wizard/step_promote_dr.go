package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// Steps of the failover flows. They are numbered apart from the setup's so
// that both lists can grow without touching each other.
const (
	stPromoteDR step = 40 + iota // promote a DR secondary with a DR operation token (step_promote_dr.go)
	stFollow                     // a performance secondary follows the new primary (step_follow.go)
)

// promoteDRStep is the disaster failover: get a DR operation token on the
// DR secondary (key shares, or a batch token made in advance) and promote
// it. m.secondary is the DR secondary; m.primary becomes it once promoted
// (and the old primary moves to m.secondary), so that the steps after it
// act on the new primary.
type promoteDRStep struct{}

// promoteInputs are bound to the form by pointer: Model values are copied.
type promoteInputs struct {
	method string // "shares" or "batch"
	secret string // key shares (space separated) or the batch token
	addr   string // primary_cluster_addr, optional
	fenced string // the typed "<old> is fenced"
}

type promoteState struct {
	old   string // the old DR primary ("" when not configured or unknown)
	fence fence
	in    *promoteInputs
	note  string // how the token was obtained (progress n/threshold)
}

func init() { register(stPromoteDR, promoteDRStep{}) }

func (promoteDRStep) crumb() string                { return "promote" }
func (promoteDRStep) title(Model) string           { return "promoting the DR secondary" }
func (promoteDRStep) op(Model) ops.OpKind          { return ops.OpPromote }
func (promoteDRStep) target(m Model) string        { return m.secondary }
func (promoteDRStep) landed(m Model, f facts) bool { return f.of(ops.DR).Mode == ops.ModePrimary }
func (promoteDRStep) running(m Model) string {
	return "Promoting " + m.secondary
}
func (promoteDRStep) reviewAction(m Model) string     { return "confirm" }
func (promoteDRStep) needsConfirm(m Model) bool       { return true }
func (promoteDRStep) confirmContext(m Model) []string { return m.code(promoteDRStep{}.command(m)) }
func (promoteDRStep) confirmPrompt(m Model) string {
	return "Type " + m.secondary + " to promote it to DR primary"
}
func promoteStateOf(m Model) promoteState   { return state[promoteState](m, stPromoteDR) }
func (promoteDRStep) request(m Model) Model { return m }
func (promoteDRStep) explain(m Model) string {
	return explainFailover + "\n\n" + strings.Join(drTokenExplain(), "\n")
}
func (promoteDRStep) verbText(m Model) string                 { return "promote " + m.secondary + " to DR primary" }
func (promoteDRStep) inputs(m Model) *huh.Form                { return m.promoteForm() }
func (promoteDRStep) review(m Model) (before, after []string) { return m.promoteReview() }

const explainFailover = "Disaster failover: the DR secondary holds a copy of everything, tokens and leases " +
	"included, and serves nothing until it is promoted. Promotion is authorised by a DR operation token, " +
	"because a DR secondary accepts no Vault token. There must never be two primaries of one replication " +
	"set: before promoting, make sure the old primary is down, sealed or demoted (fenced). If the old " +
	"primary was also the performance primary, the promoted cluster takes that role too, and the " +
	"performance secondaries must then be pointed at it with update-primary."

func (promoteDRStep) enter(m Model) (Model, tea.Cmd) {
	m.typ = ops.DR
	if m.secondary == "" {
		return m.openSelect(fkTarget)
	}
	m = withState(m, stPromoteDR, promoteState{in: &promoteInputs{method: "shares"}})
	return m.runChecks()
}

// proceed follows passing checks: how to get the DR operation token. A
// token already generated here for this cluster (and not yet spent) is
// kept: back from the review does not ask for the shares again.
func (promoteDRStep) proceed(m Model) (Model, tea.Cmd) {
	if m.dra.token != "" && m.dra.cluster == m.secondary {
		return m.showInputs()
	}
	st := promoteStateOf(m)
	if st.in == nil {
		st.in = &promoteInputs{method: "shares"}
		m = withState(m, stPromoteDR, st)
	}
	return m.setForm(fkNext, m.newForm(huh.NewGroup(huh.NewSelect[string]().Title("DR operation token").
		Description("A DR secondary accepts no Vault token: its promotion is authorised by a DR operation token.").
		Options(huh.NewOption("generate it here from key shares, one holder at a time", "shares"),
			huh.NewOption("paste a batch DR operation token made in advance", "batch")).
		Value(&st.in.method))))
}

// formDone: the token's method was chosen. Key shares start an attempt on
// the DR secondary; a share completes the next one.
func (promoteDRStep) formDone(m Model) (Model, tea.Cmd) {
	if m.dra.started {
		return m.sendShare()
	}
	m.form = nil
	if promoteStateOf(m).in.method == "shares" {
		return m.startDRToken(m.secondary)
	}
	return m.showInputs()
}

// view draws the key share screens; the write flow draws the rest.
func (promoteDRStep) view(m Model, avail int) (top, bottom []string) {
	if top, bottom := m.drTokenView(); top != nil || bottom != nil {
		return top, bottom
	}
	switch {
	case m.ph == phForm && m.fk == fkNext:
		// The choice of token, under the pre-flight's findings (the split
		// brain warning above all).
		return m.checkSummary(), append([]string{""}, m.formView()...)
	}
	return nil, nil
}

func (s promoteDRStep) askToken(m Model) (Model, tea.Cmd) { return s.proceed(m) }

func (promoteDRStep) preflight(m Model) (Model, tea.Cmd) {
	sec, _ := m.cluster(m.secondary)
	m.loading = "Pre-flight checks on " + m.secondary + " and its DR primary"
	// A DR secondary refuses capabilities-self: nothing to ask its policy.
	return m, m.factsCmd(sec, nil, false, m.othersThan(m.secondary))
}

func (promoteDRStep) evaluate(m Model, msg factsMsg) Model {
	st := promoteStateOf(m)
	if st.in == nil {
		st.in = &promoteInputs{method: "shares"}
	}
	f := msg.main
	cs, ok := usable(f)
	c, _ := m.cluster(m.secondary)
	switch {
	case !ok:
	case c.ReadOnly:
		cs = append(cs, fail("writable", m.secondary+" is read-only in the configuration", "remove read_only for this cluster"))
	case f.of(ops.DR).Mode == ops.ModePrimary:
		cs = append(cs, pass("mode", m.secondary+" is already a DR primary: nothing to promote"))
		m.already = true
	case f.of(ops.DR).Mode != ops.ModeSecondary:
		cs = append(cs, fail("mode", m.secondary+" is not a DR secondary ("+modePhrase(ops.DR, f.of(ops.DR).Mode)+")",
			"pick the DR secondary to promote"))
	default:
		cs = append(cs, pass("mode", m.secondary+" is a DR secondary"))
		if _, ok := m.opsOf(m.secondary); !ok {
			cs = append(cs, fail("client", "this cluster's client cannot promote", "run vaultrepl with a Vault client for it"))
		}
	}
	st.old = m.drPrimaryOf(m.secondary)
	var old facts
	for _, o := range msg.others {
		if o.Name == st.old && st.old != "" {
			old = o
		}
	}
	st.fence = fenceOf(old)
	switch st.fence {
	case fenceLive:
		cs = append(cs, warn("split brain", st.old+" still answers, unsealed, as the DR primary",
			"demote it first (on "+st.old+": "+ops.Lookup(ops.OpDemotePrimary).Command(ops.DR, "")+"), or type \""+
				fencePhrase(st.old)+"\" if clients can no longer reach it"))
	case fenceUnknown:
		cs = append(cs, warn("split brain", "the DR primary is not among the configured clusters",
			"make sure it is down, sealed or demoted; you will type \""+fencePhrase(st.old)+"\""))
	case fenceDown:
		cs = append(cs, pass("fenced", st.old+" does not answer (make sure clients cannot reach it either)"))
	case fenceSealed:
		cs = append(cs, pass("fenced", st.old+" is sealed"))
	case fenceDemoted:
		cs = append(cs, pass("fenced", st.old+" is no longer a DR primary"))
	}
	m.checks = cs
	return withState(m, stPromoteDR, st)
}

func (m Model) promoteForm() *huh.Form {
	st := promoteStateOf(m)
	in := st.in
	var fields []huh.Field
	if in.method == "batch" {
		fields = append(fields, huh.NewInput().Title("Batch DR operation token").
			Description("Made in advance on the primary (e to read how). Hidden as it is typed.").
			EchoMode(huh.EchoModePassword).
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("required")
				}
				return nil
			}).
			Value(&in.secret))
	}
	fields = append(fields,
		huh.NewInput().Title("primary_cluster_addr (optional)").
			Description("The cluster address secondaries will connect to, e.g. a load balancer.").
			Validate(optionalURL).Value(&in.addr))
	if !st.fence.fenced() {
		phrase := fencePhrase(st.old)
		fields = append(fields, huh.NewInput().Title("Type \""+phrase+"\"").
			Description("vaultrepl cannot see that the old primary is fenced: two primaries would diverge.").
			Validate(func(s string) error {
				if strings.TrimSpace(s) != phrase {
					return fmt.Errorf("type %q", phrase)
				}
				return nil
			}).Value(&in.fenced))
	}
	return m.newForm(huh.NewGroup(fields...))
}

func (m Model) promoteReview() (before, after []string) {
	st := promoteStateOf(m)
	before = []string{m.st.Form.Prompt.Render("Review: promote " + m.secondary + " to DR primary"), ""}
	if st.in != nil && st.in.method == "shares" {
		before = append(before, m.levelText(lvPass, "DR operation token: "+m.dra.progressText()+", decoded here with the one-time pad."), "")
	}
	after = m.para("Vault is unavailable for a brief period while the role changes. The old primary's " +
		"performance role, if it had one, moves to " + m.secondary + ".")
	if st.old != "" && !st.fence.fenced() {
		after = append(after, m.levelText(lvWarn, "You confirmed that "+st.old+" is fenced."))
	}
	return before, after
}

func (promoteDRStep) command(m Model) string {
	st := promoteStateOf(m)
	promote := ops.Lookup(ops.OpPromote).Command(ops.DR, "", ops.Arg{Key: "dr_operation_token", Value: "token"},
		ops.Arg{Key: "primary_cluster_addr", Value: strings.TrimSpace(st.in.addr)})
	return promote
}

func (promoteDRStep) run(m Model) func(context.Context) writeMsg {
	st := promoteStateOf(m)
	fo, _ := m.opsOf(m.secondary)
	tok, note, addr := strings.TrimSpace(st.in.secret), "batch DR operation token", strings.TrimSpace(st.in.addr)
	if st.in.method == "shares" {
		tok, note = m.dra.token, "DR operation token generated from "+m.dra.progressText()+" and decoded locally"
	}
	return func(ctx context.Context) writeMsg {
		if fo == nil {
			return writeMsg{err: errors.New("no client for the DR secondary")}
		}
		if tok == "" {
			return writeMsg{err: &ops.Error{Class: ops.ErrBadRequest, Op: "promote DR secondary", Messages: []string{"no DR operation token in hand"}}}
		}
		res, err := fo.Promote(ctx, ops.DR, ops.PromoteRequest{DROperationToken: tok, PrimaryClusterAddr: addr})
		res.Warnings = append([]string{note}, res.Warnings...)
		return writeMsg{res: res, err: err}
	}
}

func (promoteDRStep) done(m Model, msg writeMsg) (Model, tea.Cmd) {
	st := promoteStateOf(m)
	if len(msg.res.Warnings) > 0 {
		// run put its own note first; Vault's warnings follow it.
		st.note = msg.res.Warnings[0]
		m.res.Warnings = m.res.Warnings[1:]
	}
	st.in.secret = ""
	m = withState(m, stPromoteDR, st)
	// The token is spent: forget it.
	m.dra = drAttempt{}
	// From here on the promoted cluster is the primary.
	m.primary, m.secondary = m.secondary, st.old
	return m, nil
}

func (promoteDRStep) result(m Model) []string {
	st := promoteStateOf(m)
	c, _ := m.cluster(m.primary)
	out := []string{m.levelText(lvPass, m.primary+" was promoted to DR primary.")}
	if st.note != "" {
		out = append(out, "  "+st.note)
	}
	for _, l := range clientAdvice(ops.DR, st.old, m.primary, c.Address) {
		out = append(out, m.para(l)...)
	}
	if n := len(m.followers(m.primary)); n > 0 || m.survey[m.primary].of(ops.Performance).Mode == ops.ModePrimary {
		out = append(out, m.para("Next: the performance secondaries follow "+m.primary+", one by one.")...)
	}
	return out
}
