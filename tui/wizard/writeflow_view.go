package wizard

import (
	"strings"

	"github.com/vaultrepl/vaultrepl/ops"
)

// The write flow's screens: review, confirmation, the write in flight and
// its result. What a step says on them comes from the step; the command
// comes from ops' table through the step.

// reviewView is the step's text, then the exact command against its
// cluster, secrets masked.
func (m Model) reviewView(ws writeStep) []string {
	st := m.st
	before, after := ws.review(m)
	out := append([]string(nil), before...)
	head := "The equivalent command:"
	if secrets := ops.Lookup(ws.op(m)).Secrets; len(secrets) > 0 && strings.Contains(ws.command(m), ops.Masked) {
		head = "The equivalent command (" + strings.Join(secrets, ", ") + " masked):"
	}
	cmd := ws.command(m)
	if strings.HasPrefix(cmd, "# on ") {
		// A command that runs on several clusters names each where its
		// part starts: the address goes there, not in one header line that
		// would name the wrong cluster for the first part.
		out = append(out, head)
		cmd = m.withAddrs(cmd)
	} else {
		c, _ := m.cluster(ws.target(m))
		out = append(out, head, "  "+st.Muted.Render(vaultAddr(c)))
	}
	out = append(out, m.code(cmd)...)
	out = append(out, "")
	return append(out, after...)
}

func (m Model) reviewHint(ws writeStep) string {
	action := "send"
	if r, ok := ws.(reviewHinter); ok {
		action = r.reviewAction(m)
	} else if m.needsConfirm(ws) {
		action = "confirm"
	}
	if action == "purge warning" {
		return m.st.Form.Prompt.Render("enter: continue to the purge warning   esc: change the inputs")
	}
	if ws.inputs(m) == nil {
		return m.st.Form.Prompt.Render("enter: " + action + "   esc: back")
	}
	return m.st.Form.Prompt.Render("enter: " + action + "   esc: change the inputs")
}

// reviewAction is the review's enter, for the help line.
func (m Model) reviewAction() string {
	ws, ok := m.writer()
	if !ok {
		if m.step == stVerify {
			return "start the check"
		}
		return "continue"
	}
	if r, ok := ws.(reviewHinter); ok {
		return r.reviewAction(m)
	}
	if m.needsConfirm(ws) {
		return "confirm"
	}
	return "send"
}

// confirmContext is shown above the typed confirmation.
func (m Model) confirmContext() []string {
	ws, ok := m.writer()
	if !ok {
		return nil
	}
	if c, ok := ws.(confirmer); ok {
		return c.confirmContext(m)
	}
	out := []string{}
	if ops.Lookup(ws.op(m)).Destructive {
		out = append(out, m.levelText(lvWarn, "This changes "+ws.target(m)+"'s role or data: type its name to go on."), "")
	} else {
		out = append(out, m.levelText(lvWarn, ws.target(m)+" is a PROTECTED cluster."), "")
	}
	return append(out, m.code(ws.command(m))...)
}

func (m Model) runningView(ws writeStep) []string {
	what := m.stepVerb() + " on " + ws.target(m)
	if r, ok := ws.(runner); ok {
		what = r.running(m)
	}
	return append([]string{""}, m.para(m.spinner()+" "+what+" "+m.st.Glyphs.Ellipsis)...)
}

func (m Model) warningLines() []string {
	out := []string{"", m.st.Muted.Render("Vault says:")}
	for _, w := range m.res.Warnings {
		out = append(out, m.indent("  ", w)...)
	}
	return out
}

// resultView is the outcome of the write: the step's success screen, or the
// failure with a diagnosis.
func (m Model) resultView() []string {
	st := m.st
	ws, isWrite := m.writer()
	if m.err != nil {
		return m.failureView(ws, isWrite)
	}
	if !isWrite {
		return nil
	}
	var out []string
	if m.landed != nil {
		out = append(out, m.para(m.levelText(lvWarn, "The reply was lost ("+errSummary(m.landed)+"), but "+ws.target(m)+
			" read again shows that the write took effect. Nothing was sent twice."))...)
		out = append(out, "")
	}
	out = append(out, ws.result(m)...)
	if len(m.res.Warnings) > 0 && m.step != stActivate {
		out = append(out, m.warningLines()...)
	}
	return append(out, "", st.Form.Prompt.Render("enter: continue with "+m.stepName(m.stepAfter())))
}

