package wizard

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/x/ansi"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// View renders the wizard in the area given by SetSize. It is a pure
// function of the model and Deps.Now.
func (m Model) View() string {
	if m.closed {
		return ""
	}
	head := m.header()
	foot := m.footer()
	avail := m.height - len(head) - len(foot)
	var top, bottom []string
	switch {
	case m.closing:
		top = m.closePrompt()
	case m.fullHelp:
		top = m.fullHelpView()
	default:
		top, bottom = m.body(avail)
	}
	var expl []string
	if m.explain && !m.fullHelp {
		if e := m.explanation(); e != "" {
			expl = append([]string{""}, m.wrap(m.st.Muted.Render("Training: ")+e, m.tw())...)
		}
	}
	if len(top)+len(bottom)+len(expl) > avail && len(expl) > 0 {
		expl = []string{"", m.st.Muted.Render("(training text hidden: not enough room; enlarge the terminal)")}
	}
	if len(top)+len(bottom)+len(expl) > avail {
		keep := max(avail-len(bottom)-len(expl)-1, 1)
		if keep < len(top) {
			hidden := len(top) - keep
			top = append(top[:keep:keep], m.st.Muted.Render(fmt.Sprintf("%s %d more line%s: enlarge the terminal", m.st.Glyphs.Ellipsis, hidden, plural(hidden, "", "s"))))
		}
	}
	lines := append(append(append(head, top...), bottom...), expl...)
	for len(lines) < m.height-len(foot) {
		lines = append(lines, "")
	}
	lines = append(lines, foot...)
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.width, "")
	}
	return strings.Join(lines, "\n")
}

// wrap word-wraps s to width and returns its lines. It breaks only at
// spaces (names such as us-east-1 and command arguments stay whole) and
// hard-breaks only a word longer than the line.
func (m Model) wrap(s string, width int) []string {
	width = max(width, 10)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line, lw := "", 0
		for _, w := range strings.Split(para, " ") {
			ww := ansi.StringWidth(w)
			switch {
			case lw == 0:
				line, lw = w, ww
			case lw+1+ww <= width:
				line, lw = line+" "+w, lw+1+ww
			default:
				out = append(out, line)
				line, lw = w, ww
			}
			for lw > width {
				out = append(out, ansi.Truncate(line, width, ""))
				line = ansi.TruncateLeft(line, width, "")
				lw = ansi.StringWidth(line)
			}
		}
		out = append(out, line)
	}
	return out
}

func (m Model) para(s string) []string { return m.wrap(s, m.tw()) }

// tw is the width of running text: the screen's, but no wider than lines
// people read comfortably on a wide terminal.
func (m Model) tw() int { return min(m.width-2, 100) }

// code renders a vault command, never cut at the screen's edge: long ones
// are split with shell line continuations, so that a copied command still
// runs.
func (m Model) code(cmd string) []string {
	lines := wrapArgs(cmd, m.tw()-8)
	for i, l := range lines {
		prefix := "  "
		if i > 0 {
			prefix = "      "
		}
		if i < len(lines)-1 {
			l += " \\"
		}
		lines[i] = prefix + m.st.Form.Code.Render(l)
	}
	return lines
}

// wrapArgs splits a command line only at spaces outside double quotes, so
// that a continuation never lands inside a quoted argument.
func wrapArgs(cmd string, width int) []string {
	var args []string
	start, quoted := 0, false
	for i, r := range cmd {
		switch {
		case r == '"' && (i == 0 || cmd[i-1] != '\\'):
			quoted = !quoted
		case r == ' ' && !quoted:
			args = append(args, cmd[start:i])
			start = i + 1
		}
	}
	args = append(args, cmd[start:])
	var lines []string
	line := ""
	for _, a := range args {
		switch {
		case line == "":
			line = a
		case ansi.StringWidth(line)+1+ansi.StringWidth(a) <= width:
			line += " " + a
		default:
			lines = append(lines, line)
			line = a
		}
	}
	return append(lines, line)
}

// indent wraps s to the width left after prefix and prefixes every line.
func (m Model) indent(prefix, s string) []string {
	lines := m.wrap(s, m.tw()-ansi.StringWidth(prefix))
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return lines
}

func (m Model) header() []string {
	st := m.st
	title := st.Form.Title.Render(m.Title())
	right := ""
	if m.explain {
		right = st.Muted.Render("training mode")
	}
	gap := max(m.width-ansi.StringWidth(title)-ansi.StringWidth(right), 1)
	line1 := title + strings.Repeat(" ", gap) + right
	rule := "─"
	if st.ASCII {
		rule = "-"
	}
	return []string{line1, m.crumbs(), st.Muted.Render(strings.Repeat(rule, m.width))}
}

