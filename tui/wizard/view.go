package wizard

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/x/ansi"

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
	var out []string
	// A step may show several commands, one per line (a failover runs a
	// few in a row): each is wrapped on its own.
	for _, one := range strings.Split(cmd, "\n") {
		lines := wrapArgs(one, m.tw()-8)
		for i, l := range lines {
			prefix := "  "
			if i > 0 {
				prefix = "      "
			}
			if i < len(lines)-1 {
				l += " \\"
			}
			out = append(out, prefix+m.st.Form.Code.Render(l))
		}
	}
	return out
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
	if m.step == stType {
		return st.Form.Step.Render("choose the replication type")
	}
	seq := m.steps()
	pos := func(s step) int {
		for i, x := range seq {
			if x == s {
				return i
			}
		}
		return len(seq) // stNext: after every step
	}
	cur := pos(m.step)
	var parts []string
	for i, s := range seq {
		name := stepOf(s).crumb()
		switch {
		case i == cur:
			parts = append(parts, st.Accent.Render(st.Glyphs.Focus+" "+name))
		case i < cur && m.skipped&(1<<s) != 0:
			// Skipped is not done: said in words, not with the ✓.
			parts = append(parts, st.Level(theme.LevelWarn).Render("- "+name+" skipped"))
		case i < cur && m.seen&(1<<s) != 0:
			parts = append(parts, st.Level(theme.LevelOK).Render(st.Glyphs.OK+" "+name))
		default:
			parts = append(parts, st.Form.Step.Render("  "+name))
		}
	}
	if m.step == stNext && len(parts) > 0 && seq[len(seq)-1] == stVerify && m.seen&(1<<stVerify) == 0 {
		// "What next" offers the verification: it is where the run stands.
		parts[len(parts)-1] = st.Accent.Render(st.Glyphs.Focus + " " + stepOf(stVerify).crumb())
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
		return append(out, "", m.st.Form.Prompt.Render("y: leave   n: stay   r: revoke it now"))
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
	if v, ok := stepOf(m.step).(viewer); ok {
		if top, bottom := v.view(m, avail); top != nil || bottom != nil {
			return top, bottom
		}
	}
	ws, isWrite := m.writer()
	switch m.ph {
	case phLoading:
		return []string{"", m.spinner() + " " + m.loading + " " + m.st.Glyphs.Ellipsis}, nil
	case phForm, phConfirm:
		return m.formBody()
	case phChecks:
		return m.checksView(), m.checksHint()
	case phReview:
		if isWrite {
			return m.reviewView(ws), []string{"", m.reviewHint(ws)}
		}
	case phRunning:
		if isWrite {
			return m.runningView(ws), nil
		}
	case phResult:
		return m.resultView(), nil
	case phToken, phWatching, phInfo, phPolling, phCleanup, phDone:
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
	if ws, ok := m.writer(); ok {
		target = ws.target(m)
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

func (m Model) inputsContext() []string {
	var out []string
	if h, ok := stepOf(m.step).(interface{ heading(Model) []string }); ok {
		out = h.heading(m)
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
