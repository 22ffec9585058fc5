package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// Line priorities: when a pane is short, lines go from the highest number
// down (and the last of equals first). 0 always stays: the name line, the
// error, the one-line summary of each replication type.
const (
	prioKeep = iota
	prioReason
	prioProgress
	prioDetail
)

// pline is one line of a pane before fitting.
type pline struct {
	text string
	prio int
	data bool // last-known data: dimmed when the latest read failed
}

// paneView draws one cluster as a w×h box, returned as h lines. lines, when
// not nil, are the pane's lines already built for this width.
// num is the pane's 1–9 jump key (0: none). compact draws the compact form
// (as every pane of at most three lines does), so that panes of one grid
// look alike when some rows are a line taller.
func (m *Model) paneView(id ClusterID, num, w, h int, compact bool, now time.Time, lines []pline) []string {
	c := &m.clusters[id]
	box, bk := m.paneBox(c.spec.Protected, id == m.focus)
	innerW := max(1, w-box.GetHorizontalFrameSize())
	innerH := max(1, h-box.GetVerticalFrameSize())
	compact = compact || innerH <= 3
	switch {
	case compact:
		// The grid measured these already (gridGeometry): the same lines.
		lines = m.cachedCompactLines(id, num, w, now)
	case lines == nil:
		lines = m.newPaneCtx(id, num, innerW, false, now).lines()
	}
	all := len(lines)
	lines = fitLines(lines, innerH)
	stale := c.stale()
	g := m.st.Glyphs.Ellipsis
	content := make([]string, innerH)
	for i := range content {
		var text string
		if i < len(lines) {
			text = lines[i].text
			if stale && lines[i].data {
				text = m.ink.stale.r(fit(text, innerW, g))
			}
		}
		content[i] = pad(text, innerW, g)
	}
	out := frame(bk, box, content, innerW)
	if cut := all - len(lines); cut > 0 {
		// Lines that did not fit are never dropped silently: the bottom
		// border says how many, and where they are.
		out[len(out)-1] = bk.r(borderNote(box, innerW, fmt.Sprintf(" %s %d more %s: enter ", g, cut, plural(cut, "line", "lines"))))
	}
	return out
}

