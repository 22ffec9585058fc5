package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/vaultrepl/vaultrepl/ops"
)

// watchStep follows a new secondary until it streams WALs (the seed's
// "monitor replication"). It starts the moment activation succeeds, so its
// timeline begins there; this step shows it.
type watchStep struct{}

func init() { register(stWatch, watchStep{}) }

func (watchStep) crumb() string      { return "watch" }
func (watchStep) title(Model) string { return "watching the secondary" }

func (watchStep) enter(m Model) (Model, tea.Cmd) {
	if m.secondary == "" {
		return m.openSelect(fkTarget)
	}
	if m.primary == "" {
		m.primary = m.primaryOf(m.secondary)
	}
	if m.primary == "" {
		return m.openSelect(fkPrimary)
	}
	return m.startWatch()
}

func (watchStep) key(m Model, k tea.KeyMsg) (Model, tea.Cmd) {
	if m.ph == phWatching {
		return m.watchKey(k)
	}
	return m, nil
}

func (watchStep) view(m Model, avail int) (top, bottom []string) {
	if m.ph == phWatching {
		return m.watchView(avail)
	}
	return nil, nil
}

func (watchStep) explain(m Model) string {
	return "Step 4, the seed's \"monitor replication\": a new secondary bootstraps, compares merkle " +
		"trees (merkle-diff), copies what differs (merkle-sync) and then streams write-ahead logs " +
		"(stream-wals) with connection_state ready. The primary then lists it as connected in " +
		"secondaries[]. The command: " + cmdStatus(m.typ)
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
		// One line per event (room counts lines): a long one ends in an
		// ellipsis rather than being cut mid-word by the frame.
		line := fmt.Sprintf("  %7s  %s", "+"+humanDuration(e.At.Sub(w.Started)), m.levelText(e.Level, e.Text))
		out = append(out, ansi.Truncate(line, m.tw(), m.st.Glyphs.Ellipsis))
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

// startWatch shows the watch screen, starting the poll loop unless it is
// already following this secondary (it starts the moment activation
// succeeds, so the timeline begins there, not when the operator moves on).
func (m Model) startWatch() (Model, tea.Cmd) {
	m.step, m.ph = stWatch, phWatching
	m.gen++
	m.form, m.fk = nil, fkNone
	if m.watch.Secondary == m.secondary && m.watch.Type == m.typ && (m.watching() || m.watch.Done) {
		return m.spin()
	}
	return m.beginWatch()
}

// beginWatch starts following m.secondary; the loop has its own generation
// so that moving between screens does not drop its polls.
func (m Model) beginWatch() (Model, tea.Cmd) {
	m.watchGen++
	m.watch = watchState{Type: m.typ, Secondary: m.secondary, Primary: m.primary, ID: m.secondaryID, Started: m.d.Now()}
	sec, _ := m.cluster(m.secondary)
	pri, _ := m.cluster(m.primary)
	m, spin := m.spin()
	return m, tea.Batch(m.watchCmd(sec, pri), spin)
}

func (m Model) onWatch(msg watchMsg) (Model, tea.Cmd) {
	if msg.gen != m.watchGen || !m.watching() {
		return m, nil
	}
	m.watch = m.watch.observe(msg.obs, m.d.StuckAfter)
	if m.watch.Done {
		return m, nil
	}
	return m, m.watchAfter(m.d.Interval)
}

func (m Model) watchKey(k tea.KeyMsg) (Model, tea.Cmd) {
	if key.Matches(k, m.keys.Next) && m.watch.Done {
		if m.flow().after != nil {
			// A flow that routes its own steps (the failover flows watch a
			// secondary that update-primary moved: nothing was purged, so
			// there is no log-in to redo).
			return m.enterStep(m.stepAfter())
		}
		if m.typ == ops.Performance {
			m.loginFor, m.afterLogin = m.secondary, stNext
			return m.enterStep(stLogin)
		}
		return m.enterStep(stNext)
	}
	return m, nil
}
