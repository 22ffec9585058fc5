package wizard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// tokenStep generates a secondary activation token on the primary
// (…/primary/secondary-token) and shows it once.
type tokenStep struct{}

type tokenState struct {
	req ops.SecondaryTokenRequest
}

func init() { register(stToken, tokenStep{}) }

func (tokenStep) crumb() string         { return "token" }
func (tokenStep) title(Model) string    { return "generating a secondary activation token" }
func (tokenStep) verbText(Model) string { return "generate a secondary activation token" }
func (tokenStep) op(Model) ops.OpKind   { return ops.OpSecondaryToken }
func (tokenStep) target(m Model) string { return m.primary }

func (tokenStep) enter(m Model) (Model, tea.Cmd) {
	if m.primary == "" {
		return m.openSelect(fkPrimary)
	}
	return m.runChecks()
}

func (tokenStep) preflight(m Model) (Model, tea.Cmd) {
	c, _ := m.cluster(m.primary)
	m.loading = "Pre-flight checks on " + m.primary
	return m, m.factsCmd(c, opCapPaths(m.typ, ops.OpSecondaryToken), false, m.othersThan(m.primary))
}

func (tokenStep) evaluate(m Model, msg factsMsg) Model {
	m.checks = checkSecondaryToken(msg.main, m.typ)
	return m
}

// proceed asks which cluster the token is for (it names the id) first.
func (tokenStep) proceed(m Model) (Model, tea.Cmd) {
	if m.secondary == "" && !m.askedSec {
		return m.showSelect(fkTarget)
	}
	return m.showTokenInputs()
}

func (m Model) showTokenInputs() (Model, tea.Cmd) {
	known := m.main.of(m.typ).KnownSecondaries
	if m.v.id == "" || validateSecondaryID(m.v.id, known) != nil {
		m.v.id = suggestID(m.secondary, known)
	}
	return m.setForm(fkInputs, m.tokenInputs(known))
}

// suggestID proposes the secondary's cluster name as its id, made unique.
func suggestID(name string, known []string) string {
	if name == "" {
		return ""
	}
	id := name
	for i := 2; validateSecondaryID(id, known) != nil; i++ {
		id = fmt.Sprintf("%s-%d", name, i)
	}
	return id
}

func (tokenStep) inputs(m Model) *huh.Form { return m.tokenInputs(m.main.of(m.typ).KnownSecondaries) }

func (tokenStep) request(m Model) Model {
	ttl := defaultTTL
	if s := strings.TrimSpace(m.v.ttl); s != "" {
		ttl, _ = time.ParseDuration(s) // validated by the form
	}
	return withState(m, stToken, tokenState{req: ops.SecondaryTokenRequest{ID: strings.TrimSpace(m.v.id), TTL: ttl}})
}

func (tokenStep) review(m Model) (before, after []string) {
	r := state[tokenState](m, stToken).req
	before = []string{m.st.Form.Prompt.Render("Review: generate a " + typeName(m.typ) + " activation token on " + m.primary), "",
		fmt.Sprintf("  id   %s", r.ID), fmt.Sprintf("  ttl  %s", shortDuration(r.TTL)), ""}
	after = m.para(fmt.Sprintf("%q is added to %s's known_secondaries at once, whether or not the token is ever used. The token is shown once on the next screen.", r.ID, m.primary))
	return before, after
}

func (tokenStep) command(m Model) string {
	r := state[tokenState](m, stToken).req
	return cmdSecondaryToken(m.typ, r.ID, r.TTL)
}

func (tokenStep) reviewAction(Model) string { return "generate" }

func (tokenStep) run(m Model) func(context.Context) writeMsg {
	c, _ := m.cluster(m.primary)
	t, r := m.typ, state[tokenState](m, stToken).req
	return func(ctx context.Context) writeMsg {
		tok, err := c.Op.SecondaryToken(ctx, t, r)
		return writeMsg{tok: tok, err: err}
	}
}

func (tokenStep) running(m Model) string { return "Generating the activation token on " + m.primary }

// landed is never true: the token is in the reply, so a lost reply is a lost
// token even when the primary issued it (diagnose says what to do then).
func (tokenStep) landed(Model, facts) bool { return false }