// failureView explains a failed write: what Vault (or the network) said,
// the likely cause by error class (and the step's own diagnosis), and, after
// an unclear reply, what a fresh read of the cluster showed.
func (m Model) failureView(ws writeStep, isWrite bool) []string {
	st := m.st
	what, fix := errText(m.err)
	out := []string{st.Form.Error.Render(m.glyph(lvFail) + " " + m.stepVerb() + " failed"), ""}
	out = append(out, m.para(what)...)
	cause, cfix := classDiagnosis(m, ws, isWrite)
	if isWrite {
		if d, ok := ws.(diagnoser); ok {
			if c, f := d.diagnose(m); c != "" {
				cause, cfix = c, f
			}
		}
	}
	if cause != "" {
		out = append(out, "")
		out = append(out, m.para(m.levelText(lvWarn, cause))...)
		if cfix != "" {
			fix = cfix
		}
	}
	if m.rechecked && isWrite {
		out = append(out, "")
		if anyFailed(m.checks) {
			out = append(out, m.para(st.Muted.Render(ws.target(m)+" read again; the pre-flight now finds:"))...)
			for _, c := range m.checks {
				if c.Level == lvFail || c.Level == lvWarn {
					out = append(out, m.para(m.levelText(c.Level, c.Title+": "+c.Detail))...)
				}
			}
		} else {
			out = append(out, m.para(m.levelText(lvInfo, ws.target(m)+" read again: the write did not take effect, and the pre-flight passes."))...)
		}
	}
	if fix != "" {
		out = append(out, m.para(st.Pane.Hint.Render("what to do: "+fix))...)
	}
	out = append(out, "")
	out = append(out, m.para(st.Muted.Render("Nothing is retried automatically: a write may have had effects even when it failed."))...)
	if m.retryBlocked() {
		return append(out, "", st.Form.Prompt.Render("r: re-check   esc: back"))
	}
	return append(out, "", st.Form.Prompt.Render("r: review and retry   esc: back"))
}

// classDiagnosis is the failure's likely cause by its ops error class.
func classDiagnosis(m Model, ws writeStep, isWrite bool) (cause, fix string) {
	target := m.primary
	path, need := "", []string(nil)
	if isWrite {
		target = ws.target(m)
		o := ops.Lookup(ws.op(m))
		path, need = o.PathFor(m.typ), o.NeedsCapabilities(m.typ)
	}
	switch ops.ClassOf(m.err) {
	case ops.ErrPermissionDenied:
		if len(need) > 0 {
			return "The token's policy on " + target + " does not allow this write.",
				"use a token whose policy grants " + quoteList(need) + " on " + path
		}
	case ops.ErrInvalidToken:
		return "The token is not valid on " + target + " (expired, revoked, or from before a purge).",
			"log in again: tokens are local to each performance cluster"
	case ops.ErrReadOnly:
		return "Nothing was sent: vaultrepl refuses writes to " + target + ".", ""
	case ops.ErrSealed:
		return target + " is sealed: Vault refused the write without acting on it.", "unseal it, then r"
	case ops.ErrUnreachable, ops.ErrTimeout, ops.ErrServer, ops.ErrMalformed, ops.ErrCanceled, ops.ErrUnknownClass:
		if !m.rechecked {
			break
		}
		cause = "No clear reply: the write may or may not have reached Vault. vaultrepl read " + target + " again before saying anything."
		if anyFailed(m.checks) {
			return cause, "fix what the pre-flight found, then r to re-check"
		}
		return cause, "nothing changed on " + target + ", so sending it again is safe: r shows the review first, and nothing is sent before you confirm"
	case ops.ErrTLS, ops.ErrCommunityEdition, ops.ErrDRSecondary, ops.ErrUnsupported, ops.ErrNotFound,
		ops.ErrBadRequest, ops.ErrRateLimited, ops.ErrStandby, ops.ErrTooLarge, ops.ErrConfig,
		ops.ErrStatusDisabled, ops.ErrNotCaughtUp:
	}
	return "", ""
}

// errSummary is an error's one-line class summary (never a secret: ops
// errors carry none).
func errSummary(err error) string {
	what, _ := errText(err)
	return what
}

// withAddrs turns each "# on <cluster>" line of a command into the
// cluster's "export VAULT_ADDR=" line.
func (m Model) withAddrs(cmd string) string {
	lines := strings.Split(cmd, "\n")
	for i, l := range lines {
		name, ok := strings.CutPrefix(l, "# on ")
		if !ok {
			continue
		}
		if c, ok := m.cluster(strings.TrimSpace(name)); ok {
			lines[i] = vaultAddr(c)
		}
	}
	return strings.Join(lines, "\n")
}
