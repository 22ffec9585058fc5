package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// View draws the screen. It is a pure function of the model and one reading
// of Deps.Now (relative times); it performs no I/O.
func (m Model) View() string {
	if m.quitting {
		return ""
	}
	if m.width == 0 || m.height == 0 {
		return "starting vaultrepl" + m.st.Glyphs.Ellipsis
	}
	if m.tooSmall() {
		return m.tooSmallView()
	}
	now := m.deps.Now()
	header, banner := m.headerView(now), ""
	if m.deps.Insecure {
		banner = m.bannerView()
	}
	bodyH := m.bodyHeight()
	if m.overlay != nil {
		return joinFrame(header, banner, fixHeight(m.overlay.View(), m.width, bodyH), "", false)
	}
	body := m.bodyView(now, bodyH)
	body = m.cache.body.get(&m.cache.mu, fitKey{body, m.width, bodyH}, func() string { return fixHeight(body, m.width, bodyH) })
	// Most frames follow a message that changed nothing on screen (a poll
	// timer, a result for a pane off screen): their parts are the very
	// strings drawn last time, compared in constant time, and the frame is
	// the one put together then.
	k := frameKey{header: header, banner: banner, body: body, footer: m.footerView()}
	return m.cache.frame.get(&m.cache.mu, k, func() string { return joinFrame(k.header, k.banner, k.body, k.footer, true) })
}

// frameKey is the parts a dashboard frame is put together from.
type frameKey struct{ header, banner, body, footer string }

func (k frameKey) equal(o frameKey) bool { return k == o }

// joinFrame puts a frame together: the header, the banner when there is
// one, the body and, with footer, the footer line.
func joinFrame(header, banner, body, footer string, withFooter bool) string {
	var b strings.Builder
	b.Grow(len(header) + len(banner) + len(body) + len(footer) + 3)
	b.WriteString(header)
	b.WriteByte('\n')
	if banner != "" {
		b.WriteString(banner)
		b.WriteByte('\n')
	}
	b.WriteString(body)
	if withFooter {
		b.WriteByte('\n')
		b.WriteString(footer)
	}
	return b.String()
}

func (m *Model) bodyView(now time.Time, height int) string {
	if m.labOpen {
		bg := ""
		if m.screen == screenDashboard {
			bg = m.gridView(now, height)
		} else {
			bg = m.viewport.View()
		}
		return overlay(bg, m.labBox(m.width), m.width, height)
	}
	switch m.screen {
	case screenDetail, screenTopology, screenCommands, screenHelp:
		return m.viewport.View()
	case screenDashboard:
		return m.gridView(now, height)
	}
	return ""
}

// headerHeight is the header line plus the TLS banner when it shows.
func (m *Model) headerHeight() int {
	if m.deps.Insecure {
		return 2
	}
	return 1
}

// bodyHeight is what is left for the body: the whole height below the
// header for an overlay (it draws its own help), else minus the footer.
func (m *Model) bodyHeight() int {
	h := m.height - m.headerHeight()
	if m.overlay == nil {
		h--
	}
	return max(0, h)
}

func (m *Model) tooSmallView() string {
	st := &m.st
	msg := st.Level(theme.LevelWarn).Render(fmt.Sprintf("terminal too small (need %d×%d, have %d×%d)", MinWidth, MinHeight, m.width, m.height))
	hint := st.Muted.Render("enlarge the window, or press q to quit")
	lines := []string{fit(msg, m.width, ""), fit(hint, m.width, "")}
	if m.height < 2 {
		lines = lines[:max(0, m.height)]
	}
	return place(m.width, m.height, strings.Join(lines, "\n"))
}

// headerKey is everything the header line shows.
type headerKey struct {
	width                 int
	second                int64
	reach, pending        int
	worst                 ops.Severity
	paused, unhealthyOnly bool
	filtering, overlay    bool
	sortBy                sortOrder
	screen                screen
	crumb, filter, scroll string
}

// headerView is the top line, drawn again only when what it shows changed.
func (m *Model) headerView(now time.Time) string {
	k := headerKey{width: m.width, second: now.Unix(), worst: m.report.Worst, paused: m.paused,
		unhealthyOnly: m.unhealthyOnly, filtering: m.filtering, overlay: m.overlay != nil, screen: m.screen,
		filter: m.filter.Value(), sortBy: m.sortBy}
	for i := range m.clusters {
		c := &m.clusters[i]
		switch {
		case c.reachable():
			k.reach++
		case c.polls == 0:
			k.pending++
		}
		k.worst = ops.Worst(k.worst, m.shownSeverity(ClusterID(i)))
	}
	if m.screen == screenDetail {
		k.crumb = m.Focused()
	}
	if m.screen == screenDashboard && m.overlay == nil {
		k.scroll = m.scrollInfo()
	}
	return m.cache.header.get(&m.cache.mu, k, func() string { return m.drawHeader(k, now) })
}

