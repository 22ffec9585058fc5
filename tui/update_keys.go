package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
)

// updateKeys splits runes that arrived in one read ("3L" when keys come
// fast, or from tmux send-keys) into single key presses: bubbletea groups
// them, and a grouped message would match no binding. Text inputs (the
// filter, the overlay) get them whole, as typed text.
func (m Model) updateKeys(msg tea.KeyMsg) (Model, tea.Cmd) {
	if msg.Type != tea.KeyRunes || len(msg.Runes) < 2 || msg.Paste || m.filtering || m.searching || m.overlay != nil {
		return m.updateKey(msg)
	}
	var cmds []tea.Cmd
	for i, r := range msg.Runes {
		var cmd tea.Cmd
		m, cmd = m.updateKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
		cmds = append(cmds, cmd)
		if m.quitting {
			break
		}
		if (m.filtering || m.searching) && i+1 < len(msg.Runes) {
			// "/" opened the filter: the rest is its text.
			m, cmd = m.updateKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: msg.Runes[i+1:]})
			cmds = append(cmds, cmd)
			break
		}
	}
	return m, tea.Batch(cmds...)
}

// updateKey routes a key press: ctrl+c always quits; a too-small terminal
// accepts only quit; then the overlay, the filter input, the lab menu and the
// screen get it, in that order.
func (m Model) updateKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	if key.Matches(msg, m.keys.ForceQuit) {
		cmd := m.quit()
		return m, cmd
	}
	if m.tooSmall() {
		if key.Matches(msg, m.keys.Quit) && m.overlay == nil && !m.filtering {
			cmd := m.quit()
			return m, cmd
		}
		return m, nil
	}
	if m.overlay != nil {
		var cmd tea.Cmd
		m.overlay, cmd = m.overlay.Update(msg)
		return m, cmd
	}
	if m.filtering {
		return m.updateFilterKey(msg)
	}
	if m.searching {
		return m.updateSearchKey(msg)
	}
	if m.labOpen {
		return m.updateLabKey(msg)
	}
	if key.Matches(msg, m.keys.Pause) {
		return m.togglePause()
	}
	if cmd, ok := m.refusedKey(msg); ok {
		return m, cmd
	}
	if cmd, ok := m.globalKey(msg); ok {
		return m, cmd
	}
	switch m.screen {
	case screenDashboard:
		return m.updateDashboardKey(msg)
	case screenDetail:
		return m.updateDetailKey(msg)
	case screenTopology, screenCommands, screenHelp:
		return m.updateScrollKey(msg)
	}
	return m, nil
}

// globalKey handles the keys that mean the same on every screen. It returns
// ok=false when msg is not one of them.
func (m *Model) globalKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit(), true
	case key.Matches(msg, k.Redraw):
		return tea.ClearScreen, true
	case key.Matches(msg, k.Refresh):
		if int(m.focus) < len(m.clusters) {
			return tea.Batch(m.refresh(m.focus), m.setFlash("refreshing "+m.Focused(), false)), true
		}
		return nil, true
	case key.Matches(msg, k.RefreshAll):
		return tea.Batch(m.refreshAll(), m.setFlash("refreshing every cluster", false)), true
	case key.Matches(msg, k.Help):
		m.toggleScreen(screenHelp)
		return nil, true
	case key.Matches(msg, k.Commands):
		m.toggleScreen(screenCommands)
		return nil, true
	case key.Matches(msg, k.Topology):
		m.toggleScreen(screenTopology)
		return nil, true
	case key.Matches(msg, k.Lab):
		m.labOpen, m.labCursor = true, 0
		return nil, true
	case key.Matches(msg, k.Copy):
		what, text, ok := m.copyTarget()
		if !ok {
			return m.setFlash("nothing to copy on this screen", true), true
		}
		return copyCmd(m.deps.Clipboard, what, text), true
	case msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && msg.Runes[0] == 'a' && (m.screen == screenDashboard || m.screen == screenDetail):
		// Matched by rune, not by k.Offer: the binding is disabled when
		// nothing is offered, and a refused a must still say why.
		return m.openOffer(), true
	case key.Matches(msg, k.Wizard):
		// The overlay gets everything below the header: it draws its own help.
		ov, cmd := m.deps.Wizard(m.ctx, m.Focused(), m.width, max(0, m.height-m.headerHeight()))
		m.overlay = ov
		return cmd, true
	}
	return nil, false
}

