package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// topologyContent draws which clusters replicate to which, per type, from
// the links the assessment found by matching cluster_id with secondary_id
// and node_id, with each link's health and lag.
func (m *Model) topologyContent(now time.Time) string {
	st := &m.st
	g := st.Glyphs
	w := m.width
	var b strings.Builder
	line := func(s string) { b.WriteString(fit(s, w, g.Ellipsis) + "\n") }
	line(st.Detail.Title.Render("Replication topology") + "  " + st.Muted.Render("t or esc returns"))
	for _, l := range wrapPlain("Links are matched by cluster_id and secondary_id/node_id; lag is the primary's WAL index minus the secondary's last_remote_wal.", w) {
		line(st.Muted.Render(l))
	}

	nameW := 8
	for i := range m.clusters {
		nameW = max(nameW, len(m.clusters[i].spec.Name))
	}
	nameW = min(nameW, 28)

	for _, t := range ops.ReplicationTypes {
		b.WriteString("\n" + st.Detail.Heading.Render(t.Title()) + "\n")
		any := false
		for i := range m.clusters {
			id := ClusterID(i)
			s, ok := m.typeOf(id, t)
			if !ok || s.Mode != ops.ModePrimary {
				continue
			}
			any = true
			c := &m.clusters[i]
			state := st.Badge(level(stateSeverity(s.State)), stateWord(s))
			if m.report.InSplitBrain(c.spec.Name, t) {
				// Two primaries of one set: neither is "running" fine.
				state = st.Badge(level(ops.SeverityCritical), "SPLIT BRAIN")
			}
			head := "  " + st.Pane.Title.Render(pad(c.spec.Name, nameW, g.Ellipsis)) + "  primary " + state +
				"  " + st.Muted.Render("set "+shortID(s.ClusterID)+"  wal "+strconv.FormatUint(s.PrimaryWAL(), 10))
			if c.stale() {
				head += "  " + st.Level(level(ops.SeverityCritical)).Render(g.Crit+" unreachable, last data "+ago(now.Sub(c.lastOK))+" old")
			}
			line(head)
			links := m.downLinks(t, id)
			if len(links) == 0 {
				line("    " + st.Muted.Render("no secondaries"))
			}
			for _, l := range links {
				for _, ll := range m.linkLines(l, nameW, w, now) {
					line(ll)
				}
			}
		}
		for _, sb := range m.report.SplitBrains {
			if sb.Type == t {
				line("  " + st.Level(level(ops.SeverityCritical)).Render(g.Level(level(ops.SeverityCritical))+" split brain: "+strings.Join(sb.Primaries, " and ")+" are both primary of set "+shortID(sb.ClusterID)))
				line("    " + st.Muted.Render("demote one: "+ops.DemoteCommand(t)+" on the one clients should not use"))
			}
		}
		orphans := m.orphanSecondaries(t)
		for _, o := range orphans {
			if o.warn {
				line("  " + st.Level(level(ops.SeverityWarning)).Render(g.Level(level(ops.SeverityWarning))+" "+o.text))
				continue
			}
			line("  " + st.Muted.Render(o.text))
		}
		if !any && len(orphans) == 0 {
			line("  " + st.Muted.Render("no cluster is a "+t.Title()+" primary"))
		}
	}

	var idle []string
	for i := range m.clusters {
		c := &m.clusters[i]
		switch {
		case c.snap == nil && c.lastErr != nil:
			idle = append(idle, c.spec.Name+" (unreachable, never read)")
		case c.snap == nil:
			idle = append(idle, c.spec.Name+" (not read yet)")
		case c.snap.Edition() == ops.EditionCommunity:
			idle = append(idle, c.spec.Name+" (Community Edition)")
		case c.snap.Replication == nil:
			idle = append(idle, c.spec.Name+" (replication status unreadable)")
		case c.snap.Replication.Unsupported:
			idle = append(idle, c.spec.Name+" (unsupported licence)")
		case !c.snap.Replication.Performance.Enabled() && !c.snap.Replication.DR.Enabled():
			idle = append(idle, c.spec.Name+" (replication disabled)")
		}
	}
	if len(idle) > 0 {
		b.WriteString("\n" + st.Detail.Heading.Render("Not replicating") + "\n")
		for _, s := range idle {
			line("  " + s)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// typeOf is a cluster's last known status of type t.
func (m *Model) typeOf(id ClusterID, t ops.ReplicationType) (ops.TypeStatus, bool) {
	c := &m.clusters[id]
	if c.snap == nil || c.snap.Replication == nil || c.snap.Replication.CommunityEdition || c.snap.Replication.Unsupported {
		return ops.TypeStatus{}, false
	}
	return c.snap.Replication.Of(t), true
}

// linkLines is one primary → secondary link at now: status, lag, heartbeat,
// canary, merkle match, and the worst reason when it is not healthy. What
// does not fit in width w goes on continuation lines under the status, so a
// narrow terminal loses no words to the ellipsis.
func (m *Model) linkLines(l ops.Link, nameW, w int, now time.Time) []string {
	st := &m.st
	g := st.Glyphs
	name := l.Secondary
	if name == "" {
		name = "token " + shortID(l.SecondaryID) + " (not configured here)"
	}
	sev := l.Severity
	status := orDash(l.Status.String())
	parts := []string{
		"    " + st.Accent.Render(g.Link) + " " + pad(name, nameW, g.Ellipsis),
		st.Badge(level(sev), pad(status, 12, "")),
	}
	if lag := l.LagText(); lag != "" && !(l.HasWALGap && l.InSync) {
		// The lag's colour is its own judgement, not the link's.
		txt := pad(lag, 12, "")
		if l.LagSeverity == ops.SeverityWarning || l.LagSeverity == ops.SeverityCritical {
			txt = st.Level(level(l.LagSeverity)).Render(g.Level(level(l.LagSeverity)) + " " + lag)
		}
		parts = append(parts, txt)
	}
	if l.HeartbeatAge > 0 || l.Status == ops.PeerConnected {
		// The age was measured when the links were judged, which happens
		// only when something can change; the time since is drawing.
		age := l.HeartbeatAge
		if l.HasHeartbeatAge && now.After(m.lastAssess) {
			age += now.Sub(m.lastAssess)
		}
		parts = append(parts, pad("hb "+ago(age), 7, ""))
	}
	if l.HasCanaryAge {
		parts = append(parts, pad("canary "+ms(l.CanaryAge), 12, ""))
	}
	if l.HasWALGap {
		if l.InSync {
			parts = append(parts, st.Level(level(ops.SeverityOK)).Render(g.InSync+" in sync"))
		} else {
			parts = append(parts, st.Muted.Render("root differs"))
		}
	}
	if l.Stale {
		parts = append(parts, st.Muted.Render("(primary unreachable: last known)"))
	}
	for _, r := range l.Reasons {
		if r.Severity == sev && sev != ops.SeverityOK {
			parts = append(parts, st.Level(level(sev)).Render(m.named(r.Text)))
			break
		}
	}
	return flowParts(parts, w, "    "+strings.Repeat(" ", cellWidth(g.Link)+1+nameW+2))
}

// flowParts joins parts with two spaces, starting a new line indented by
// indent when the next part would run past width w. The first part is never
// moved; a part wider than a whole line is left for the caller to fit.
func flowParts(parts []string, w int, indent string) []string {
	var lines []string
	iw := cellWidth(indent)
	cur, curW := parts[0], cellWidth(parts[0])
	for _, p := range parts[1:] {
		pw := cellWidth(p)
		if curW+2+pw > w && curW > iw {
			lines = append(lines, cur)
			cur, curW = indent+p, iw+pw
			continue
		}
		cur, curW = cur+"  "+p, curW+2+pw
	}
	return append(lines, cur)
}

// orphanSecondaries are secondaries of type t whose primary is not one of
// the configured clusters.
// orphanLine is a secondary with no configured primary linked to it; warn
// when the judge found it orphaned rather than merely unconfigured.
type orphanLine struct {
	text string
	warn bool
}

func (m *Model) orphanSecondaries(t ops.ReplicationType) []orphanLine {
	var out []orphanLine
	for i := range m.clusters {
		id := ClusterID(i)
		s, ok := m.typeOf(id, t)
		if !ok || s.Mode != ops.ModeSecondary {
			continue
		}
		if i < len(m.report.Clusters) {
			if why := m.report.Clusters[i].Of(t).Orphan; why != "" {
				out = append(out, orphanLine{"orphan " + m.clusters[i].spec.Name + " (" + stateWord(s) + "): " + why, true})
				continue
			}
		}
		if l, linked := m.upLink(t, id); linked && l.Primary != "" {
			continue
		}
		addr := s.PrimaryClusterAddr
		if addr == "" && len(s.KnownPrimaryClusterAddrs) > 0 {
			addr = s.KnownPrimaryClusterAddrs[0]
		}
		out = append(out, orphanLine{fmt.Sprintf("%s is a secondary (%s) of a primary not configured here: %s", m.clusters[i].spec.Name, stateWord(s), orDash(addr)), false})
	}
	return out
}