// crumbs shows where the operator is in the setup.
func (m Model) crumbs() string {
	st := m.st
	type crumb struct {
		s    step
		name string
	}
	all := []crumb{{stPrimary, "primary"}, {stToken, "token"}, {stActivate, "activate"}, {stWatch, "watch"}}
	if m.typ == ops.Performance {
		all = append(all, crumb{stLogin, "log in"})
	}
	all = append(all, crumb{stVerify, "verify"})
	if m.step == stType {
		return st.Form.Step.Render("choose the replication type")
	}
	var parts []string
	cur := m.step
	if cur == stNext {
		cur = stVerify
	}
	for _, c := range all {
		switch {
		case c.s == cur:
			parts = append(parts, st.Accent.Render(st.Glyphs.Focus+" "+c.name))
		case c.s < cur && m.seen&(1<<c.s) != 0:
			parts = append(parts, st.Level(theme.LevelOK).Render(st.Glyphs.OK+" "+c.name))
		default:
			parts = append(parts, st.Form.Step.Render("  "+c.name))
		}
	}
	return strings.Join(parts, st.Form.Step.Render("  "))
}

func (m Model) footer() []string {
	var out []string
	if m.note != "" && !m.closing {
		out = append(out, m.para(m.levelText(m.noteLevel, m.note))...)
	}
	h := help.New()
	h.Width = m.width
	hs := m.st.Help
	h.Styles = help.Styles{
		Ellipsis: hs.Ellipsis, ShortKey: hs.Key, ShortDesc: hs.Desc, ShortSeparator: hs.Sep,
		FullKey: hs.Key, FullDesc: hs.Desc, FullSeparator: hs.Sep,
	}
	out = append(out, h.ShortHelpView(m.ShortHelp()))
	return out
}

// levelText renders a glyph, a word-free message, in the level's colour.
func (m Model) levelText(l level, s string) string {
	return m.st.Level(themeLevel(l)).Render(m.glyph(l) + " " + s)
}

func (m Model) glyph(l level) string {
	if l == lvInfo {
		return "i"
	}
	return m.st.Glyphs.Level(themeLevel(l))
}

func themeLevel(l level) theme.Level {
	switch l {
	case lvPass:
		return theme.LevelOK
	case lvWarn:
		return theme.LevelWarn
	case lvFail:
		return theme.LevelCrit
	case lvInfo:
		return theme.LevelSyncing
	}
	return theme.LevelUnknown
}

func (m Model) spinner() string {
	frames := spinner.Line.Frames
	return m.st.Accent.Render(frames[m.frame%len(frames)])
}

func (m Model) closePrompt() []string {
	out := []string{"", m.st.Form.Prompt.Render("Leave the wizard?")}
	switch {
	case m.hasTok && m.tokFromHere && !m.tokUsed:
		out = append(out, m.para(fmt.Sprintf("The activation token for %q has not been used and will be lost. It stays valid on %s until it expires (%s); to revoke it:",
			m.tok.ID, m.primary, fmtTime(m.tokInfo.Expires)))...)
		out = append(out, m.code(cmdRevokeSecondary(m.typ, m.tok.ID))...)
	case m.watching():
		out = append(out, m.para("Replication keeps going without the wizard; the dashboard shows "+m.secondary+"'s state.")...)
	case m.ver.Written && !m.ver.Removed && !m.ver.Kept:
		out = append(out, m.para("The canary auth method "+m.ver.Path+" is still enabled on "+m.primary+". Remove it later with:")...)
		out = append(out, m.code(cmdAuthDisable(m.ver.Path))...)
	default:
		out = append(out, m.para("What was done so far stays done.")...)
	}
	return append(out, "", m.st.Form.Prompt.Render("y: leave   n: stay"))
}

func (m Model) fullHelpView() []string {
	out := []string{"", m.st.Form.Prompt.Render("Keys")}
	for _, b := range m.allBindings() {
		h := b.Help()
		out = append(out, "  "+m.st.Help.Key.Render(fmt.Sprintf("%-8s", h.Key))+" "+m.st.Help.Desc.Render(h.Desc))
	}
	out = append(out, "", m.st.Muted.Render("ctrl+c quits vaultrepl from anywhere."))
	return out
}

// body is the screen's content: top may be cut to fit; bottom (the form and
// the key hint) never is.
// body is the current phase's screen; avail is the rows between the header
// and the footer.
func (m Model) body(avail int) (top, bottom []string) {
	switch m.ph {
	case phLoading:
		return []string{"", m.spinner() + " " + m.loading + " " + m.st.Glyphs.Ellipsis}, nil
	case phForm, phConfirm:
		return m.formBody()
	case phChecks:
		return m.checksView(), m.checksHint()
	case phReview:
		return m.reviewView(), []string{"", m.reviewHint()}
	case phRunning:
		return m.runningView(), nil
	case phResult:
		return m.resultView(), nil
	case phToken:
		return m.tokenView(), nil
	case phWatching:
		return m.watchView(avail)
	case phInfo:
		return m.infoView(), nil
	case phPolling, phCleanup, phDone:
		return m.verifyView()
	}
	return nil, nil
}