func (m *Model) drawHeader(k headerKey, now time.Time) string {
	st := &m.st
	g := st.Glyphs
	sep := " " + st.Muted.Render(g.Sep) + " "
	reach, pending := k.reach, k.pending
	n := len(m.clusters)
	lvl := theme.LevelOK
	switch {
	case reach+pending < n:
		lvl = theme.LevelCrit
	case pending > 0:
		lvl = theme.LevelUnknown
	}
	reachText := fmt.Sprintf("%d/%d reachable", reach, n)
	if pending > 0 {
		reachText += fmt.Sprintf(" (%d pending)", pending)
	}
	// Facts in order of importance; the optional ones at the end give way
	// on a narrow terminal, so the state of the fleet is always readable.
	parts := []string{
		st.Header.Title.Render("vaultrepl") + m.crumb(),
		st.Badge(lvl, reachText),
		"worst " + st.Badge(level(k.worst), k.worst.String()),
	}
	if k.paused {
		parts = append(parts, st.Header.Paused.Render(" PAUSED "))
	}
	if m.deps.ReadOnly {
		parts = append(parts, st.Header.ReadOnly.Render("read-only"))
	}
	if q := k.filter; q != "" && !k.filtering {
		parts = append(parts, st.Accent.Render("filter: "+q))
	}
	if k.unhealthyOnly {
		parts = append(parts, st.Accent.Render("unhealthy only"))
	}
	if k.sortBy != sortConfigured && k.screen == screenDashboard {
		parts = append(parts, st.Accent.Render("by "+k.sortBy.String()))
	}
	var optional []string
	if k.scroll != "" { // set only on the dashboard without an overlay
		optional = append(optional, st.Muted.Render(k.scroll))
	}
	if !k.paused {
		optional = append(optional, st.Muted.Render("every "+m.deps.Interval.String()))
	}
	optional = append(optional, st.Muted.Render(clock(now)))
	left := strings.Join(parts, sep)
	var right []string
	used := cellWidth(left)
	for _, o := range optional {
		if w := cellWidth(o) + 2; used+w <= m.width {
			right = append(right, o)
			used += w
		}
	}
	return spread(left, strings.Join(right, "  "), m.width, g.Ellipsis)
}

// crumb names the screen after the title.
func (m *Model) crumb() string {
	st := &m.st
	arrow := " " + st.Muted.Render(st.Glyphs.Focus) + " "
	if m.overlay != nil {
		return arrow + "wizard"
	}
	var s string
	switch m.screen {
	case screenDetail:
		s = m.Focused()
	case screenTopology:
		s = "topology"
	case screenCommands:
		s = "vault commands"
	case screenHelp:
		s = "help"
	case screenDashboard:
		return ""
	}
	return arrow + s
}

// scrollInfo says which panes are shown when not all of them fit
// (unstyled).
func (m *Model) scrollInfo() string {
	vis := m.visibleIDs()
	l := m.gridLayout(len(vis))
	if len(vis) < len(m.clusters) && l.rows <= l.visibleRows {
		return fmt.Sprintf("%d of %d shown", len(vis), len(m.clusters))
	}
	if l.rows <= l.visibleRows || len(vis) == 0 {
		return ""
	}
	first := m.scrollRow*l.cols + 1
	last := min(len(vis), (m.scrollRow+l.visibleRows)*l.cols)
	return fmt.Sprintf("%d-%d of %d", first, last, len(vis))
}

func (m *Model) bannerView() string {
	text := " WARNING: TLS verification is off (--insecure or VAULT_SKIP_VERIFY): cluster identities are not checked "
	if len(text) > m.width {
		// Exactly 80 cells: the smallest terminal drawn shows all of it.
		text = " WARNING: TLS not verified (--insecure/VAULT_SKIP_VERIFY): identities unchecked "
	}
	return m.st.Banner.Render(pad(text, m.width, m.st.Glyphs.Ellipsis))
}

