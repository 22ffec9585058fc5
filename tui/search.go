package tui

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// The detail view's search (/): it covers every field, the peers tables
// and the event timeline. n and N move between matching lines, y copies
// the value of the line found, esc ends the search.

// searchKeep and searchClear are the footer's help while typing a search.
var (
	searchKeep  = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep"))
	searchClear = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))
)

// matchLines are the indexes of the lines of content (styled) whose text
// contains q, ignoring case.
func matchLines(content, q string) []int {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return nil
	}
	var out []int
	for i, l := range strings.Split(content, "\n") {
		if strings.Contains(strings.ToLower(ansi.Strip(l)), q) {
			out = append(out, i)
		}
	}
	return out
}

// markMatches draws the lines that match the search in the accent colour
// with a marker, the current one reversed, so they stand out in any theme
// (and without colour: the marker).
func (m *Model) markMatches(content string) string {
	if m.search == "" {
		return content
	}
	lines := strings.Split(content, "\n")
	idx := matchLines(content, m.search)
	for n, i := range idx {
		text := strings.TrimRight(ansi.Strip(lines[i]), " ")
		style := m.st.Accent
		if n == m.match%max(1, len(idx)) {
			style = style.Reverse(true)
		}
		lines[i] = m.st.Accent.Render(m.st.Glyphs.Focus) + style.Render(strings.TrimPrefix(text, " "))
	}
	return strings.Join(lines, "\n")
}

// updateSearchKey edits the search as it is typed, jumping to the first
// match; enter keeps it, esc clears it.
func (m Model) updateSearchKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	switch msg.Type {
	case tea.KeyEnter:
		m.searching = false
		m.searchInput.Blur()
		return m, m.gotoMatch(0)
	case tea.KeyEsc:
		m.searching = false
		m.searchInput.Blur()
		m.searchInput.SetValue("")
		m.search = ""
		return m, nil
	}
	var cmd tea.Cmd
	m.searchInput, cmd = m.searchInput.Update(msg)
	m.search = m.searchInput.Value()
	m.match = 0
	m.jumpToMatch()
	return m, cmd
}

// startSearch opens the search input in the detail view.
func (m *Model) startSearch() tea.Cmd {
	m.searching = true
	m.searchInput.SetValue("")
	m.search = ""
	return m.searchInput.Focus()
}

// gotoMatch moves by delta matches (wrapping) and says where it is.
func (m *Model) gotoMatch(delta int) tea.Cmd {
	idx := matchLines(m.detailContent(m.deps.Now()), m.search)
	if len(idx) == 0 {
		if m.search == "" {
			return nil
		}
		return m.setFlash(fmt.Sprintf("no match for %q", m.search), true)
	}
	m.match = ((m.match+delta)%len(idx) + len(idx)) % len(idx)
	m.jumpToMatch()
	return m.setFlash(fmt.Sprintf("match %d of %d (n/N: next/previous, y: copy)", m.match+1, len(idx)), false)
}

// jumpToMatch scrolls so that the current match is in view, a little
// below the top.
func (m *Model) jumpToMatch() {
	idx := matchLines(m.detailContent(m.deps.Now()), m.search)
	if len(idx) == 0 {
		return
	}
	m.viewport.SetYOffset(max(0, idx[m.match%len(idx)]-2))
}

// kvLine splits a detail line "  key  value" into its key and value. It is
// compiled on first use: commands that never draw link this package too.
var kvLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*(\S(?:.*?\S)?)\s{2,}(\S.*?)\s*$`)
})

// foundField is the line the search is on, as what y copies: the value of
// a "key  value" field, else the whole line.
func (m *Model) foundField() (what, text string, ok bool) {
	content := m.detailContent(m.deps.Now())
	idx := matchLines(content, m.search)
	if len(idx) == 0 {
		return "", "", false
	}
	line := strings.TrimSpace(ansi.Strip(strings.Split(content, "\n")[idx[m.match%len(idx)]]))
	line = strings.TrimSpace(strings.TrimPrefix(line, m.st.Glyphs.Focus)) // the match marker
	if p := kvLine().FindStringSubmatch(line); p != nil {
		return p[1], p[2], true
	}
	return "the line found", line, true
}