func (tokenStep) done(m Model, msg writeMsg) (Model, tea.Cmd) {
	m.tok, m.hasTok, m.tokFromHere, m.tokUsed, m.revealed = msg.tok, true, true, false, false
	if m.tok.ID == "" {
		m.tok.ID = state[tokenState](m, stToken).req.ID
	}
	m.secondaryID = m.tok.ID
	m.tokInfo, m.tokErr = tokenInfoOf(m.tok)
	m.ph = phToken
	return m, nil
}

func (tokenStep) result(Model) []string { return nil }

// diagnose: after an unclear reply, an id that now is among the known
// secondaries means the primary issued a token nobody received.
func (tokenStep) diagnose(m Model) (cause, fix string) {
	id := state[tokenState](m, stToken).req.ID
	if !m.rechecked || !slices.Contains(m.main.of(m.typ).KnownSecondaries, id) {
		return "", ""
	}
	return fmt.Sprintf("%s issued a token for %q (the id is in its known_secondaries now), but the reply carrying it was lost: nobody has that token.", m.primary, id),
		"generate another token (r, with a new id); the lost one expires by itself, or revoke it: " + cmdRevokeSecondary(m.typ, id)
}

func (tokenStep) key(m Model, k tea.KeyMsg) (Model, tea.Cmd) {
	if m.ph != phToken {
		return m, nil
	}
	switch {
	case key.Matches(k, m.keys.Reveal):
		m.revealed = !m.revealed
	case key.Matches(k, m.keys.Copy):
		return m, copyCmd(m.d.Copy, m.tok.Token)
	case key.Matches(k, m.keys.Save):
		return m.setForm(fkSave, m.saveForm(m.defaultSavePath()))
	case key.Matches(k, m.keys.Next):
		m.revealed = false
		return m.enterStep(stActivate)
	}
	return m, nil
}

func (tokenStep) view(m Model, _ int) (top, bottom []string) {
	if m.ph != phToken {
		return nil, nil
	}
	return m.tokenView(), nil
}

func (tokenStep) explain(Model) string {
	return "Step 2: the primary issues a single-use activation token for one secondary. It is a " +
		"response-wrapped JWT: it carries the primary's API address (addr) and expiry (exp), and the " +
		"secondary unwraps it by calling the primary. Its id is added to known_secondaries at once. " +
		"Generating it needs the sudo capability."
}

func (m Model) tokenView() []string {
	st := m.st
	in := m.tokInfo
	out := []string{m.levelText(lvPass, fmt.Sprintf("Activation token generated on %s for secondary id %q", m.primary, m.tok.ID)), ""}
	if m.revealed {
		out = append(out, "  "+st.Muted.Render("token"))
		for _, l := range wrapHard(m.tok.Token, m.width-4) {
			out = append(out, "  "+st.Form.Secret.Render(l))
		}
	} else {
		out = append(out, "  "+st.Muted.Render("token    ")+st.Form.Secret.Render(maskedToken(m.tok.Token)))
	}
	ttl := m.tok.TTL
	if ttl == 0 {
		ttl = in.Expires.Sub(in.IssuedAt)
	}
	out = append(out,
		"  "+st.Muted.Render("ttl      ")+shortDuration(ttl),
		"  "+st.Muted.Render("expires  ")+m.countdown(in),
	)
	if in.Addr != "" {
		out = append(out, "  "+st.Muted.Render("primary  ")+in.Addr+st.Muted.Render("  (the token's addr claim)"))
	}
	out = append(out, "")
	out = append(out, m.para("Shown once. It is carried into the next step: you do not need to paste it. Copy or save it only to activate a cluster from elsewhere.")...)
	return append(out, "", st.Form.Prompt.Render("enter: activate a secondary with it   v: reveal/hide   y: copy   s: save"))
}

func (tokenStep) heading(m Model) []string {
	who := m.secondary
	if who == "" {
		who = "a secondary"
	}
	return []string{m.st.Form.Prompt.Render("Generate an activation token on " + m.primary + " for " + who)}
}
