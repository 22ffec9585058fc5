package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// healthCurl reads sys/health exactly the way the dashboard does: the query
// comes from ops.HealthQuery, the parameters the client itself sends (every
// "not the healthy active node" status becomes 299, so the node still
// answers with its health data). -G with -d puts each parameter on the
// query string, which keeps the command breakable into short lines.
func healthCurl(addr string) string {
	q := ops.HealthQuery()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("curl -s -G " + strings.TrimRight(addr, "/") + "/v1/sys/health")
	for _, k := range keys {
		for _, v := range q[k] {
			b.WriteString(" -d " + k + "=" + v)
		}
	}
	return b.String()
}

// shellWrap breaks a command into lines of at most width cells with
// backslash continuations, so that what is on screen can be pasted into a
// shell as it is, even on an 80-column terminal.
func shellWrap(cmd string, width int) []string {
	// A flag and its value stay on one line.
	var words []string
	for _, w := range strings.Fields(cmd) {
		if n := len(words); n > 0 && words[n-1] == "-d" {
			words[n-1] += " " + w
			continue
		}
		words = append(words, w)
	}
	var lines []string
	cur := ""
	for _, w := range words {
		switch {
		case cur == "":
			cur = w
		case len(cur)+1+len(w)+2 <= width:
			cur += " " + w
		default:
			lines = append(lines, cur+" \\")
			cur = "    " + w
		}
	}
	return append(lines, cur)
}

// readCommand is the table's `vault read -format=json` of a status read.
func readCommand(k ops.OpKind, t ops.ReplicationType) string {
	return ops.Lookup(k).Command(t, "", ops.Arg{Key: "-format", Value: "json"})
}