func (m Model) formView() []string {
	if m.form == nil {
		return nil
	}
	return strings.Split(strings.TrimRight(m.form.View(), "\n"), "\n")
}

func (m Model) formBody() (top, bottom []string) {
	bottom = append([]string{""}, m.formView()...)
	switch m.fk {
	case fkType:
		top = m.para("Pick the type first; every later step does the same for it.")
	case fkPrimary, fkTarget:
		if m.step == stActivate && m.hasTok && !m.tokUsed {
			top = append(top, m.tokenLine()...)
		}
	case fkPaste:
		top = m.para("Activate a secondary with a token generated elsewhere (for example with the vault CLI on the primary):")
		top = append(top, m.code(cmdSecondaryToken(m.typ, "<id>", 0))...)
	case fkInputs:
		top = m.inputsContext()
	case fkConfirm:
		top = m.confirmContext()
	case fkLogin:
		top = m.loginContext()
	case fkNext:
		top = m.nextContext()
	case fkSave:
		top = m.tokenLine()
	case fkNone:
	}
	return top, bottom
}

// checkSummary is the compact pre-flight line shown above the inputs;
// warnings and notes get a line each.
func (m Model) checkSummary() []string {
	if len(m.checks) == 0 {
		return nil
	}
	var passed []string
	var notes []string
	for _, c := range m.checks {
		switch c.Level {
		case lvPass:
			// No-break spaces keep "✓ activation token" on one line.
			passed = append(passed, m.st.Level(theme.LevelOK).Render(strings.ReplaceAll(m.st.Glyphs.OK+" "+c.Title, " ", "\u00a0")))
		case lvInfo, lvWarn, lvFail:
			line := c.Title + ": " + c.Detail
			if c.Fix != "" {
				line += " (" + c.Fix + ")"
			}
			notes = append(notes, m.wrap(m.levelText(c.Level, line), m.tw())...)
		}
	}
	out := m.wrap(m.st.Muted.Render("Pre-flight: ")+strings.Join(passed, "  "), m.tw())
	return append(out, notes...)
}

func (m Model) checksView() []string {
	st := m.st
	target := m.primary
	if m.step == stActivate {
		target = m.secondary
	}
	out := []string{st.Form.Prompt.Render("Pre-flight checks: " + m.stepVerb() + " on " + target), ""}
	width := 0
	for _, c := range m.checks {
		width = max(width, ansi.StringWidth(c.Title))
	}
	width = min(width, 28)
	for _, c := range m.checks {
		g, style := m.glyph(c.Level), st.Level(themeLevel(c.Level))
		if c.Retry {
			// Clears by itself: shown as waiting, not as broken.
			g, style = st.Glyphs.Syncing, st.Level(theme.LevelSyncing)
		}
		head := fmt.Sprintf("  %s %-*s  ", g, width, c.Title)
		body := m.wrap(c.Detail, max(m.tw()-ansi.StringWidth(head), 20))
		pad := strings.Repeat(" ", ansi.StringWidth(head))
		for i, l := range body {
			if i == 0 {
				out = append(out, style.Render(head)+l)
			} else {
				out = append(out, pad+l)
			}
		}
		if c.Fix != "" && c.Level != lvPass {
			for _, l := range m.wrap("what to do: "+c.Fix, max(m.tw()-len(pad), 20)) {
				out = append(out, pad+st.Pane.Hint.Render(l))
			}
		}
	}
	return out
}

func (m Model) checksHint() []string {
	switch {
	case m.already:
		return []string{"", m.levelText(lvPass, "Nothing to do here: this step is already done."),
			m.st.Form.Prompt.Render("enter: continue with " + m.stepName(m.stepAfter()))}
	case m.autoRecheck():
		return []string{"", m.spinner() + " " + m.st.Muted.Render("Re-checking every "+shortDuration(m.d.Interval)+" (reads only; nothing is written).   esc: back")}
	case m.invalidTokenCluster() != "" && m.d.Login != nil:
		return []string{"", m.st.Form.Prompt.Render("l: log in to " + m.invalidTokenCluster() + "   r: re-check   esc: back")}
	}
	return []string{"", m.st.Form.Prompt.Render("Fix what is marked, then r: re-check   esc: back")}
}

func (m Model) stepVerb() string {
	switch m.step {
	case stPrimary:
		return "enable " + typeName(m.typ) + " primary"
	case stToken:
		return "generate a secondary activation token"
	case stActivate:
		return "activate " + typeName(m.typ) + " secondary"
	case stVerify:
		return "propagation check"
	case stType, stWatch, stLogin, stNext:
	}
	return m.stepName(m.step)
}