// toggleScreen opens s, or goes back when s is already open. The commands
// and help screens remember where they were opened from.
func (m *Model) toggleScreen(s screen) {
	if m.screen == s {
		m.screen, m.back = m.back, screenDashboard
		m.viewport.GotoTop()
		return
	}
	switch s {
	case screenCommands, screenHelp:
		if m.screen != screenCommands && m.screen != screenHelp {
			m.back = m.screen
		}
	default:
		m.back = screenDashboard
	}
	m.screen = s
	m.viewport.GotoTop()
}

func (m Model) updateDashboardKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.keys
	vis := m.visibleIDs()
	pos := indexOf(vis, m.focus)
	cols := m.gridLayout(len(vis)).cols
	switch {
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m, m.filter.Focus()
	case key.Matches(msg, k.Unhealthy):
		m.unhealthyOnly = !m.unhealthyOnly
		m.focusFirstIfHidden()
		if m.unhealthyOnly {
			return m, m.setFlash(unhealthyFlash, false)
		}
		if m.flash == unhealthyFlash {
			// It would be false now: every cluster is shown again.
			m.flash = ""
		}
		return m, nil
	case key.Matches(msg, k.Back):
		m.clearFilters()
	case key.Matches(msg, k.Sort):
		m.sortBy = m.sortBy.next()
		m.ensureFocusVisible()
		return m, m.setFlash("sorted by "+m.sortBy.String()+" (s changes it)", false)
	case key.Matches(msg, k.Enter):
		if len(vis) > 0 {
			m.screen = screenDetail
			m.viewport.GotoTop()
		}
	case key.Matches(msg, k.Next):
		m.moveTo(vis, (pos+1)%max(1, len(vis)))
	case key.Matches(msg, k.Prev):
		m.moveTo(vis, (pos-1+len(vis))%max(1, len(vis)))
	case key.Matches(msg, k.Right):
		m.moveTo(vis, pos+1)
	case key.Matches(msg, k.Left):
		m.moveTo(vis, pos-1)
	case key.Matches(msg, k.Down):
		m.moveRows(vis, pos, cols, 1)
	case key.Matches(msg, k.Up):
		m.moveRows(vis, pos, cols, -1)
	case key.Matches(msg, k.PageDown):
		m.moveRows(vis, pos, cols, max(1, m.gridLayout(len(vis)).visibleRows))
	case key.Matches(msg, k.PageUp):
		m.moveRows(vis, pos, cols, -max(1, m.gridLayout(len(vis)).visibleRows))
	case key.Matches(msg, k.Top):
		m.moveTo(vis, 0)
	case key.Matches(msg, k.Bottom):
		m.moveTo(vis, len(vis)-1)
	case key.Matches(msg, k.Jump):
		if n := int(msg.Runes[0] - '1'); n < len(vis) {
			m.moveTo(vis, n)
		}
	}
	return m, nil
}

