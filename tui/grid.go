package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vaultrepl/vaultrepl/theme"
)

const (
	// minPaneWidth decides the number of columns: one at 80 cells, two at
	// 160, three from 234.
	minPaneWidth = 78
	// compactPaneHeight is a pane with three content lines (name, Perf, DR)
	// inside its border: four of them fit in 80×24 with header and footer.
	compactPaneHeight = 5
	// maxPaneHeight is the most a pane grows; beyond it there is nothing
	// more to show and the grid keeps its shape.
	maxPaneHeight = 22
)

// layout is the grid geometry for n visible panes in the body.
type layout struct {
	cols, rows  int // columns; rows needed for every visible pane
	paneW       int // outer width of a pane (the last column takes the remainder)
	paneH       int // outer height of every pane
	visibleRows int // rows that fit
}

func (m *Model) gridLayout(n int) layout {
	bodyH := m.bodyHeight()
	l := layout{cols: max(1, m.width/minPaneWidth)}
	if n > 0 {
		l.cols = min(l.cols, n)
	}
	l.paneW = m.width / l.cols
	l.rows = (n + l.cols - 1) / l.cols
	if l.rows == 0 {
		return l
	}
	fits := bodyH / compactPaneHeight
	if l.rows <= fits {
		l.paneH = min(maxPaneHeight, bodyH/l.rows)
		l.visibleRows = l.rows
	} else {
		l.visibleRows = max(1, fits)
		l.paneH = bodyH / l.visibleRows
	}
	l.paneH = max(l.paneH, min(compactPaneHeight, bodyH))
	return l
}

// gridGeom is how the visible panes are drawn this frame.
type gridGeom struct {
	l       layout
	compact bool      // every pane draws its compact form
	rowH    []int     // height of each drawn row, from the first drawn row
	built   [][]pline // full lines by position in vis, when every pane fits
	events  bool      // the box of recent events fills the space below
}

// paneNum is the jump key of the i-th visible pane (0: none).
func paneNum(i int) int {
	if i < 9 {
		return i + 1
	}
	return 0
}

// colWidth is the outer width of column c (the last takes the remainder).
func (m *Model) colWidth(l layout, c int) int {
	if c == l.cols-1 {
		return m.width - l.paneW*(l.cols-1)
	}
	return l.paneW
}

// gridGeometry lays out the drawn rows. When every pane fits, panes are as
// tall as the fullest one needs (no taller), and the space left below shows
// the recent transitions. Otherwise the lines the uniform rows leave over go
// to rows whose panes would cut lines, so that on 80×24 or 120×40 a pane
// shows one more line rather than the screen keeping two blank ones.
func (m *Model) gridGeometry(vis []ClusterID, height int, now time.Time) gridGeom {
	l := m.gridLayout(len(vis))
	g := gridGeom{l: l, compact: l.paneH <= compactPaneHeight}
	paneH := l.paneH
	natural := 0
	if l.rows <= l.visibleRows && !g.compact {
		g.built = make([][]pline, len(vis))
		for i, id := range vis {
			g.built[i] = m.cachedPaneLines(id, paneNum(i), m.colWidth(l, i%l.cols), now)
			natural = max(natural, len(g.built[i])+2)
		}
		paneH = max(compactPaneHeight, min(paneH, natural))
	}
	drawnRows := max(0, min(l.rows, m.scrollRow+l.visibleRows)-m.scrollRow)
	g.rowH = make([]int, drawnRows)
	for r := range g.rowH {
		g.rowH[r] = paneH
	}
	left := height - drawnRows*paneH
	g.events = left >= 5 && l.rows <= l.visibleRows
	if g.events || left <= 0 || (g.built != nil && paneH >= natural) {
		return g
	}
	need := make([]int, drawnRows) // the most lines a pane of each row has
	for r := range need {
		for c := 0; c < l.cols; c++ {
			i := (m.scrollRow+r)*l.cols + c
			if i >= len(vis) {
				break
			}
			if g.built != nil {
				need[r] = max(need[r], len(g.built[i])+2)
			} else {
				need[r] = max(need[r], len(m.cachedCompactLines(vis[i], paneNum(i), m.colWidth(l, c), now))+2)
			}
		}
	}
	for grew := true; left > 0 && grew; {
		grew = false
		for r := range g.rowH {
			if left > 0 && g.rowH[r] < need[r] {
				g.rowH[r]++
				left--
				grew = true
			}
		}
	}
	return g
}