func (m Model) stepName(s step) string {
	switch s {
	case stPrimary:
		return "enabling the primary"
	case stToken:
		return "generating a secondary activation token"
	case stActivate:
		return "activating a secondary"
	case stWatch:
		return "watching the secondary"
	case stLogin:
		return "logging in to the secondary"
	case stVerify:
		return "the propagation check"
	case stNext:
		return "what comes next"
	case stType:
	}
	return "choosing the replication type"
}

func (m Model) inputsContext() []string {
	out := []string{}
	switch m.step {
	case stPrimary:
		out = append(out, m.st.Form.Prompt.Render("Enable "+typeName(m.typ)+" replication on "+m.primary+" as the primary"))
	case stToken:
		who := m.secondary
		if who == "" {
			who = "a secondary"
		}
		out = append(out, m.st.Form.Prompt.Render("Generate an activation token on "+m.primary+" for "+who))
	case stActivate:
		out = append(out, m.st.Form.Prompt.Render("Activate "+m.secondary+" as a "+typeName(m.typ)+" secondary"))
		out = append(out, m.tokenLine()...)
	}
	return append(out, m.checkSummary()...)
}

// tokenLine summarises the activation token in hand, never showing it.
func (m Model) tokenLine() []string {
	if !m.hasTok || m.tokUsed {
		return nil
	}
	info, err := m.tokInfo, m.tokErr
	if info.Expires.IsZero() && err == nil {
		info, err = tokenInfoOf(m.tok)
	}
	src := "pasted"
	if m.tokFromHere {
		src = fmt.Sprintf("generated on %s for %q", m.primary, m.tok.ID)
	}
	if err != nil {
		return m.para(m.levelText(lvFail, "Token ("+src+"): "+err.Error()))
	}
	exp := m.countdown(info)
	if info.Expires.After(m.d.Now()) {
		exp = "expires " + exp
	}
	return m.para(m.st.Muted.Render("Token: ") + src + ", " + exp)
}

// countdown is "2025-… UTC (in 29m 41s)" or "EXPIRED … ago (…)".
func (m Model) countdown(in tokenInfo) string {
	now := m.d.Now()
	if !in.Expires.After(now) {
		return m.st.Level(theme.LevelCrit).Render("EXPIRED " + humanDuration(now.Sub(in.Expires)) + " ago (" + fmtTime(in.Expires) + ")")
	}
	left := in.Expires.Sub(now)
	s := fmtTime(in.Expires) + " (in " + humanDuration(left) + ")"
	if left < 2*time.Minute {
		return m.st.Level(theme.LevelWarn).Render(s)
	}
	return s
}

func (m Model) reviewView() []string {
	st := m.st
	var out []string
	add := func(ls ...string) { out = append(out, ls...) }
	code := func(c Cluster, cmd string) {
		add("  " + st.Muted.Render(vaultAddr(c)))
		add(m.code(cmd)...)
	}
	switch m.step {
	case stPrimary:
		c, _ := m.cluster(m.primary)
		add(st.Form.Prompt.Render("Review: enable "+typeName(m.typ)+" replication on "+m.primary), "")
		add("The equivalent command:")
		code(c, cmdEnablePrimary(m.typ, m.epReq.PrimaryClusterAddr))
		add("")
		add(m.para("Vault creates the replication set and is unavailable for a brief period while it does.")...)
		if c.Protected {
			add(m.levelText(lvWarn, m.primary+" is PROTECTED: you will type its name to confirm."))
		}
	case stToken:
		c, _ := m.cluster(m.primary)
		add(st.Form.Prompt.Render("Review: generate a "+typeName(m.typ)+" activation token on "+m.primary), "")
		add(fmt.Sprintf("  id   %s", m.stReq.ID), fmt.Sprintf("  ttl  %s", shortDuration(m.stReq.TTL)), "")
		add("The equivalent command:")
		code(c, cmdSecondaryToken(m.typ, m.stReq.ID, m.stReq.TTL))
		add("")
		add(m.para(fmt.Sprintf("%q is added to %s's known_secondaries at once, whether or not the token is ever used. The token is shown once on the next screen.", m.stReq.ID, m.primary))...)
	case stActivate:
		c, _ := m.cluster(m.secondary)
		add(st.Form.Prompt.Render("Review: activate "+m.secondary+" as a "+typeName(m.typ)+" secondary"), "")
		add(m.tokenLine()...)
		add("", "The equivalent command (token masked):")
		code(c, cmdEnableSecondary(m.typ, m.esReq))
		add("")
		add(m.levelText(lvWarn, "This purges "+m.secondary+". The next screen shows what it would lose."))
	case stVerify:
		return m.verifyReview()
	}
	return out
}

