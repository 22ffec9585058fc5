package tui

import (
	"fmt"
	"strings"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// healthQuery asks sys/health to answer 200 with a body for sealed,
// standby, performance-standby and DR-secondary nodes, as the dashboard does.
const healthQuery = "standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200&drsecondarycode=200"

// commandsContent lists the vault CLI (and curl) commands that read what the
// screen behind it shows, for training: the dashboard reads nothing else.
func (m Model) commandsContent() string {
	st := m.st
	w := m.width
	var b strings.Builder
	line := func(s string) { b.WriteString(fit(s, w, st.Glyphs.Ellipsis) + "\n") }
	comment := func(s string) { line(st.Muted.Render("# " + s)) }
	code := func(s string) { line("  " + st.Detail.Code.Render(s)) }

	line(st.Detail.Title.Render("Equivalent vault commands") + "  " + st.Muted.Render("x or esc returns"))
	comment("Status endpoints need no token and live in the root namespace: unset VAULT_NAMESPACE.")
	comment("The dashboard reads exactly these two paths per cluster, every " + m.deps.Interval.String() + ".")
	b.WriteString("\n")

	switch m.back {
	case screenDetail:
		if int(m.focus) < len(m.clusters) {
			c := m.clusters[m.focus].spec
			comment(c.Name + ": both types at once, then each type on its own, then health")
			addr := "VAULT_ADDR=" + c.Address
			code(addr + " vault read -format=json sys/replication/status")
			code(addr + " vault read -format=json sys/replication/performance/status")
			code(addr + " vault read -format=json sys/replication/dr/status")
			code(addr + " vault status")
			code(fmt.Sprintf("curl -s '%s/v1/sys/health?%s'", strings.TrimRight(c.Address, "/"), healthQuery))
		}
	case screenTopology:
		m.linkCommands(line, comment, code)
	case screenDashboard, screenCommands, screenHelp:
		for _, id := range m.visibleIDs() {
			c := m.clusters[id].spec
			comment(c.Name)
			code("VAULT_ADDR=" + c.Address + " vault read -format=json sys/replication/status")
			code(fmt.Sprintf("curl -s '%s/v1/sys/health?%s'", strings.TrimRight(c.Address, "/"), healthQuery))
			b.WriteString("\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// linkCommands compare the two WAL counters of each link by hand.
func (m Model) linkCommands(line, comment, code func(string)) {
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
		code(fmt.Sprintf("VAULT_ADDR=%s vault read -field=%s sys/replication/%s/status", m.clusters[p].spec.Address, field, l.Type))
		if s, ok := m.byName[l.Secondary]; ok {
			code(fmt.Sprintf("VAULT_ADDR=%s vault read -field=last_remote_wal sys/replication/%s/status", m.clusters[s].spec.Address, l.Type))
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
func (m Model) helpContent() string {
	st := m.st
	g := st.Glyphs
	w := m.width
	var b strings.Builder
	line := func(s string) { b.WriteString(fit(s, w, g.Ellipsis) + "\n") }
	line(st.Detail.Title.Render("Keys") + "  " + st.Muted.Render("? or esc returns; keys that do not apply on the current screen are hidden"))
	h := m.help
	h.Width = w
	for _, l := range strings.Split(h.FullHelpView(m.fullHelp()), "\n") {
		line("  " + l)
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
	for _, e := range legend {
		line("  " + pad(st.Badge(e.l, e.word), 12, "") + "  " + e.text)
	}
	line("")
	line("  " + pad(st.Accent.Render(g.Focus), 12, "") + "  the focused pane (also a heavier border)")
	line("  " + pad(st.Pane.ProtectedTag.Render(g.Protected+" PROTECTED"), 12, "") + "  a protected (production) cluster: double border")
	line("  " + pad("1-9", 12, "") + "  the number before a name is its jump key")
	line("  " + pad("dimmed", 12, "") + "  last good data of a cluster whose latest read failed (\"showing last good data from …\")")
	line("  " + pad("lag N", 12, "") + "  WAL entries the secondary is behind: primary last_performance_wal/last_dr_wal minus last_remote_wal")
	line("  " + pad("hb", 12, "") + "  age of the last heartbeat between primary and secondary")
	line("  " + pad("skew", 12, "") + "  clock skew between the two clusters; canary: age of the newest replication canary (about the lag in time)")
	line("  " + pad(g.InSync+" in sync", 12, "") + "  merkle roots equal; \"root differs\" is normal while writes are in flight")
	line("  " + pad("set", 12, "") + "  the replication set's cluster_id (shared by a primary and its secondaries)")
	line("")
	line("  " + st.Muted.Render(fmt.Sprintf("theme %q; NO_COLOR or --no-color draws without colour: every state keeps its glyph and word", st.Palette.Name)))
	return strings.TrimRight(b.String(), "\n")
}