func (m Model) updateDetailKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.keys
	vis := m.visibleIDs()
	pos := indexOf(vis, m.focus)
	switch {
	case key.Matches(msg, k.Back) && m.search != "":
		// esc ends the search first, then leaves the detail view.
		m.search = ""
		m.searchInput.SetValue("")
	case key.Matches(msg, k.Back):
		m.screen = screenDashboard
	case key.Matches(msg, k.Search):
		return m, m.startSearch()
	case key.Matches(msg, k.NextMatch) && m.search != "":
		return m, m.gotoMatch(1)
	case key.Matches(msg, k.PrevMatch) && m.search != "":
		return m, m.gotoMatch(-1)
	case key.Matches(msg, k.Next, k.Right):
		m.moveTo(vis, (pos+1)%max(1, len(vis)))
		m.viewport.GotoTop()
	case key.Matches(msg, k.Prev, k.Left):
		m.moveTo(vis, (pos-1+len(vis))%max(1, len(vis)))
		m.viewport.GotoTop()
	case key.Matches(msg, k.Jump):
		if n := int(msg.Runes[0] - '1'); n < len(vis) {
			m.moveTo(vis, n)
			m.viewport.GotoTop()
		}
	default:
		m.scroll(msg)
	}
	return m, nil
}

func (m Model) updateScrollKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Back):
		if m.screen == screenTopology {
			m.screen = screenDashboard
		} else {
			m.screen, m.back = m.back, screenDashboard
		}
		m.viewport.GotoTop()
	default:
		m.scroll(msg)
	}
	return m, nil
}

// scroll moves the viewport of a text screen.
func (m *Model) scroll(msg tea.KeyMsg) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Down):
		m.viewport.ScrollDown(1)
	case key.Matches(msg, k.Up):
		m.viewport.ScrollUp(1)
	case key.Matches(msg, k.PageDown):
		m.viewport.PageDown()
	case key.Matches(msg, k.PageUp):
		m.viewport.PageUp()
	case key.Matches(msg, k.Top):
		m.viewport.GotoTop()
	case key.Matches(msg, k.Bottom):
		m.viewport.GotoBottom()
	}
}

// updateFilterKey edits the filter. Every key goes to the text field (so q
// types a q), except enter (keep the filter) and esc (clear it).
func (m Model) updateFilterKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	switch msg.Type {
	case tea.KeyEnter:
		m.filtering = false
		m.filter.Blur()
		m.focusFirstIfHidden()
		return m, nil
	case tea.KeyEsc:
		m.filtering = false
		m.filter.Blur()
		m.filter.SetValue("")
		m.focusFirstIfHidden()
		return m, nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	m.focusFirstIfHidden()
	return m, cmd
}

func (m *Model) clearFilters() {
	m.filter.SetValue("")
	m.unhealthyOnly = false
	m.ensureFocusVisible()
}

// visibleIDs are the clusters the filter and the unhealthy toggle let through,
// in configured order.
func (m *Model) visibleIDs() []ClusterID {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	out := make([]ClusterID, 0, len(m.clusters))
	for i := range m.clusters {
		c := &m.clusters[i]
		if q != "" && !strings.Contains(strings.ToLower(c.spec.Name), q) && !strings.Contains(strings.ToLower(c.spec.Label), q) {
			continue
		}
		if m.unhealthyOnly && !m.unhealthy(ClusterID(i)) {
			continue
		}
		out = append(out, ClusterID(i))
	}
	m.sortIDs(out)
	return out
}

// unhealthy is what ! keeps: unreachable, warning or critical. Syncing is
// healthy, and unknown without an error (CE, not yet read) is not a fault.
func (m *Model) unhealthy(id ClusterID) bool {
	s := m.shownSeverity(id)
	return s == ops.SeverityWarning || s == ops.SeverityCritical
}

// shownSeverity is a cluster's severity as the dashboard shows it: the
// assessment cannot judge a cluster it cannot read (unknown), but the pane
// calls it ✗ unreachable and the legend files that under critical.
func (m *Model) shownSeverity(id ClusterID) ops.Severity {
	if m.clusters[id].lastErr != nil {
		return ops.SeverityCritical
	}
	return m.assessment(id).Severity
}

func indexOf(ids []ClusterID, id ClusterID) int {
	for i, v := range ids {
		if v == id {
			return i
		}
	}
	return 0
}

// unhealthyFlash is what ! says when it hides the healthy clusters.
const unhealthyFlash = "showing only unhealthy clusters (! shows all)"