func (m Model) reviewHint() string {
	switch m.step {
	case stActivate:
		return m.st.Form.Prompt.Render("enter: continue to the purge warning   esc: change the inputs")
	case stPrimary:
		if c, _ := m.cluster(m.primary); c.Protected {
			return m.st.Form.Prompt.Render("enter: confirm   esc: change the inputs")
		}
		return m.st.Form.Prompt.Render("enter: enable   esc: change the inputs")
	case stToken:
		return m.st.Form.Prompt.Render("enter: generate   esc: change the inputs")
	case stVerify:
		return m.st.Form.Prompt.Render("enter: enable the canary   esc: close")
	}
	return ""
}

// confirmContext is the purge warning: the seed's wording, then what this
// cluster would lose as far as we can see, then the typed confirmation.
func (m Model) confirmContext() []string {
	st := m.st
	if m.step != stActivate {
		c, _ := m.cluster(m.primary)
		return append([]string{m.levelText(lvWarn, c.Name+" is a PROTECTED cluster."), ""},
			m.code(cmdEnablePrimary(m.typ, m.epReq.PrimaryClusterAddr))...)
	}
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
	out = append(out, m.code(cmdEnableSecondary(m.typ, m.esReq))...)
	return out
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

func (m Model) runningView() []string {
	var what string
	switch m.step {
	case stPrimary:
		what = "Enabling " + typeName(m.typ) + " replication on " + m.primary
	case stToken:
		what = "Generating the activation token on " + m.primary
	case stActivate:
		what = "Activating " + m.secondary + " (the primary's API must answer it to unwrap the token)"
	case stVerify:
		what = "Enabling the canary auth method " + m.ver.Path + " on " + m.primary
		if m.ver.Removing {
			what = "Disabling the canary auth method " + m.ver.Path + " on " + m.primary
		}
	case stType, stWatch, stLogin, stNext:
	}
	return append([]string{""}, m.para(m.spinner()+" "+what+" "+m.st.Glyphs.Ellipsis)...)
}

func (m Model) resultView() []string {
	st := m.st
	if m.err != nil {
		what, fix := errText(m.err)
		out := []string{st.Form.Error.Render(m.glyph(lvFail) + " " + m.stepVerb() + " failed"), ""}
		out = append(out, m.para(what)...)
		// A diagnosis knows more than the error class's generic hint.
		if cause, dfix := m.diagnosis(); cause != "" {
			out = append(out, "")
			out = append(out, m.para(m.levelText(lvWarn, cause))...)
			fix = dfix
		}
		if fix != "" {
			out = append(out, m.para(st.Pane.Hint.Render("what to do: "+fix))...)
		}
		out = append(out, "")
		out = append(out, m.para(st.Muted.Render("Nothing is retried automatically: a write may have had effects even when it failed."))...)
		return append(out, "", st.Form.Prompt.Render("r: review and retry   esc: back"))
	}
	var out []string
	switch m.step {
	case stPrimary:
		out = append(out, m.levelText(lvPass, m.primary+" is now a "+typeName(m.typ)+" primary."))
	case stActivate:
		out = append(out, m.levelText(lvPass, m.secondary+" accepted the token and is becoming a "+typeName(m.typ)+" secondary of "+m.primary+"."))
	case stType, stToken, stWatch, stLogin, stNext, stVerify:
	}
	if len(m.res.Warnings) > 0 {
		out = append(out, "", st.Muted.Render("Vault says:"))
		for _, w := range m.res.Warnings {
			out = append(out, m.indent("  ", w)...)
		}
	}
	if m.step == stActivate {
		out = append(out, "", m.watchLine(), "")
		if m.typ == ops.Performance {
			out = append(out, m.para("Its previous tokens are gone: tokens are local to each cluster and "+m.secondary+
				" was purged. Once it has synced you can log in there again through the auth methods replicated from "+m.primary+".")...)
		} else {
			out = append(out, m.para(m.secondary+" now holds the primary's tokens and answers only status requests until promoted: there is nothing to log in to.")...)
		}
	}
	return append(out, "", st.Form.Prompt.Render("enter: continue with "+m.stepName(m.stepAfter())))
}

// diagnosis explains a failed activation with what the primary said, and
// what to do about it.
func (m Model) diagnosis() (cause, fix string) {
	if m.step != stActivate || m.err == nil {
		return "", ""
	}
	name := "the primary"
	if m.diag != nil {
		d := *m.diag
		name = d.Name
		if cs, ok := usable(d); !ok {
			last := cs[len(cs)-1]
			return "Likely cause: the primary " + d.Name + " did not answer (" + last.Detail + "), and the secondary must reach it to unwrap the token.",
				"bring " + d.Name + " back (or fix the network between the clusters), then r to review and retry; the token is still valid until " + fmtTime(m.tokInfo.Expires)
		}
		if d.of(m.typ).Mode != ops.ModePrimary {
			return "Likely cause: " + d.Name + " is no longer a " + typeName(m.typ) + " primary.",
				"generate a new token on the current primary"
		}
	}
	// The secondary quotes the status of its unwrap call to the primary:
	// 403 is a Vault that did not sign the token (it fails the JWT's
	// signature), 400 a token the primary no longer knows.
	switch msg := m.err.Error(); {
	case strings.Contains(msg, "unwrapping secondary token; status code is 403"):
		cause := "Likely cause: the address the secondary called is a Vault that did not sign this token"
		if m.diag != nil {
			cause += ", not " + name
		}
		return cause + ".",
			"set primary_api_addr to the API address of the primary that issued the token, as the secondary can reach it, then r to review and retry"
	case strings.Contains(msg, "unwrapping secondary token; status code is 400"):
		return "Likely cause: " + name + " no longer accepts this token: it was already used, revoked or has expired.",
			"generate a new token and activate with that one"
	case m.diag == nil:
		return "", ""
	}
	return "The primary " + name + " answers, so the token itself was probably refused (already used, revoked or expired), or the secondary cannot reach " + name + "'s API address.",
		"generate a new token (previous step) and try again; if it fails the same way, set primary_api_addr to an address the secondary can reach"
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

func (m Model) watchView(avail int) (top, bottom []string) {
	st := m.st
	w := m.watch
	v := w.Last
	end := m.d.Now()
	if w.Done {
		end = w.DoneAt
	}
	elapsed := humanDuration(end.Sub(w.Started))
	head := fmt.Sprintf("Watching %s, %s secondary of %s", w.Secondary, typeName(w.Type), w.Primary)
	if w.ID != "" {
		head += fmt.Sprintf(" (id %q)", w.ID)
	}
	out := m.para(st.Form.Prompt.Render(head) + st.Muted.Render("  "+elapsed))
	row := func(k, val string) { out = append(out, "  "+st.Muted.Render(fmt.Sprintf("%-16s", k))+" "+val) }
	switch {
	case !w.HasLast:
		out = append(out, "  "+m.spinner()+" first poll "+st.Glyphs.Ellipsis)
	case v.Sealed:
		row("secondary", m.levelText(lvWarn, "sealed"))
	case v.SecDown != "":
		row("secondary", m.levelText(lvWarn, "not answering: "+v.SecDown))
	default:
		row("mode", v.Mode.String())
		state := v.State.String()
		if state == "" {
			state = v.RawState
		}
		row("state", st.Level(themeLevel(stateLevel(v.State))).Render(state)+st.Muted.Render(stateGloss(v.State)))
		if v.Sync != nil && v.Sync.TotalKeys > 0 {
			row("merkle sync", m.bar(v.Sync.Progress, v.Sync.TotalKeys, 20)+fmt.Sprintf(" %d/%d keys", v.Sync.Progress, v.Sync.TotalKeys))
		}
		if v.Conn != ops.ConnUnknown {
			row("connection", st.Level(themeLevel(connLevel(v.Conn))).Render(v.Conn.String()))
		}
		wal := fmt.Sprintf("%d", v.RemoteWAL)
		if v.PrimaryWAL > 0 {
			wal += st.Muted.Render(fmt.Sprintf("  (primary at %d)", v.PrimaryWAL))
		}
		row("last_remote_wal", wal)
	}
	if w.HasLast {
		switch {
		case v.PriDown != "":
			row("primary", m.levelText(lvWarn, w.Primary+" not answering: "+v.PriDown))
		case v.PeerFound:
			row("primary", m.levelText(peerLevel(v.Peer), w.Primary+" lists it as "+v.Peer.String()))
		default:
			row("primary", st.Muted.Render(w.Primary+" does not list it in secondaries[] yet"))
		}
	}
	out = append(out, "")
	switch {
	case w.Done:
		out = append(out, m.para(m.levelText(lvPass, fmt.Sprintf("Done: %s reached stream-wals with its connection ready after %s, and %s lists it as connected.",
			w.Secondary, humanDuration(w.DoneAt.Sub(w.Started)), w.Primary)))...)
	case w.Stuck:
		out = append(out, m.para(m.levelText(lvWarn, "Stuck: "+w.Why))...)
		out = append(out, m.para(st.Pane.Hint.Render("what to do: "+w.Fix))...)
		out = append(out, m.para(st.Muted.Render("Still polling every "+shortDuration(m.d.Interval)+"; it may recover."))...)
	default:
		out = append(out, "  "+m.spinner()+st.Muted.Render(" polling every "+shortDuration(m.d.Interval)))
	}

	if w.Done {
		bottom = []string{"", st.Form.Prompt.Render("enter: continue with " + m.stepName(m.stepAfter()))}
	}
	// The timeline gets the rows left over, newest events first to go in.
	room := avail - len(out) - len(bottom) - 2
	if m.explain {
		room -= 4
	}
	tl := w.Timeline
	if room < len(tl) {
		tl = tl[len(tl)-max(room, 1):]
	}
	out = append(out, "", st.Muted.Render(fmt.Sprintf("Timeline (%d event%s)", len(w.Timeline), plural(len(w.Timeline), "", "s"))))
	for _, e := range tl {
		out = append(out, fmt.Sprintf("  %7s  %s", "+"+humanDuration(e.At.Sub(w.Started)), m.levelText(e.Level, e.Text)))
	}
	return out, bottom
}

// watchLine is the watch in one line, for the activation result.
func (m Model) watchLine() string {
	w, v := m.watch, m.watch.Last
	switch {
	case w.Done:
		return m.levelText(lvPass, w.Secondary+" is streaming WALs from "+w.Primary)
	case !w.HasLast:
		return m.spinner() + " watching " + w.Secondary + " " + m.st.Glyphs.Ellipsis
	case v.SecDown != "":
		return m.spinner() + " " + w.Secondary + " is not answering yet (expected while it sets up)"
	}
	s := m.spinner() + " " + w.Secondary + ": " + v.Mode.String()
	if v.State != ops.StateUnknown {
		s += ", " + v.State.String()
	}
	if v.Sync != nil && v.Sync.TotalKeys > 0 {
		s += fmt.Sprintf(" %d/%d keys", v.Sync.Progress, v.Sync.TotalKeys)
	}
	return s
}

func (m Model) bar(done, total uint64, width int) string {
	if total == 0 {
		return ""
	}
	n := int(float64(width) * float64(min(done, total)) / float64(total))
	pct := int(100 * float64(min(done, total)) / float64(total))
	return m.st.Accent.Render(strings.Repeat(m.st.Glyphs.BarFull, n)) + m.st.Muted.Render(strings.Repeat(m.st.Glyphs.BarEmpty, width-n)) + fmt.Sprintf(" %3d%%", pct)
}

func (m Model) infoView() []string {
	// stLogin without a Login function: explain what to do by hand.
	out := []string{m.st.Form.Prompt.Render("Log in to " + m.loginFor), ""}
	out = append(out, m.para("Tokens are local to each performance cluster: "+m.loginFor+"'s old token went with the purge. Log in through an auth method replicated from the primary, for example:")...)
	out = append(out, "  "+m.st.Muted.Render("export VAULT_ADDR="+m.addrOf(m.loginFor)))
	out = append(out, m.code(cmdLogin(orDefault(m.d.Username, "<username>")))...)
	out = append(out, "")
	out = append(out, m.para("then give vaultrepl the new token (config file or --cluster) and restart it.")...)
	return append(out, "", m.st.Form.Prompt.Render("enter: continue"))
}

func (m Model) addrOf(name string) string {
	if c, ok := m.cluster(name); ok && c.Address != "" {
		return c.Address
	}
	return "<address of " + name + ">"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (m Model) loginContext() []string {
	out := []string{m.st.Form.Prompt.Render("Log in to " + m.loginFor)}
	out = append(out, m.para("Its previous token is gone (tokens are local; "+m.loginFor+" was purged). The auth methods came from the primary, so the same credentials work here and give a token issued by "+m.loginFor+". esc skips this.")...)
	if m.d.LoginHint != "" {
		out = append(out, m.para(m.levelText(lvInfo, m.d.LoginHint))...)
	}
	if m.loginErr != nil {
		what, fix := errText(m.loginErr)
		out = append(out, m.para(m.levelText(lvFail, "Login failed: "+what))...)
		if fix != "" {
			out = append(out, m.para(m.st.Pane.Hint.Render("what to do: "+fix))...)
		}
	}
	return out
}

func (m Model) nextContext() []string {
	var out []string
	if m.primary != "" {
		out = append(out, m.levelText(lvPass, typeTitle(m.typ)+" replication from "+m.primary+" is set up."))
	}
	return out
}

func (m Model) verifyReview() []string {
	st := m.st
	pri, _ := m.cluster(m.primary)
	out := []string{st.Form.Prompt.Render("Propagation check on " + m.primary + " (" + typeName(m.typ) + ")"), ""}
	out = append(out, m.checkSummary()...)
	out = append(out, "")
	if m.typ == ops.Performance {
		out = append(out, m.para(fmt.Sprintf("1. Enable a canary auth method %s (userpass) on %s:", m.ver.Path, m.primary))...)
		out = append(out, "  "+st.Muted.Render(vaultAddr(pri)))
		out = append(out, m.code(cmdAuthEnable(m.ver.Path))...)
		out = append(out, m.para("2. List auth methods on "+strings.Join(m.targetNames(), ", ")+" until it appears ("+cmdAuthList()+"), timing each.")...)
		out = append(out, m.para("3. Ask before removing it ("+cmdAuthDisable(m.ver.Path)+"), then check it is gone everywhere.")...)
	} else {
		out = append(out, m.para(fmt.Sprintf("1. Enable a canary auth method %s on %s and read its last_dr_wal.", m.ver.Path, m.primary))...)
		out = append(out, m.code(cmdAuthEnable(m.ver.Path))...)
		out = append(out, m.para("2. Read "+strings.Join(m.targetNames(), ", ")+"'s last_remote_wal until it reaches that position ("+cmdStatus(ops.DR)+").")...)
		out = append(out, m.para("3. Ask before removing the canary.")...)
	}
	return out
}

func (m Model) targetNames() []string {
	names := make([]string, len(m.ver.Targets))
	for i, t := range m.ver.Targets {
		names[i] = t.Name
	}
	return names
}

func (m Model) verifyView() (top, bottom []string) {
	st := m.st
	v := m.ver
	limit := m.d.VerifyPolls
	top = append(top, st.Form.Prompt.Render("Propagation check: "+v.Path+" on "+m.primary))
	if v.Written {
		line := "written at " + fmtTime(v.WrittenAt)
		if v.Type == ops.DR {
			line += fmt.Sprintf("; the primary's last_dr_wal after the write: %d", v.TargetWAL)
		}
		top = append(top, st.Muted.Render(line))
	}
	if v.WALErr != "" {
		top = append(top, m.levelText(lvFail, "could not read the primary's WAL position: "+v.WALErr))
	}
	top = append(top, "")
	for _, t := range v.Targets {
		top = append(top, m.targetLine(t, limit))
	}
	top = append(top, "")
	if v.Written && len(v.Targets) > 0 && v.WALErr == "" {
		l, s := v.summary(limit)
		top = append(top, m.levelText(l, s))
		if m.ph != phPolling {
			top = append(top, st.Muted.Render("Times are upper bounds: each secondary is read every "+shortDuration(m.verifyEvery())+"."))
		}
	}
	switch m.ph {
	case phPolling:
		bottom = []string{"", m.spinner() + st.Muted.Render(" polling every "+shortDuration(m.verifyEvery()))}
	case phCleanup:
		bottom = append([]string{""}, m.para(st.Form.Prompt.Render("Remove the canary auth method "+v.Path+" from "+m.primary+"? It only holds this check."))...)
		bottom = append(bottom, m.code(cmdAuthDisable(v.Path))...)
		bottom = append(bottom, "", st.Form.Prompt.Render("y: remove it   n: keep it"))
	case phDone:
		switch {
		case v.Removed:
			msg := "The canary was removed from " + m.primary
			if v.Type == ops.Performance {
				msg += " and is gone from the secondaries"
				for _, t := range v.Targets {
					if !t.Gone {
						msg = "The canary was removed from " + m.primary + "; some secondaries still listed it when the check stopped"
					}
				}
			}
			bottom = append(bottom, "", m.levelText(lvPass, msg+"."))
		case v.Kept:
			bottom = append(bottom, "", m.levelText(lvInfo, "The canary stays on "+m.primary+". Remove it later with: "+cmdAuthDisable(v.Path)))
		}
		bottom = append(bottom, "", st.Form.Prompt.Render("enter: continue"))
	case phLoading, phForm, phChecks, phReview, phConfirm, phRunning, phResult, phToken, phWatching, phInfo:
	}
	return top, bottom
}

func (m Model) targetLine(t target, limit int) string {
	name := fmt.Sprintf("  %-14s ", t.Name)
	v := m.ver
	var s string
	switch {
	case v.Removing && t.Gone:
		s = m.levelText(lvPass, "arrived after "+humanDuration(v.propagation(t))+"; removal arrived after "+humanDuration(t.GoneAt.Sub(v.RemovedAt)))
	case t.Seen:
		s = m.levelText(lvPass, "arrived after "+humanDuration(v.propagation(t)))
		if v.Type == ops.DR {
			s += m.st.Muted.Render(fmt.Sprintf("  (last_remote_wal %d)", t.WAL))
		}
	case t.Polls >= limit:
		s = m.levelText(lvFail, fmt.Sprintf("not seen after %d polls (%s)", t.Polls, humanDuration(time.Duration(t.Polls)*m.verifyEvery())))
		if t.Err != "" {
			s += m.st.Muted.Render(" (" + t.Err + ")")
		}
	case !v.Written:
		s = m.st.Muted.Render("waiting for the write")
	default:
		s = m.spinner() + m.st.Muted.Render(fmt.Sprintf(" waiting (%d/%d polls)", t.Polls, limit))
		if v.Type == ops.DR && t.Polls > 0 {
			s += m.st.Muted.Render(fmt.Sprintf(" last_remote_wal %d of %d", t.WAL, v.TargetWAL))
		}
		if t.Err != "" {
			s += m.st.Muted.Render(" (" + t.Err + ")")
		}
	}
	return name + s
}