// commandsContent lists the vault CLI (and curl) commands that read what the
// screen behind it shows, for training: the dashboard reads nothing else.
func (m *Model) commandsContent() string {
	st := &m.st
	w := m.width
	var b strings.Builder
	line := func(s string) { b.WriteString(fit(s, w, st.Glyphs.Ellipsis) + "\n") }
	comment := func(s string) { line(st.Muted.Render("# " + s)) }
	code := func(s string) {
		for _, l := range shellWrap(s, w-2) {
			line("  " + st.Detail.Code.Render(l))
		}
	}

	line(st.Detail.Title.Render("Equivalent vault commands") + "  " + st.Muted.Render("x or esc returns"))
	comment("Status endpoints need no token and live in the root namespace:")
	comment("unset VAULT_NAMESPACE. The dashboard reads exactly these paths,")
	comment("every " + m.deps.Interval.String() + " per cluster.")
	if m.readsFilters() {
		comment("On a performance primary it also reads each secondary's paths filter")
		comment("(a token with read on it), every " + m.deps.PathsFilterEvery.String() + " and when they change.")
	}
	b.WriteString("\n")

	switch m.back {
	case screenDetail:
		if int(m.focus) < len(m.clusters) {
			c := m.clusters[m.focus].spec
			comment(c.Name + ": both types at once, then each type on its own, then health")
			addr := "VAULT_ADDR=" + c.Address
			code(addr + " " + readCommand(ops.OpGetStatus, ops.Performance))
			code(addr + " " + readCommand(ops.OpGetTypeStatus, ops.Performance))
			code(addr + " " + readCommand(ops.OpGetTypeStatus, ops.DR))
			code(addr + " vault status")
			code(healthCurl(c.Address))
			m.filterCommands(m.focus, code)
		}
	case screenTopology:
		m.linkCommands(line, comment, code)
	case screenDashboard, screenCommands, screenHelp:
		for _, id := range m.visibleIDs() {
			c := m.clusters[id].spec
			comment(c.Name)
			code("VAULT_ADDR=" + c.Address + " " + readCommand(ops.OpGetStatus, ops.Performance))
			code(healthCurl(c.Address))
			m.filterCommands(id, code)
			b.WriteString("\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// linkCommands compare the two WAL counters of each link by hand.
func (m *Model) linkCommands(line, comment, code func(string)) {
	comment("Lag by hand: the primary's WAL counter minus the secondary's last_remote_wal.")
	comment("Read both close together; a gap that keeps growing is the alarm.")
	line("")
	n := 0
	for _, l := range m.report.Links {
		p, ok := m.byName[l.Primary]
		if !ok {
			continue
		}
		field := "last_performance_wal"
		if l.Type == ops.DR {
			field = "last_dr_wal"
		}
		comment(fmt.Sprintf("%s: %s %s %s", l.Type.Title(), l.Primary, m.st.Glyphs.Link, orDash(l.Secondary)))
		read := ops.Lookup(ops.OpGetTypeStatus)
		code("VAULT_ADDR=" + m.clusters[p].spec.Address + " " + read.Command(l.Type, "", ops.Arg{Key: "-field", Value: field}))
		if s, ok := m.byName[l.Secondary]; ok {
			code("VAULT_ADDR=" + m.clusters[s].spec.Address + " " + read.Command(l.Type, "", ops.Arg{Key: "-field", Value: "last_remote_wal"}))
		}
		line("")
		n++
	}
	if n == 0 {
		comment("No replication links found yet.")
	}
}

// helpContent is the full key list and a legend of glyphs, borders and
// words, so that nothing on screen depends on colour to be understood.
func (m *Model) helpContent() string {
	st := &m.st
	g := st.Glyphs
	w := m.width
	var b strings.Builder
	line := func(s string) { b.WriteString(fit(s, w, g.Ellipsis) + "\n") }
	line(st.Detail.Title.Render("Keys") + "  " + st.Muted.Render("? or esc returns"))
	h := m.help
	h.Width = 0 // columns that do not fit go on a row of their own below
	groups := m.fullHelp()
	for len(groups) > 0 {
		n := 1
		for n < len(groups) && cellWidth(firstLine(h.FullHelpView(groups[:n+1]))) <= w-2 {
			n++
		}
		for _, l := range strings.Split(h.FullHelpView(groups[:n]), "\n") {
			line("  " + l)
		}
		if groups = groups[n:]; len(groups) > 0 {
			line("")
		}
	}
	b.WriteString("\n" + st.Detail.Heading.Render("Legend") + "\n")
	legend := []struct {
		l    theme.Level
		word string
		text string
	}{
		{theme.LevelOK, "ok", "healthy: running (primary), stream-wals (secondary), connection ready"},
		{theme.LevelSyncing, "syncing", "healthy but catching up: merkle-diff, merkle-sync, connecting, bootstrapping"},
		{theme.LevelWarn, "warning", "needs attention soon: lag, old heartbeat, clock skew, unused token"},
		{theme.LevelCrit, "critical", "broken now: idle, disconnected, sealed, unreachable, corrupted merkle tree"},
		{theme.LevelUnknown, "unknown", "not enough data: not read yet, Community Edition, a value vaultrepl does not know"},
	}
	// term puts a legend entry in a column and wraps its text under itself.
	term := func(t, text string) {
		for i, l := range wrapPlain(text, max(20, w-16)) {
			if i == 0 {
				line("  " + pad(t, 12, "") + "  " + l)
			} else {
				line(strings.Repeat(" ", 16) + l)
			}
		}
	}
	for _, e := range legend {
		term(st.Badge(e.l, e.word), e.text)
	}
	line("")
	term(st.Accent.Render(g.Focus), "the focused pane (also a heavier border)")
	term(st.Pane.ProtectedTag.Render(g.Protected+" PROTECTED"), "a protected (production) cluster: double border")
	term("1-9", "the number before a name is its jump key")
	term("dimmed", "last good data of a cluster whose latest read failed (\"showing last good data from ...\")")
	term("lag N", "WAL entries the secondary is behind: primary last_performance_wal or last_dr_wal minus its last_remote_wal")
	term("hb", "age of the last heartbeat between primary and secondary")
	term("skew", "clock skew between the two clusters")
	term("canary", "age of the newest replication canary, about the lag in time")
	term(g.InSync+" in sync", "merkle roots equal; \"root differs\" is normal while writes are in flight")
	term("set", "the replication set's cluster_id, shared by a primary and its secondaries")
	line("")
	term("theme", fmt.Sprintf("%q. NO_COLOR or --no-color draws without colour: every state keeps its glyph and word.", st.Palette.Name))
	return strings.TrimRight(b.String(), "\n")
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// readsFilters: some cluster's paths filters are read (a performance
// primary with secondaries, whose reader can).
func (m *Model) readsFilters() bool {
	for i := range m.clusters {
		if len(m.clusters[i].filterIDs) > 0 {
			return true
		}
	}
	return false
}

// filterCommands read the paths filters the dashboard reads on cluster id,
// from the table of operations.
func (m *Model) filterCommands(id ClusterID, code func(string)) {
	c := &m.clusters[id]
	read := ops.Lookup(ops.OpPathsFilterRead)
	for _, sid := range c.filterIDs {
		code("VAULT_ADDR=" + c.spec.Address + " " + read.Command(ops.Performance, sid, ops.Arg{Key: "-format", Value: "json"}))
	}
}