// moveRows moves the focus by rows grid rows in a grid of cols columns,
// clamped to the first and last row. In the last row, which may be short,
// the focus goes to its last pane; from the last row down it stays put
// (in a 2×2 grid, j on pane 3 does not wander to pane 4).
func (m *Model) moveRows(vis []ClusterID, pos, cols, rows int) {
	if len(vis) == 0 || cols < 1 {
		return
	}
	lastRow := (len(vis) - 1) / cols
	row := max(0, min(pos/cols+rows, lastRow))
	m.moveTo(vis, min(row*cols+pos%cols, len(vis)-1))
}

// moveTo focuses the pos-th visible cluster (clamped) and scrolls to it.
func (m *Model) moveTo(vis []ClusterID, pos int) {
	if len(vis) == 0 {
		return
	}
	pos = max(0, min(pos, len(vis)-1))
	m.focus = vis[pos]
	m.ensureFocusVisible()
}

func (m *Model) focusFirstIfHidden() {
	vis := m.visibleIDs()
	if len(vis) == 0 {
		m.scrollRow = 0
		return
	}
	for _, id := range vis {
		if id == m.focus {
			m.ensureFocusVisible()
			return
		}
	}
	m.focus = vis[0]
	m.ensureFocusVisible()
}

// ensureFocusVisible scrolls the grid so the focused pane's row is drawn.
func (m *Model) ensureFocusVisible() {
	vis := m.visibleIDs()
	l := m.gridLayout(len(vis))
	row := indexOf(vis, m.focus) / max(1, l.cols)
	if row < m.scrollRow {
		m.scrollRow = row
	}
	if l.visibleRows > 0 && row >= m.scrollRow+l.visibleRows {
		m.scrollRow = row - l.visibleRows + 1
	}
	m.scrollRow = max(0, min(m.scrollRow, l.rows-l.visibleRows))
}

// refusedKey answers w and L in a read-only run, where the wizard and the
// lab's faults are off: a key that silently does nothing reads as a bug.
func (m *Model) refusedKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	if !m.deps.ReadOnly || msg.Type != tea.KeyRunes || len(msg.Runes) != 1 {
		return nil, false
	}
	switch {
	case msg.Runes[0] == 'w':
		return m.setFlash("read-only: the setup wizard is off (started with --read-only)", true), true
	case msg.Runes[0] == 'a' && (m.screen == screenDashboard || m.screen == screenDetail):
		return m.setFlash("read-only: revoking is off (started with --read-only)", true), true
	case msg.Runes[0] == 'L' && m.labReadOnly:
		return m.setFlash("read-only: lab faults are off (started with --read-only)", true), true
	}
	return nil, false
}

// focusedOffer is what the focused cluster's findings offer to run: the
// first warning or critical finding with an Offer, judged from data read
// just now (a stale pane offers nothing).
func (m *Model) focusedOffer() (ops.Offer, bool) {
	if int(m.focus) >= len(m.clusters) || !m.clusters[m.focus].reachable() {
		return ops.Offer{}, false
	}
	a := m.assessment(m.focus)
	for _, rs := range [][]ops.Reason{a.Reasons, a.Performance.Reasons, a.DR.Reasons} {
		for _, r := range rs {
			if r.Offer.Kind != ops.OfferNone && (r.Severity == ops.SeverityWarning || r.Severity == ops.SeverityCritical) {
				return r.Offer, true
			}
		}
	}
	return ops.Offer{}, false
}

// openOffer opens the wizard on what the focused cluster's finding offers
// (a), or says why not.
func (m *Model) openOffer() tea.Cmd {
	offer, ok := m.focusedOffer()
	switch {
	case !ok:
		return m.setFlash("a: no unused token on "+m.Focused()+" to revoke", true)
	case m.deps.Offer == nil:
		return m.setFlash("a: this run has no wizard to revoke with", true)
	}
	ov, cmd := m.deps.Offer(m.ctx, m.Focused(), offer, m.width, max(0, m.height-m.headerHeight()))
	m.overlay = ov
	return cmd
}
