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
	l := m.gridLayout(len(vis))
	paneH := m.drawnPaneHeight(vis, l)
	if paneH <= 0 || l.paneW <= 0 {
		return 0, false
	}
	row := y / paneH
	if row >= l.visibleRows {
		return 0, false
	}
	col := min(x/l.paneW, l.cols-1)
	i := (m.scrollRow+row)*l.cols + col
	if i >= len(vis) {
		return 0, false
	}
	return vis[i], true
}

// drawnPaneHeight is the height gridView gives every pane: the layout's,
// or less when every pane fits and the fullest needs less.
func (m *Model) drawnPaneHeight(vis []ClusterID, l layout) int {
	paneH := l.paneH
	if l.rows <= l.visibleRows && paneH > compactPaneHeight {
		now := m.deps.Now()
		natural := 0
		for i, id := range vis {
			w := l.paneW
			if i%l.cols == l.cols-1 {
				w = m.width - l.paneW*(l.cols-1)
			}
			num := 0
			if i < 9 {
				num = i + 1
			}
			natural = max(natural, len(m.cachedPaneLines(id, num, w, now))+2)
		}
		paneH = max(compactPaneHeight, min(paneH, natural))
	}
	return paneH
}