func (m *Model) footerView() string {
	st := &m.st
	if m.filtering || m.searching {
		hint := st.Muted.Render("  enter keep " + st.Glyphs.Sep + " esc clear")
		in := m.filter.View()
		if m.searching {
			in = m.searchInput.View()
		}
		return fit(in+hint, m.width, st.Glyphs.Ellipsis)
	}
	left := ""
	if m.flash != "" {
		style := st.Flash
		if m.flashBad {
			style = st.Level(theme.LevelCrit)
		}
		// Up to half the line, or more for a longer message: "? more"
		// and "q quit" still fit beside it.
		room := max(m.width/2, min(cellWidth(m.flash), m.width-18))
		left = style.Render(fit(m.flash, room, st.Glyphs.Ellipsis)) + "  "
	}
	width := max(0, m.width-cellWidth(left))
	keys := m.shortHelp()
	var enabled strings.Builder
	for _, b := range keys {
		if b.Enabled() {
			enabled.WriteString(b.Help().Key + "\x00" + b.Help().Desc + "\x00")
		}
	}
	k := helpKey{width: width, keys: enabled.String()}
	help := m.cache.help.get(&m.cache.mu, k, func() string { return m.shortHelpLine(keys, width) })
	return fit(left+help, m.width, st.Glyphs.Ellipsis)
}

// shortHelpLine draws the footer's keys within width cells. keys come most
// useful first; those that do not fit are left out whole (never cut in the
// middle), and "? more" then says the full list is one key away. "?" and
// "q" always stay, at the end, so a newcomer can always find help and the
// way out.
func (m *Model) shortHelpLine(keys []key.Binding, width int) string {
	st := &m.st
	sep := st.Help.Sep.Render(m.help.ShortSeparator)
	item := func(b key.Binding) string {
		return st.Help.Key.Render(b.Help().Key) + " " + st.Help.Desc.Render(b.Help().Desc)
	}
	var help, quit *key.Binding
	var rest []key.Binding
	for i := range keys {
		b := keys[i]
		switch {
		case !b.Enabled():
		case help == nil && b.Help().Key == "?":
			help = &keys[i]
		case quit == nil && b.Help().Key == "q":
			quit = &keys[i]
		default:
			rest = append(rest, b)
		}
	}
	tail := func(dropped bool) []string {
		var t []string
		if help != nil {
			h := *help
			if dropped {
				h.SetHelp("?", "more")
			}
			t = append(t, item(h))
		}
		if quit != nil {
			t = append(t, item(*quit))
		}
		return t
	}
	total := func(parts []string) int {
		n := 0
		for i, p := range parts {
			if i > 0 {
				n += cellWidth(sep)
			}
			n += cellWidth(p)
		}
		return n
	}
	var shown []string
	for _, b := range rest {
		shown = append(shown, item(b))
	}
	if all := append(append([]string(nil), shown...), tail(false)...); total(all) <= width {
		return strings.Join(all, sep)
	}
	t := tail(true)
	var kept []string
	for _, s := range shown {
		if total(append(append(append([]string(nil), kept...), s), t...)) <= width {
			kept = append(kept, s)
		}
	}
	return fit(strings.Join(append(kept, t...), sep), width, st.Glyphs.Ellipsis)
}

// helpKey is what the key help line shows: the enabled keys and the width.
type helpKey struct {
	width int
	keys  string
}

// labMenuHelp is the key help while the lab menu is open; the number keys
// are named by how many entries the menu has (n), so no key is offered that
// does nothing.
func labMenuHelp(n int) []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		key.NewBinding(key.WithKeys("1"), key.WithHelp(labNumbers(n), "apply that one")),
		key.NewBinding(key.WithKeys("up"), key.WithHelp("j/k", "move")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}

// shortHelp lists the keys that apply right now, most useful first.
func (m *Model) shortHelp() []key.Binding {
	k := m.keys
	if m.labOpen {
		return labMenuHelp(len(m.labActions()))
	}
	switch m.screen {
	case screenDetail:
		if m.searching {
			return []key.Binding{searchKeep, searchClear}
		}
		if m.search != "" {
			return []key.Binding{k.NextMatch, k.Copy, k.Back, k.Search, k.Down, k.Help, k.Quit}
		}
		return []key.Binding{k.Back, k.Offer, k.Next, k.Down, k.Search, k.Copy, k.Lab, k.Wizard, k.Refresh, k.Commands, k.Help, k.Quit}
	case screenCommands:
		return []key.Binding{k.Back, k.Down, k.Copy, k.PageDown, k.Help, k.Quit}
	case screenTopology, screenHelp:
		return []key.Binding{k.Back, k.Down, k.PageDown, k.Help, k.Quit}
	case screenDashboard:
	}
	// What a newcomer needs first: open a cluster, the wizard and the lab
	// (the reasons to run the demo), the topology and the commands, then
	// finding; the rest is behind "? more" on a narrow terminal.
	return []key.Binding{k.Back, k.Offer, k.Enter, k.Wizard, k.Lab, k.Topology, k.Commands, k.Filter, k.Unhealthy, k.Sort, k.Copy, k.Next, k.Refresh, k.Pause, k.Help, k.Quit}
}

