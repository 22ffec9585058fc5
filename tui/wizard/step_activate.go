package wizard

import (
	"context"
	"fmt"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// activateStep activates a secondary with the token in hand
// (…/secondary/enable), after the purge warning and the typed name.
type activateStep struct{}

type activateState struct {
	req      ops.EnableSecondaryRequest
	needAddr bool
	// primary is the configured cluster the token's addr claim (or the
	// chosen primary) points at.
	primary string
}

func init() { register(stActivate, activateStep{}) }

func (activateStep) crumb() string      { return "activate" }
func (activateStep) title(Model) string { return "activating a secondary" }
func (activateStep) verbText(m Model) string {
	return "activate " + typeName(m.typ) + " secondary"
}
func (activateStep) op(Model) ops.OpKind   { return ops.OpEnableSecondary }
func (activateStep) target(m Model) string { return m.secondary }

func (activateStep) enter(m Model) (Model, tea.Cmd) {
	if m.secondary == "" {
		return m.openSelect(fkTarget)
	}
	if !m.hasTok || m.tokUsed {
		return m.setForm(fkPaste, m.pasteForm())
	}
	return m.runChecks()
}

func (activateStep) preflight(m Model) (Model, tea.Cmd) {
	c, _ := m.cluster(m.secondary)
	m.tokInfo, m.tokErr = tokenInfoOf(m.tok)
	pri := m.activationPrimary()
	var others []Cluster
	if p, ok := m.cluster(pri); ok {
		others = append(others, p)
	}
	m.loading = "Pre-flight checks on " + m.secondary + " and the token's primary"
	return m, m.factsCmd(c, opCapPaths(m.typ, ops.OpEnableSecondary), true, others)
}

// activationPrimary is the configured cluster the token points at: its
// addr claim, else (a token generated here) the chosen primary.
func (m Model) activationPrimary() string {
	p := m.clusterByAddr(m.tokInfo.Addr)
	if p == "" && m.tokFromHere {
		p = m.primary
	}
	return p
}

func (activateStep) evaluate(m Model, msg factsMsg) Model {
	m.tokInfo, m.tokErr = tokenInfoOf(m.tok)
	s := state[activateState](m, stActivate)
	s.primary = m.activationPrimary()
	c, _ := m.cluster(m.secondary)
	a := activation{Token: m.tok.Token, Info: m.tokInfo, InfoErr: m.tokErr, FromHere: m.tokFromHere, PrimaryRef: s.primary,
		SecondaryID: m.secondaryID, SecondaryName: m.secondary}
	if p, ok := m.cluster(s.primary); ok {
		a.PrimaryAddr = p.Address
	}
	for i := range msg.others {
		if msg.others[i].Name == s.primary {
			a.Primary = &msg.others[i]
		}
	}
	m.checks, s.needAddr = checkActivate(msg.main, m.typ, c, a, m.d.Now())
	if !anyFailed(m.checks) && s.needAddr && m.v.addr == "" {
		// What the primary advertises first; else where vaultrepl reaches it.
		m.v.addr = orDefault(m.tokInfo.Addr, a.PrimaryAddr)
	}
	return withState(m, stActivate, s)
}

func (activateStep) inputs(m Model) *huh.Form {
	return m.activateInputs(state[activateState](m, stActivate).needAddr)
}

func (activateStep) request(m Model) Model {
	s := state[activateState](m, stActivate)
	v := m.v
	r := ops.EnableSecondaryRequest{Token: m.tok.Token}
	if s.needAddr {
		r.PrimaryAPIAddr = strings.TrimSpace(v.addr)
	}
	if v.tls == "yes" {
		r.CAFile, r.CAPath = strings.TrimSpace(v.caFile), strings.TrimSpace(v.caPath)
		r.ClientCertFile, r.ClientKeyFile = strings.TrimSpace(v.certFile), strings.TrimSpace(v.keyFile)
	}
	s.req = r
	return withState(m, stActivate, s)
}

func (activateStep) review(m Model) (before, after []string) {
	before = append([]string{m.st.Form.Prompt.Render("Review: activate " + m.secondary + " as a " + typeName(m.typ) + " secondary"), ""}, m.tokenLine()...)
	before = append(before, "")
	after = []string{m.levelText(lvWarn, "This purges "+m.secondary+". The next screen shows what it would lose.")}
	return before, after
}

func (activateStep) command(m Model) string {
	return cmdEnableSecondary(m.typ, state[activateState](m, stActivate).req)
}

func (activateStep) reviewAction(Model) string { return "purge warning" }

// needsConfirm: always, a purge (the table marks it destructive).
func (activateStep) confirmPrompt(m Model) string {
	return "Type " + m.secondary + " to purge it and activate it as a " + typeName(m.typ) + " secondary"
}

// confirmContext is the purge warning: the seed's wording, then what this
// cluster would lose as far as we can see, then the command.
func (activateStep) confirmContext(m Model) []string {
	st := m.st
	box := []string{
		st.Level(theme.LevelCrit).Render("WARNING: Enabling a secondary will purge its local data (including unseal and recovery keys) and sync entirely from the primary."),
	}
	inner := max(m.tw()-4, 20)
	var lines []string
	for _, b := range box {
		lines = append(lines, m.wrap(b, inner)...)
	}
	lines = append(lines, "", st.Form.Prompt.Render(m.secondary+" would lose:"))
	lines = append(lines, m.inventory(inner)...)
	out := strings.Split(st.Form.Danger.Width(inner+2).Render(strings.Join(lines, "\n")), "\n")
	return append(out, m.code(activateStep{}.command(m))...)
}

// fresh: the token's countdown may have run out while the operator read.
func (activateStep) fresh(m Model) bool { return m.tokenFresh() }

func (m Model) tokenFresh() bool {
	return m.tokErr == nil && m.tokInfo.Expires.After(m.d.Now())
}

func (activateStep) run(m Model) func(context.Context) writeMsg {
	c, _ := m.cluster(m.secondary)
	t, r := m.typ, state[activateState](m, stActivate).req
	return func(ctx context.Context) writeMsg {
		res, err := c.Op.EnableSecondary(ctx, t, r)
		return writeMsg{res: res, err: err}
	}
}

func (activateStep) running(m Model) string {
	return "Activating " + m.secondary + " (the primary's API must answer it to unwrap the token)"
}

// landed: the pre-flight required the type to be disabled on the target,
// so any other mode now is the activation's doing.
func (activateStep) landed(m Model, f facts) bool {
	if f.repl() == nil {
		return false
	}
	switch f.of(m.typ).Mode {
	case ops.ModeSecondary, ops.ModeBootstrapping:
		return true
	}
	return false
}

func (activateStep) done(m Model, _ writeMsg) (Model, tea.Cmd) {
	m.tokUsed = true
	m.tok.Token = "" // single-use: forget the secret as soon as it is spent
	s := state[activateState](m, stActivate)
	s.req.Token = ""
	m = withState(m, stActivate, s)
	m.loginFor, m.afterLogin = m.secondary, stNext
	return m.beginWatch()
}

func (activateStep) result(m Model) []string {
	out := []string{m.levelText(lvPass, m.secondary+" accepted the token and is becoming a "+typeName(m.typ)+" secondary of "+m.primary+".")}
	if len(m.res.Warnings) > 0 {
		out = append(out, m.warningLines()...)
	}
	out = append(out, "", m.watchLine(), "")
	if m.typ == ops.Performance {
		out = append(out, m.para("Its previous tokens are gone: tokens are local to each cluster and "+m.secondary+
			" was purged. Once it has synced you can log in there again through the auth methods replicated from "+m.primary+".")...)
	} else {
		out = append(out, m.para(m.secondary+" now holds the primary's tokens and answers only status requests until promoted: there is nothing to log in to.")...)
	}
	return out
}

// diagnose explains a failed activation by what the secondary quoted of
// its unwrap call (ops reads it) and what the primary's status shows.
func (activateStep) diagnose(m Model) (cause, fix string) {
	pri := state[activateState](m, stActivate).primary
	var d *facts
	for i := range m.others {
		if m.others[i].Name == pri {
			d = &m.others[i]
		}
	}
	name := "the primary"
	if d != nil {
		name = d.Name
		if cs, ok := usable(*d); !ok {
			last := cs[len(cs)-1]
			return "Likely cause: the primary " + d.Name + " did not answer (" + last.Detail + "), and the secondary must reach it to unwrap the token.",
				"bring " + d.Name + " back (or fix the network between the clusters), then r; the token is still valid until " + fmtTime(m.tokInfo.Expires)
		}
		if d.of(m.typ).Mode != ops.ModePrimary {
			return "Likely cause: " + d.Name + " is no longer a " + typeName(m.typ) + " primary.",
				"generate a new token on the current primary"
		}
	}
	switch ops.ActivationUnwrap(m.err) {
	case ops.UnwrapWrongVault:
		cause := "Likely cause: the address the secondary called is a Vault that did not sign this token"
		if d != nil {
			cause += ", not " + name
		}
		return cause + ".",
			"set primary_api_addr to the API address of the primary that issued the token, as the secondary can reach it, then r to review and retry"
	case ops.UnwrapRefused:
		return "Likely cause: " + name + " no longer accepts this token: it was already used, revoked or has expired.",
			"generate a new token and activate with that one"
	case ops.UnwrapUnknown, ops.UnwrapOther:
	}
	return "", ""
}

func (activateStep) explain(m Model) string {
	s := "Step 3: the secondary hands the token to its own Vault, which unwraps it at the primary, " +
		"throws away all of its own data (mounts, policies, tokens, even its unseal/recovery " +
		"configuration) and syncs everything from the primary."
	if m.typ == ops.Performance {
		s += " Afterwards, tokens issued by this cluster before are gone, and tokens from the primary " +
			"do not work here: log in again through a replicated auth method."
	} else {
		s += " Afterwards it answers only status requests until promoted."
	}
	return s
}

// inventory lists what the target has that the purge removes.
func (m Model) inventory(width int) []string {
	f := m.main
	var out []string
	item := func(k, v string) {
		for i, l := range m.wrap(v, max(width-18, 16)) {
			if i == 0 {
				out = append(out, fmt.Sprintf("  %-15s %s", k, l))
			} else {
				out = append(out, fmt.Sprintf("  %-15s %s", "", l))
			}
		}
	}
	var roles []string
	for _, t := range ops.ReplicationTypes {
		ts := f.of(t)
		r := typeName(t) + ": " + ts.Mode.String()
		if len(ts.KnownSecondaries) > 0 {
			r += " with secondaries " + strings.Join(ts.KnownSecondaries, ", ")
		}
		roles = append(roles, r)
	}
	item("replication", strings.Join(roles, "; "))
	item("secrets engines", mountList(f.Mounts, f.MountsErr))
	item("auth methods", mountList(f.Auth, f.AuthErr))
	if m.typ == ops.Performance {
		item("tokens, leases", "all of them (tokens are local to each cluster): log in again afterwards")
	} else {
		item("tokens, leases", "all of them, replaced by the primary's")
	}
	item("policies", "replaced by the primary's")
	item("unseal keys", "its seal/recovery configuration becomes the primary's")
	return out
}

func mountList(ms []ops.Mount, err error) string {
	if err != nil {
		what, _ := errText(err)
		return "could not read them (" + what + ")"
	}
	if len(ms) == 0 {
		return "none"
	}
	names := make([]string, 0, len(ms))
	for _, mt := range ms {
		n := mt.Path
		if mt.Type != "" && strings.TrimSuffix(mt.Path, "/") != mt.Type {
			n += " (" + mt.Type + ")"
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Sprintf("%d: %s", len(ms), strings.Join(names, ", "))
}

func (activateStep) heading(m Model) []string {
	return append([]string{m.st.Form.Prompt.Render("Activate " + m.secondary + " as a " + typeName(m.typ) + " secondary")}, m.tokenLine()...)
}
