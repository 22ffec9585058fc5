package tui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// updateMouse handles the mouse when Deps.Mouse is on: a left click on a
// pane focuses it, the wheel scrolls the grid or the text screen. Without
// --mouse the terminal keeps the mouse, so text can be selected.
func (m Model) updateMouse(msg tea.MouseMsg) (Model, tea.Cmd) {
	if m.overlay != nil {
		return m.forward(msg)
	}
	if !m.deps.Mouse || m.tooSmall() {
		return m, nil
	}
	if m.labOpen || m.filtering || m.searching {
		return m, nil
	}
	wheel := 0
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		wheel = -1
	case tea.MouseButtonWheelDown:
		wheel = 1
	case tea.MouseButtonLeft:
		if msg.Action == tea.MouseActionPress && m.screen == screenDashboard {
			if id, ok := m.paneAt(msg.X, msg.Y); ok {
				m.focus = id
				m.ensureFocusVisible()
			}
		}
		return m, nil
	default:
		return m, nil
	}
	if m.screen != screenDashboard {
		if wheel < 0 {
			m.viewport.ScrollUp(3)
		} else {
			m.viewport.ScrollDown(3)
		}
		return m, nil
	}
	vis := m.visibleIDs()
	l := m.gridLayout(len(vis))
	m.scrollRow = max(0, min(m.scrollRow+wheel, l.rows-l.visibleRows))
	// The focus follows into view, so keys act on a pane that is drawn.
	pos := indexOf(vis, m.focus)
	if row := pos / max(1, l.cols); row < m.scrollRow || row >= m.scrollRow+l.visibleRows {
		first := m.scrollRow * l.cols
		if row >= m.scrollRow+l.visibleRows {
			first = min(len(vis)-1, (m.scrollRow+l.visibleRows)*l.cols-1)
		}
		if first >= 0 && first < len(vis) {
			m.focus = vis[first]
		}
	}
	return m, nil
}

// paneAt is the cluster whose pane is drawn at cell (x, y) of the screen.
func (m *Model) paneAt(x, y int) (ClusterID, bool) {
	vis := m.visibleIDs()
	y -= m.headerHeight()
	if y < 0 || len(vis) == 0 {
		return 0, false
	}
	g := m.gridGeometry(vis, m.bodyHeight(), m.deps.Now())
	if g.l.paneW <= 0 {
		return 0, false
	}
	col := min(x/g.l.paneW, g.l.cols-1)
	for r, h := range g.rowH {
		if y < h {
			if i := (m.scrollRow+r)*g.l.cols + col; i < len(vis) {
				return vis[i], true
			}
			return 0, false
		}
		y -= h
	}
	return 0, false
}