// borderNote is box's bottom border with note set into it near the right
// end, or the plain border when the note does not fit.
func borderNote(box lipgloss.Style, innerW int, note string) string {
	b := box.GetBorderStyle()
	span := innerW + box.GetPaddingLeft() + box.GetPaddingRight()
	nw := cellWidth(note)
	if nw+4 > span {
		return b.BottomLeft + strings.Repeat(b.Bottom, span) + b.BottomRight
	}
	return b.BottomLeft + strings.Repeat(b.Bottom, span-nw-2) + note + strings.Repeat(b.Bottom, 2) + b.BottomRight
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (m *Model) newPaneCtx(id ClusterID, num, innerW int, compact bool, now time.Time) *paneCtx {
	c := &m.clusters[id]
	return &paneCtx{m: m, st: &m.st, c: c, id: id, num: num, a: m.assessment(id), w: innerW, compact: compact, now: now, stale: c.stale(), k: &m.ink}
}

// paneLines builds the full (not compact) lines of a pane w cells wide.
func (m *Model) paneLines(id ClusterID, num, w int, now time.Time) []pline {
	box, _ := m.paneBox(m.clusters[id].spec.Protected, id == m.focus)
	return m.newPaneCtx(id, num, max(1, w-box.GetHorizontalFrameSize()), false, now).lines()
}

// paneBox is the box style of a pane and the ink of its border.
func (m *Model) paneBox(protected, focused bool) (lipgloss.Style, ink) {
	switch {
	case protected && focused:
		return m.st.Pane.ProtectedFocused, m.ink.protectedFocused
	case protected:
		return m.st.Pane.Protected, m.ink.protected
	case focused:
		return m.st.Pane.Focused, m.ink.focused
	}
	return m.st.Pane.Box, m.ink.box
}

// fitLines drops the least important lines until at most h remain.
func fitLines(lines []pline, h int) []pline {
	for len(lines) > h {
		worst := 0
		for i, l := range lines {
			if l.prio >= lines[worst].prio {
				worst = i
			}
		}
		lines = append(lines[:worst:worst], lines[worst+1:]...)
	}
	return lines
}

// paneCtx carries what one pane's lines are built from.
type paneCtx struct {
	m       *Model
	st      *theme.Styles
	c       *clusterState
	id      ClusterID
	num     int
	a       ops.ClusterAssessment
	w       int
	compact bool
	stale   bool // data lines are drawn unstyled, then dimmed as a whole
	k       *inks
	now     time.Time
}

// sty styles s unless the line will be dimmed as a whole (nested styles
// would cancel the dimming).
func (p *paneCtx) sty(k ink, s string) string {
	if p.stale {
		return s
	}
	return k.r(s)
}

func (p *paneCtx) badge(sev ops.Severity, word string) string {
	if p.stale {
		return p.st.Glyphs.Level(level(sev)) + " " + word
	}
	return p.k.badge(level(sev), word)
}

func (p *paneCtx) sep() string { return " " + p.sty(p.k.muted, p.st.Glyphs.Sep) + " " }

func (p *paneCtx) kv(k, v string) string { return p.sty(p.k.key, k) + " " + v }

func (p *paneCtx) lines() []pline {
	c := p.c
	out := []pline{{text: p.title(), prio: prioKeep}}
	if n := p.m.labNote(c.spec.Name); n != "" {
		out = append(out, pline{text: p.k.accent.r(n), prio: prioReason})
	}
	switch {
	case c.lastErr != nil:
		out = append(out, p.errorLines()...)
		if c.snap == nil {
			return out
		}
	case c.snap == nil:
		return append(out, pline{text: p.k.muted.r("waiting for the first status read" + p.st.Glyphs.Ellipsis), prio: prioKeep})
	}
	if !p.compact {
		out = append(out, pline{text: p.healthLine(), prio: prioProgress, data: true})
	}
	notes, covered := p.notes()
	out = append(out, notes...)
	for _, r := range p.a.Reasons {
		// A failed read's finding is its error, shown above.
		if !covered && c.lastErr == nil && (r.Severity == ops.SeverityWarning || r.Severity == ops.SeverityCritical) {
			out = append(out, pline{text: p.offered(r, p.badge(r.Severity, p.m.named(r.Text)), p.w), prio: prioReason, data: true})
		}
	}
	r := c.snap.Replication
	if r == nil || r.CommunityEdition || r.Unsupported {
		return out
	}
	for _, t := range ops.ReplicationTypes {
		out = append(out, p.section(t, r.Of(t))...)
	}
	return out
}

// title is the name line: focus marker, jump number, name, label,
// PROTECTED, and the severity (with its first reason when compact). The
// name is never cut: when the line is too narrow, the age goes first, then
// the label, then the reason loses whole words from its end (so a cluster
// name in it is shown whole or not at all), then the read-only tag.
func (p *paneCtx) title() string {
	g, c := p.st.Glyphs, p.c
	marker := " "
	if p.id == p.m.focus {
		marker = p.k.accent.r(g.Focus)
	}
	num := ""
	if p.num > 0 {
		num = p.k.muted.r(strconv.Itoa(p.num)) + " "
	}
	name := marker + " " + num + p.k.title.r(c.spec.Name)
	label, protected, readOnly := "", "", ""
	if c.spec.Label != "" {
		label = "  " + p.k.label.r(c.spec.Label)
	}
	if c.spec.Protected {
		protected = "  " + p.k.tag.r(g.Protected+" PROTECTED")
	}
	switch {
	case c.spec.NoToken:
		// Without a token it can only be read where reads need none; it
		// takes the read-only tag's place (and is dropped as late).
		readOnly = "  " + p.k.muted.r("no token")
	case c.spec.ReadOnly && !p.m.deps.ReadOnly:
		// A read-only run says so once, in the header.
		readOnly = "  " + p.k.muted.r("read-only")
	}
	sev, word := p.a.Severity, p.a.Severity.String()
	explained := false // a note in the pane says it calmly; no reason here
	switch {
	case c.lastErr != nil:
		sev, word = p.m.shownSeverity(p.id), "unreachable"
	case c.snap == nil:
		word = "pending"
	case c.snap.Edition() == ops.EditionCommunity:
		word, explained = "Community Edition", true
	case c.snap.Replication != nil && c.snap.Replication.Unsupported:
		word, explained = "no replication licence", true
	case c.snap.Health != nil && c.snap.Health.Sealed:
		word, explained = "sealed", true
	}
	var reason []string
	age, hint := "", ""
	if p.compact {
		if r := p.topReason(); r != "" && c.lastErr == nil && !explained {
			reason = strings.Fields(r)
			// The key that acts on it stays when the reason is cut.
			if o := topOffer(p.a); o.Kind != ops.OfferNone && p.m.deps.Offer != nil {
				hint = " (a: " + o.Kind.String() + ")"
			}
		}
		if !c.lastOK.IsZero() {
			text, k := p.dataAge()
			age = "  " + k.r(text)
		}
	}
	right := func(words int) string {
		text := word
		if words > 0 {
			text += ": " + strings.Join(reason[:words], " ")
			if words < len(reason) {
				text += g.Ellipsis
			}
		}
		return p.k.badge(level(sev), text) + p.k.accent.r(hint)
	}
	line := func(words int) string {
		return spread(name+label+protected+readOnly, right(words)+age, p.w, g.Ellipsis)
	}
	fits := func(words int) bool {
		return cellWidth(name+label+protected+readOnly)+1+cellWidth(right(words)+age) <= p.w
	}
	words := len(reason)
	if fits(words) {
		return line(words)
	}
	age = ""
	if fits(words) {
		return line(words)
	}
	label = ""
	for words > 0 && !fits(words) {
		words--
	}
	if !fits(words) {
		readOnly = ""
	}
	return line(words)
}

// topReason is the first reason of the cluster's worst severity.
func (p *paneCtx) topReason() string {
	if p.a.Severity == ops.SeverityOK {
		return ""
	}
	return p.m.named(topReason(p.a))
}

// errorLines say since when and why the cluster cannot be read, what to
// do, and how old the data shown below is.
func (p *paneCtx) errorLines() []pline {
	st, c := p.st, p.c
	since := fmt.Sprintf("since %s (%s)", clock(c.errSince), ago(p.now.Sub(c.errSince)))
	out := []pline{{text: p.k.level(theme.LevelCrit).r(st.Glyphs.Crit+" "+since+": ") + errorSummary(c.lastErr), prio: prioKeep}}
	if h := errorHint(c.lastErr); h != "" {
		out = append(out, pline{text: p.k.hint.r("hint: " + h), prio: prioProgress})
	}
	retry := ""
	if c.armed && !p.m.paused {
		if d := c.nextPoll.Sub(p.now); d > 0 {
			retry = ", retry in " + ago(d+time.Second-1)
		}
	}
	if c.snap != nil {
		out = append(out, pline{text: p.k.muted.r(fmt.Sprintf("showing last good data from %s (%s old)%s", clock(c.lastOK), ago(p.now.Sub(c.lastOK)), retry)), prio: prioReason})
	} else {
		out = append(out, pline{text: p.k.muted.r("no data read yet" + retry), prio: prioReason})
	}
	return out
}

// healthLine is sys/health: version, active or standby, seal; and the age
// of the data.
func (p *paneCtx) healthLine() string {
	snap := p.c.snap
	var parts []string
	if h := snap.Health; h != nil {
		if h.Version != "" {
			parts = append(parts, "v"+strings.TrimPrefix(h.Version, "v"))
		}
		switch {
		case h.Sealed:
			// A sealed node reports standby: true; it is sealed, nothing else.
		case h.PerformanceStandby:
			parts = append(parts, "perf standby")
		case h.Standby:
			parts = append(parts, "standby")
		default:
			parts = append(parts, "active")
		}
		if h.Sealed {
			parts = append(parts, p.sty(p.k.level(theme.LevelCrit), "sealed"))
		} else {
			parts = append(parts, "unsealed")
		}
		if !h.Initialized {
			parts = append(parts, p.sty(p.k.level(theme.LevelWarn), "not initialised"))
		}
	} else {
		parts = append(parts, p.sty(p.k.level(theme.LevelWarn), "health unreadable: "+errorSummary(snap.HealthErr)))
	}
	age, k := p.dataAge()
	return spread(strings.Join(parts, p.sep()), p.sty(k, "updated "+age), p.w, p.st.Glyphs.Ellipsis)
}

// dataAge says how old the pane's data is, and the ink to say it in.
// While reads answer on time it is the bound they keep ("<3s ago"), the
// same text from one second to the next: a count cycling 0s, 1s told the
// operator nothing and redrew every pane on screen every second. Once the
// data is late (Model.dataLate: a read stuck, polling paused) or the latest
// read failed, it counts the seconds again, late data in the warning ink.
func (p *paneCtx) dataAge() (string, ink) {
	c := p.c
	switch {
	case c.lastErr != nil:
		return ago(p.now.Sub(c.lastOK)) + " ago", p.k.muted
	case p.m.dataLate(c, p.now):
		return ago(p.now.Sub(c.lastOK)) + " ago", p.k.level(theme.LevelWarn)
	}
	return "<" + ago(p.m.lateAfter()) + " ago", p.k.muted
}

// notes are calm explanations for states that are not errors: Community
// Edition, no replication licence, sealed, DR secondary, standby. covered
// says the note already explains the cluster-level findings.
func (p *paneCtx) notes() (out []pline, covered bool) {
	snap := p.c.snap
	note := func(prio int, text string) {
		for _, l := range wrapPlain(text, p.w) {
			out = append(out, pline{text: p.sty(p.k.note, l), prio: prio, data: true})
		}
	}
	h, r := snap.Health, snap.Replication
	covered = true
	switch {
	case h != nil && h.Sealed:
		// Sealed wins over the edition: a sealed CE node is sealed first.
		note(prioKeep, "sealed: only health answers; replication status returns once it is unsealed (vault operator unseal)")
	case snap.Edition() == ops.EditionCommunity:
		v := ""
		if h != nil && h.Version != "" {
			v = " (" + h.Version + ")"
		}
		note(prioKeep, "Community Edition"+v+": replication is a Vault Enterprise feature, so there is nothing to replicate here. Not an error.")
	case r != nil && r.Unsupported:
		note(prioKeep, "Vault Enterprise without replication in its licence: nothing to show. Not an error.")
	case r == nil:
		out = append(out, pline{text: p.sty(p.k.level(theme.LevelWarn), "replication status unreadable: "+errorSummary(snap.ReplicationErr)), prio: prioKeep, data: true})
	default:
		covered = false
	}
	if r != nil && !r.CommunityEdition && !r.Unsupported && r.Performance.Mode == ops.ModeDisabled && r.DR.Mode == ops.ModeDisabled {
		text := "no replication set up on this cluster yet"
		if p.m.deps.Wizard != nil {
			text += " (w opens the setup wizard)"
		}
		note(prioDetail, text)
	}
	if r != nil && r.DR.Mode == ops.ModeSecondary {
		note(prioReason, "DR secondary: a warm standby; serves no clients until promoted")
	}
	if h != nil && (h.Standby || h.PerformanceStandby) && !h.Sealed {
		note(prioDetail, "this address is a standby node: the replication modes shown are the active node's")
	}
	return out, covered
}

// section is one replication type: a summary line that always stays, then
// details, progress and reasons that give way in a small pane.
func (p *paneCtx) section(t ops.ReplicationType, s ops.TypeStatus) []pline {
	name := t.Title()
	nameW := len("Performance")
	if p.compact {
		name = map[ops.ReplicationType]string{ops.Performance: "Perf", ops.DR: "DR"}[t]
		nameW = 4
	}
	head := p.sty(p.k.section, pad(name, nameW, ""))
	if !s.Enabled() {
		// A disabled type is the first thing to give way in a short pane.
		prio := prioKeep
		if p.compact {
			prio = prioReason
		}
		return []pline{{text: head + "  " + p.sty(p.k.muted, modeWord(s)), prio: prio, data: true}}
	}
	left := head + "  " + pad(modeWord(s), 9, "") + " " + p.badge(stateSeverity(s.State), stateWord(s))
	if s.Mode == ops.ModeSecondary {
		left += p.sep() + p.kv("conn", p.badge(connSeverity(s.ConnectionState), connWord(s)))
	}
	out := []pline{{text: spread(left, p.sectionRight(t, s), p.w, p.st.Glyphs.Ellipsis), prio: prioKeep, data: true}}
	if !p.compact {
		for _, d := range p.sectionDetails(t, s) {
			out = append(out, pline{text: "  " + d, prio: prioDetail, data: true})
		}
	}
	if t == ops.Performance && s.Mode == ops.ModePrimary {
		out = append(out, p.filterLines()...)
	}
	// In a compact pane the progress bar outranks reasons: the title
	// already carries the top reason.
	progPrio := prioProgress
	if p.compact {
		progPrio = prioReason
	}
	for _, pr := range p.progress(s) {
		out = append(out, pline{text: "  " + pr, prio: progPrio, data: true})
	}
	if p.stale {
		// The reasons of an unreachable cluster are its error, shown above.
		return out
	}
	var top string // a compact pane shows its top reason elsewhere
	if p.compact {
		top = p.topReason()
	}
	for _, r := range p.a.Of(t).Reasons {
		text := p.m.named(r.Text)
		if r.Severity == ops.SeverityOK || (p.compact && text == top) {
			continue
		}
		out = append(out, pline{text: "  " + p.offered(r, p.badge(r.Severity, text), p.w-2), prio: prioReason, data: true})
	}
	return out
}

// sectionRight is the summary's right end: connected secondaries on a
// primary, lag and heartbeat on a secondary.
func (p *paneCtx) sectionRight(t ops.ReplicationType, s ops.TypeStatus) string {
	switch s.Mode {
	case ops.ModePrimary:
		conn, known := connectedSecondaries(s)
		sev := ops.SeverityOK
		if conn < known || conn < len(s.Secondaries) {
			sev = ops.SeverityWarning
		}
		if known == 0 && len(s.Secondaries) == 0 {
			return p.sty(p.k.muted, "no secondaries")
		}
		txt := fmt.Sprintf("%d/%d secondaries", conn, max(known, len(s.Secondaries)))
		if p.compact {
			txt += p.sep() + "wal " + strconv.FormatUint(s.PrimaryWAL(), 10)
		}
		return p.badgeText(sev, txt)
	case ops.ModeSecondary:
		parts := []string{p.lagText(t, s)}
		if p.compact {
			if hb, ok := worstHeartbeat(s.Primaries, p.heartbeatAt()); ok {
				parts = append(parts, "hb "+ago(hb))
			}
		}
		return strings.Join(parts, p.sep())
	}
	return ""
}

// badgeText colours plain text by severity without a glyph (the glyph is
// on the state already).
func (p *paneCtx) badgeText(sev ops.Severity, s string) string {
	if sev == ops.SeverityOK {
		return s
	}
	return p.sty(p.k.level(level(sev)), p.st.Glyphs.Level(level(sev))+" "+s)
}

// lagText is the lag to the primary with its unit ("lag 8 WAL", "in sync",
// "lag ? WAL" when the counters say nothing), coloured by the lag's own
// severity rather than the link's.
func (p *paneCtx) lagText(t ops.ReplicationType, s ops.TypeStatus) string {
	l, ok := p.m.upLink(t, p.id)
	if !ok {
		if s.HasLastRemoteWAL {
			return "lag ? WAL"
		}
		return ""
	}
	txt := l.LagText()
	if l.LagSeverity == ops.SeverityWarning || l.LagSeverity == ops.SeverityCritical {
		return p.badgeText(l.LagSeverity, txt)
	}
	return txt
}

func (p *paneCtx) sectionDetails(t ops.ReplicationType, s ops.TypeStatus) []string {
	sep := p.sep()
	var out []string
	merkle := ""
	if s.MerkleRoot != "" {
		merkle = p.kv("merkle", shortID(s.MerkleRoot))
	}
	if s.CorruptedMerkleTree {
		merkle += " " + p.sty(p.k.level(theme.LevelCrit), p.st.Glyphs.Crit+" CORRUPTED")
	}
	switch s.Mode {
	case ops.ModePrimary:
		links := p.m.downLinks(t, p.id)
		if n, in := syncedLinks(links); n > 0 && !s.CorruptedMerkleTree {
			merkle += " " + p.syncMark(in == n, fmt.Sprintf("%d/%d in sync", in, n))
		}
		out = append(out, join(sep, p.kv("set", shortID(s.ClusterID)), p.kv("wal", strconv.FormatUint(s.PrimaryWAL(), 10)), merkle))
		out = append(out, join(sep, p.peerSummary(s.Secondaries, true)...))
	case ops.ModeSecondary:
		l, linked := p.m.upLink(t, p.id)
		// The configured name first: on a narrow pane the address is
		// what gets cut.
		primary := s.PrimaryClusterAddr
		if linked && l.Primary != "" {
			primary = l.Primary + " " + s.PrimaryClusterAddr
		}
		out = append(out, join(sep, p.kv("set", shortID(s.ClusterID)), p.kv("primary", primary)))
		if linked && l.HasWALGap && !s.CorruptedMerkleTree {
			merkle += " " + p.syncMark(l.InSync, map[bool]string{true: "in sync", false: "root differs"}[l.InSync])
		}
		wal := ""
		if s.HasLastRemoteWAL {
			wal = p.kv("remote wal", strconv.FormatUint(s.LastRemoteWAL, 10))
		}
		lag := p.lagText(t, s)
		if linked && l.HasWALGap && l.InSync {
			lag = "" // the merkle mark says "in sync" already
		}
		out = append(out, join(sep, wal, lag, merkle))
		out = append(out, join(sep, p.peerSummary(s.Primaries, false)...))
	case ops.ModeBootstrapping, ops.ModeDisabled, ops.ModeUnknown, ops.ModeUnsupported:
		out = append(out, join(sep, p.kv("set", shortID(s.ClusterID)), merkle))
	}
	return out
}

// syncMark says whether merkle roots match. Differing roots are normal
// while writes flow (the two clusters are read moments apart), so they are
// muted rather than alarming; a corrupted tree is flagged elsewhere.
func (p *paneCtx) syncMark(ok bool, word string) string {
	if ok {
		return p.sty(p.k.level(theme.LevelOK), p.st.Glyphs.InSync+" "+word)
	}
	return p.sty(p.k.muted, word)
}

// peerSummary is counts, worst heartbeat age, worst clock skew and canary
// age over a primary's secondaries (secondaries true) or a secondary's
// primaries.
func (p *paneCtx) peerSummary(peers []ops.Peer, secondaries bool) []string {
	if len(peers) == 0 {
		if secondaries {
			return []string{p.sty(p.k.muted, "no secondary connected yet")}
		}
		return []string{p.sty(p.k.muted, "no primary connected")}
	}
	var parts []string
	hbWord := "primary hb"
	if secondaries {
		hbWord = "worst hb"
		parts = append(parts, p.kv("connected", fmt.Sprintf("%d/%d", connectedPeers(peers), len(peers))))
	}
	if hb, ok := worstHeartbeat(peers, p.heartbeatAt()); ok {
		parts = append(parts, p.kv(hbWord, ago(hb)))
	}
	if sk, ok := worstSkew(peers); ok {
		parts = append(parts, p.kv("skew", ms(sk)))
	}
	if ca, ok := worstCanary(peers); ok {
		parts = append(parts, p.kv("canary", ms(ca)))
	}
	return parts
}

// progress is merkle sync and reindex progress, when Vault reports them.
func (p *paneCtx) progress(s ops.TypeStatus) []string {
	var out []string
	barW := 10
	if p.compact {
		barW = 6
	}
	if ms := s.MerkleSync; ms != nil {
		out = append(out, fmt.Sprintf("merkle-sync %3d%% %s %d/%d keys", pct(ms.Progress, ms.TotalKeys),
			p.sty(p.k.level(theme.LevelSyncing), bar(p.st.Glyphs, ms.Progress, ms.TotalKeys, barW)), ms.Progress, ms.TotalKeys))
	}
	if ri := s.Reindex; ri != nil && ri.InProgress {
		stage := ri.Stage
		if stage == "" {
			stage = "running"
		}
		line := "reindex " + stage
		if ri.BuildingTotal > 0 {
			line += fmt.Sprintf(" %3d%% %s %d/%d", pct(ri.BuildingProgress, ri.BuildingTotal),
				p.sty(p.k.level(theme.LevelSyncing), bar(p.st.Glyphs, ri.BuildingProgress, ri.BuildingTotal, barW)), ri.BuildingProgress, ri.BuildingTotal)
		}
		out = append(out, line)
	}
	return out
}

func connectedSecondaries(s ops.TypeStatus) (connected, known int) {
	return connectedPeers(s.Secondaries), len(s.KnownSecondaries)
}

func connectedPeers(peers []ops.Peer) int {
	n := 0
	for _, pe := range peers {
		if pe.Status == ops.PeerConnected {
			n++
		}
	}
	return n
}

func syncedLinks(links []ops.Link) (n, inSync int) {
	for _, l := range links {
		if l.Secondary == "" || !l.HasWALGap {
			continue
		}
		n++
		if l.InSync {
			inSync++
		}
	}
	return n, inSync
}

// heartbeatAt is the instant a pane measures heartbeat ages at. While its
// data is fresh, the instant the data was read: the age then, which changes
// only with new data (it is less than Model.lateAfter short of the age now).
// A pane whose data is late or whose read failed counts ages every second
// anyway, and there a heartbeat falling behind is what the operator looks
// for: now.
func (p *paneCtx) heartbeatAt() time.Time {
	if p.m.countsAges(p.c, p.now) {
		return p.now
	}
	return p.c.lastOK
}

// worstHeartbeat is the oldest heartbeat of peers as of at.
func worstHeartbeat(peers []ops.Peer, at time.Time) (time.Duration, bool) {
	var worst time.Duration
	ok := false
	for _, pe := range peers {
		if pe.LastHeartbeat.IsZero() {
			continue
		}
		d := max(0, at.Sub(pe.LastHeartbeat))
		if !ok || d > worst {
			worst, ok = d, true
		}
	}
	return worst, ok
}

func worstSkew(peers []ops.Peer) (time.Duration, bool) {
	var worst time.Duration
	ok := false
	for _, pe := range peers {
		if !pe.HasClockSkew {
			continue
		}
		if !ok || abs(pe.ClockSkew) > abs(worst) {
			worst, ok = pe.ClockSkew, true
		}
	}
	return worst, ok
}

func worstCanary(peers []ops.Peer) (time.Duration, bool) {
	var worst time.Duration
	ok := false
	for _, pe := range peers {
		if pe.HasCanaryAge && (!ok || pe.CanaryAge > worst) {
			worst, ok = pe.CanaryAge, true
		}
	}
	return worst, ok
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// filterLines are the paths filters of a performance primary's
// secondaries: one line for each secondary that has one, or whose filter
// could not be read ("none" is left out), cut to the pane's width. A
// compact pane (80×24) gets them all on one line.
func (p *paneCtx) filterLines() []pline {
	var out []pline
	var all []string
	for _, f := range p.c.filters {
		if f.Read == ops.FilterReadNone {
			continue
		}
		what := p.m.named(f.ID) + " " + filterText(f, false)
		all = append(all, what)
		if !p.compact {
			text := p.sty(p.k.key, "paths filter:") + " " + what
			out = append(out, pline{text: "  " + fit(text, p.w-2, p.st.Glyphs.Ellipsis), prio: prioDetail, data: true})
		}
	}
	if p.compact && len(all) > 0 {
		text := p.sty(p.k.key, "paths filter:") + " " + strings.Join(all, "; ")
		out = append(out, pline{text: fit(text, p.w, p.st.Glyphs.Ellipsis), prio: prioReason, data: true})
	}
	return out
}

// filterText says what is known of one secondary's paths filter: "deny
// secret/, auth/userpass/", "none", "can't read (permission)"; an absent
// mode or paths list is "?", never a default. long spells the unknowns out
// for the detail view.
func filterText(f ops.SecondaryFilter, long bool) string {
	switch f.Read {
	case ops.FilterReadNone:
		if long {
			return "none (everything replicates to it)"
		}
		return "none"
	case ops.FilterReadForbidden:
		return "can't read (permission)"
	case ops.FilterReadUnknown:
		if f.Err == nil {
			return "not read yet"
		}
		return "unknown: " + errorSummary(f.Err)
	}
	mode := "mode ?"
	if f.ModeKnown {
		mode = f.Mode.String()
		if f.Mode == ops.FilterUnknown {
			mode = strconv.Quote(f.RawMode) + " (a mode this version does not know)"
		}
	}
	paths := "paths ?"
	switch {
	case f.PathsKnown && len(f.Paths) == 0:
		paths = "(no paths)"
	case f.PathsKnown:
		paths = strings.Join(f.Paths, ", ")
	}
	if long {
		if !f.ModeKnown {
			mode = "mode not reported"
		}
		if !f.PathsKnown {
			paths = "paths not reported"
		}
	}
	return mode + " " + paths
}

// offered is a finding's line with the key that acts on it, "(a: revoke)",
// kept at the right end when the line is cut: only when this run can act
// (a wizard, not read-only).
func (p *paneCtx) offered(r ops.Reason, line string, w int) string {
	if r.Offer.Kind == ops.OfferNone || p.m.deps.Offer == nil {
		return line
	}
	hint := p.sty(p.k.accent, "(a: "+r.Offer.Kind.String()+")")
	if cellWidth(line)+1+cellWidth(hint) <= w {
		return line + " " + hint
	}
	return spread(line, hint, w, p.st.Glyphs.Ellipsis)
}