// fullHelp groups every key of the dashboard for the help screen: what
// each does on the cluster screens, not only on the help screen itself.
func (m *Model) fullHelp() [][]key.Binding {
	k := DefaultKeyMap()
	k.Lab.SetEnabled(m.deps.Lab != nil)
	k.Wizard.SetEnabled(m.deps.Wizard != nil)
	k.Offer.SetEnabled(m.deps.Offer != nil)
	k.Offer.SetHelp("a", "act on a finding (revoke an unused token)")
	k.Pause.SetHelp("p", "pause/resume")
	k.Unhealthy.SetHelp("!", "unhealthy only/all")
	k.Back.SetHelp("esc", "back, clear filter")
	k.Copy.SetHelp("y", "copy address, commands or field found")
	k.Sort.SetHelp("s", "sort by severity, name, lag")
	k.Search.SetHelp("/", "search details")
	return [][]key.Binding{
		{k.Up, k.Down, k.Left, k.Right, k.Next, k.Prev, k.Jump, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Enter, k.Back, k.Topology, k.Commands, k.Filter, k.Unhealthy, k.Sort, k.Search, k.NextMatch, k.Help},
		{k.Refresh, k.RefreshAll, k.Pause, k.Copy, k.Lab, k.Wizard, k.Offer, k.Redraw, k.Quit, k.ForceQuit},
	}
}

// syncKeys enables exactly the bindings that do something now, and words
// the toggles by what they will do. Disabled bindings match no key and are
// left out of help.
func (m *Model) syncKeys() {
	k := &m.keys
	n := len(m.visibleIDs())
	dash := m.screen == screenDashboard
	detail := m.screen == screenDetail
	nav := (dash || detail) && n > 1
	for _, b := range []*key.Binding{&k.Left, &k.Right, &k.Next, &k.Prev, &k.Jump} {
		b.SetEnabled(nav)
	}
	scrollable := !dash || n > 1
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom} {
		b.SetEnabled(scrollable)
	}
	if dash {
		k.Down.SetHelp("j/down", "down")
	} else {
		k.Down.SetHelp("j/k", "scroll")
	}
	k.Enter.SetEnabled(dash && n > 0)
	k.Back.SetEnabled(!dash || m.filter.Value() != "" || m.unhealthyOnly)
	if dash {
		k.Back.SetHelp("esc", "clear filter")
	} else {
		k.Back.SetHelp("esc", "back")
	}
	k.Filter.SetEnabled(dash && len(m.clusters) > 1)
	k.Unhealthy.SetEnabled(dash && len(m.clusters) > 0)
	if m.unhealthyOnly {
		k.Unhealthy.SetHelp("!", "show all")
	} else {
		k.Unhealthy.SetHelp("!", "unhealthy only")
	}
	if m.paused {
		k.Pause.SetHelp("p", "resume")
	} else {
		k.Pause.SetHelp("p", "pause")
	}
	has := len(m.clusters) > 0
	k.Refresh.SetEnabled(has && (dash || detail))
	k.RefreshAll.SetEnabled(has)
	k.Pause.SetEnabled(has)
	k.Topology.SetEnabled(has)
	k.Lab.SetEnabled(m.deps.Lab != nil && has && (dash || detail))
	k.Wizard.SetEnabled(m.deps.Wizard != nil && (dash || detail))
	_, offered := m.focusedOffer()
	k.Offer.SetEnabled(m.deps.Offer != nil && (dash || detail) && offered)
}

// syncViewport regenerates the text of a scrolling screen after any change,
// keeping the scroll position, and re-enables the keys for the new state.
func (m *Model) syncViewport() {
	m.syncKeys()
	if m.screen == screenDashboard || m.tooSmall() {
		return
	}
	now := m.deps.Now()
	m.viewport.Width = m.width
	m.viewport.Height = m.bodyHeight()
	var content string
	switch m.screen {
	case screenDetail:
		content = m.detailContent(now)
	case screenTopology:
		content = m.topologyContent(now)
	case screenCommands:
		content = m.commandsContent()
	case screenHelp:
		content = m.helpContent()
	case screenDashboard:
	}
	y := m.viewport.YOffset
	m.viewport.SetContent(content)
	m.viewport.SetYOffset(y)
}

// fixHeight pads or cuts s to exactly height lines of at most width cells.
func fixHeight(s string, width, height int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		if cellWidth(l) > width {
			lines[i] = ansi.Truncate(l, width, "")
		}
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