// gridView draws the visible rows of panes, and below them, when there is
// room, the recent events.
func (m *Model) gridView(now time.Time, height int) string {
	vis := m.visibleIDs()
	if len(vis) == 0 {
		return m.emptyView(height)
	}
	g := m.gridGeometry(vis, height, now)
	l := g.l
	// The grid is the same as last frame's when every pane drawn is (and so
	// is the events box): most frames follow a message that changed nothing
	// on screen.
	key := gridKey{width: m.width, height: height, scroll: m.scrollRow, panes: make([]gridPane, 0, min(len(vis), l.visibleRows*l.cols))}
	for r, h := range g.rowH {
		for c := 0; c < l.cols; c++ {
			if i := (m.scrollRow+r)*l.cols + c; i < len(vis) {
				k := m.paneKey(vis[i], paneNum(i), m.colWidth(l, c), h, now)
				k.compact = g.compact
				key.panes = append(key.panes, gridPane{id: vis[i], key: k})
			}
		}
	}
	if g.events {
		key.second = now.Unix() // the events' ages ("4s")
		for _, id := range vis {
			ev := m.clusters[id].events
			mark := eventMark{n: len(ev)}
			if len(ev) > 0 {
				mark.last = ev[len(ev)-1]
			}
			key.events = append(key.events, mark)
		}
	}
	return m.cache.grid.get(&m.cache.mu, key, func() string {
		// One builder for the whole grid: each screen line is its panes'
		// lines side by side, written once (no per-row concatenation).
		var b strings.Builder
		b.Grow(height * (m.width + 64*l.cols))
		lines := 0
		newline := func() {
			if lines > 0 {
				b.WriteByte('\n')
			}
			lines++
		}
		drawn := 0 // index in key.panes, which lists the drawn panes in this order
		row := make([][]string, l.cols)
		for r, h := range g.rowH {
			for c := 0; c < l.cols; c++ {
				i := (m.scrollRow+r)*l.cols + c
				if i < len(vis) {
					var built []pline
					if g.built != nil {
						built = g.built[i]
					}
					row[c] = m.cachedPaneView(vis[i], key.panes[drawn].key, paneNum(i), m.colWidth(l, c), h, g.compact, now, built)
					drawn++
				} else {
					row[c] = blankLines(m.colWidth(l, c), h)
				}
			}
			for y := 0; y < h; y++ {
				newline()
				for c := range row {
					b.WriteString(row[c][y])
				}
			}
		}
		if left := height - lines; left >= 5 && g.events {
			newline()
			b.WriteString(m.eventsView(vis, left, now))
		}
		return b.String()
	})
}

// eventsView is a box of the newest transitions of the visible clusters.
func (m *Model) eventsView(vis []ClusterID, height int, now time.Time) string {
	st := &m.st
	box := st.Pane.Box
	innerW := m.width - box.GetHorizontalFrameSize()
	innerH := height - box.GetVerticalFrameSize()
	type row struct {
		e    event
		name string
	}
	var all []row
	for _, id := range vis {
		for _, e := range m.clusters[id].events {
			all = append(all, row{e, m.clusters[id].spec.Name})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].e.at.After(all[j].e.at) })
	nameW := 0
	for _, id := range vis {
		// Names are never cut: the event text gives way instead.
		nameW = max(nameW, cellWidth(m.clusters[id].spec.Name))
	}
	lines := []string{spread(st.Pane.Section.Render("Recent events"), st.Muted.Render("enter on a cluster shows its whole timeline"), innerW, st.Glyphs.Ellipsis)}
	for _, r := range all {
		if len(lines) >= innerH {
			break
		}
		lv := level(r.e.level)
		lines = append(lines, fit(fmt.Sprintf("%s  %s  %s %s", st.Muted.Render(clock(r.e.at)+" "+pad(ago(now.Sub(r.e.at)), 6, "")),
			pad(r.name, nameW, st.Glyphs.Ellipsis), st.Level(lv).Render(st.Glyphs.Level(lv)), r.e.text), innerW, st.Glyphs.Ellipsis))
	}
	if len(all) == 0 {
		lines = append(lines, st.Muted.Render("no transitions yet"))
	}
	for i := range lines {
		lines[i] = pad(lines[i], innerW, st.Glyphs.Ellipsis)
	}
	for len(lines) < innerH {
		lines = append(lines, strings.Repeat(" ", innerW))
	}
	return strings.Join(frame(m.ink.box, box, lines[:innerH], innerW), "\n")
}

func (m *Model) emptyView(height int) string {
	st := &m.st
	var msg string
	switch {
	case len(m.clusters) == 0:
		msg = "No clusters configured.\n\nAdd them to the config file (vaultrepl info shows where),\npass --cluster name=https://vault:8200, or set VAULT_ADDR,\nor try the lab: vaultrepl demo"
	case m.unhealthyOnly && m.filter.Value() == "":
		msg = st.Badge(theme.LevelOK, "no unhealthy cluster") + "\n\n" + st.Muted.Render("! shows all clusters again")
	default:
		msg = "No cluster matches the filter.\n\n" + st.Muted.Render("esc clears it")
	}
	return place(m.width, height, msg)
}

// blankLines are h lines of w spaces.
func blankLines(w, h int) []string {
	line := strings.Repeat(" ", w)
	lines := make([]string, h)
	for i := range lines {
		lines[i] = line
	}
	return lines
}
