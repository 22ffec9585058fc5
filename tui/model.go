package tui

import (
	"context"
	"reflect"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// screen is what fills the body.
type screen int

const (
	screenDashboard screen = iota
	screenDetail
	screenTopology
	screenCommands
	screenHelp
)

// Model is the dashboard: the root model that routes messages, owns the
// per-cluster poll loops and draws the screens. Create it with New.
type Model struct {
	// *fixed holds what never changes after New. It is a pointer because
	// bubbletea copies the model on every message, and the styles alone
	// are tens of kilobytes.
	*fixed
	keys KeyMap

	clusters []clusterState
	byName   map[string]ClusterID
	report   ops.Report
	onsets   ops.Onsets // first sighting of each finding, across polls
	links    linkIndex
	idNames  *strings.Replacer // activation token ids → configured cluster names

	width, height int
	screen        screen
	back          screen // where esc returns from the commands and help screens
	focus         ClusterID
	scrollRow     int // first grid row drawn

	filter        textinput.Model
	filtering     bool // the filter input has focus
	unhealthyOnly bool
	paused        bool
	sortBy        sortOrder

	// The detail view's search: the input while typing, the query kept,
	// and which of its matches is current.
	searchInput textinput.Model
	searching   bool
	search      string
	match       int

	help     help.Model
	viewport viewport.Model

	labOpen   bool
	labCursor int
	labBusy   bool
	// labView is the lab's faults and checklists (LabInspector), read
	// every interval while the lab menu is open, every fifth while
	// closed; labConfirm is a pending reset question.
	labView    LabView
	labConfirm bool
	// labSkipped counts the lab-view timers that fired without a read
	// (updateLabViewDue).
	labSkipped int

	overlay Overlay

	flash    string
	flashSeq int
	flashBad bool

	quitting   bool
	timer      timerFunc
	lastAssess time.Time
	// assessDue: a result arrived but a large fleet's assessment was
	// deferred (reassessSoon); the next clock tick judges.
	assessDue bool
	// nextAssess is when the last report can next change without new data
	// (ops.Report.NextChange: an age crossing a threshold or written in a
	// reason); zero when only new data can change it.
	nextAssess time.Time
	cache      *paneCache
}

// fixed is the part of the model that New sets once: dependencies, styles,
// and the context that quitting cancels.
type fixed struct {
	deps Deps
	// labReadOnly: a lab was given, but the run is read-only, so its
	// faults are off (L says so).
	labReadOnly bool
	st          theme.Styles
	ink         inks
	ctx         context.Context
	cancel      context.CancelFunc
	// results groups the status results (Deps.ResultWindow); nil: each
	// result comes alone.
	results *resultGroups
}

// New builds the dashboard. It starts nothing: Init returns the first polls.
func New(d Deps) Model {
	labReadOnly := d.ReadOnly && d.Lab != nil
	d = d.withDefaults()
	ctx, cancel := context.WithCancel(d.Context)
	m := Model{
		fixed:    &fixed{deps: d, labReadOnly: labReadOnly, st: d.Styles, ink: newInks(d.Styles), ctx: ctx, cancel: cancel},
		keys:     DefaultKeyMap(),
		clusters: make([]clusterState, len(d.Clusters)),
		byName:   make(map[string]ClusterID, len(d.Clusters)),
		help:     help.New(),
		viewport: viewport.New(0, 0),
		timer:    contextTimer(ctx),
		cache:    newPaneCache(),
	}
	if d.ResultWindow > 0 {
		m.results = newResultGroups(ctx, d.ResultWindow)
	}
	for i, spec := range d.Clusters {
		m.clusters[i] = clusterState{spec: spec, gen: 1}
		m.byName[spec.Name] = ClusterID(i)
	}
	m.help.Styles = helpStyles(m.st)
	m.help.ShortSeparator = " " + m.st.Glyphs.Sep + " "
	m.help.Ellipsis = m.st.Glyphs.Ellipsis

	m.filter = textinput.New()
	m.filter.Prompt = "/"
	m.filter.Placeholder = "cluster name or label"
	m.filter.CharLimit = 64
	// A static cursor: a blinking one would repaint twice a second for nothing
	// and make the plain-text views depend on timing.
	m.filter.Cursor.SetMode(cursor.CursorStatic)
	m.filter.PromptStyle = m.st.Accent
	m.filter.PlaceholderStyle = m.st.Muted

	m.searchInput = textinput.New()
	m.searchInput.Prompt = "search: "
	m.searchInput.Placeholder = "a field, a value or a timeline entry"
	m.searchInput.CharLimit = 64
	m.searchInput.Cursor.SetMode(cursor.CursorStatic)
	m.searchInput.PromptStyle = m.st.Accent
	m.searchInput.PlaceholderStyle = m.st.Muted

	m.reassess(d.Now())
	return m
}

func helpStyles(st theme.Styles) help.Styles {
	return help.Styles{
		Ellipsis:       st.Help.Ellipsis,
		ShortKey:       st.Help.Key,
		ShortDesc:      st.Help.Desc,
		ShortSeparator: st.Help.Sep,
		FullKey:        st.Help.Key,
		FullDesc:       st.Help.Desc,
		FullSeparator:  st.Help.Sep,
	}
}

// Init starts one poll loop per cluster, staggered, and the clock.
func (m Model) Init() tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.clusters)+1)
	for i := range m.clusters {
		c := &m.clusters[i]
		cmds = append(cmds, m.timer(stagger(i, len(m.clusters), m.deps.Interval), pollDueMsg{id: ClusterID(i), gen: c.gen}))
	}
	cmds = append(cmds, m.timer(time.Second, clockMsg{}), m.labViewCmd())
	return tea.Batch(cmds...)
}

// Update routes each message to a small handler.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	return m.update(msg)
}

// update is Update returning the Model itself. Returned as a tea.Model, the
// model (several kilobytes) is copied to the heap: a group of messages
// (timersFiredMsg) handled one by one through Update was a copy for each of
// them, the largest part of the dashboard's own idle work.
func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m, cmd = m.updateSize(msg)
	case tea.KeyMsg:
		m, cmd = m.updateKeys(msg)
	case tea.MouseMsg:
		m, cmd = m.updateMouse(msg)
	case timersFiredMsg:
		return m.updateTimersFired(msg)
	case pollDueMsg:
		m, cmd = m.updatePollDue(msg)
	case statusMsg:
		m, cmd = m.updateStatus(msg)
	case clockMsg:
		// The tick always redraws the ages shown; it judges only when a
		// deferred result waits or the report can have changed by now.
		if now := m.deps.Now(); m.assessDue || (!m.nextAssess.IsZero() && !now.Before(m.nextAssess)) {
			m.reassess(now)
		}
		cmd = m.timer(time.Second, clockMsg{})
	case flashExpiredMsg:
		if msg.seq == m.flashSeq {
			m.flash = ""
		}
	case labDoneMsg:
		m, cmd = m.updateLabDone(msg)
	case copiedMsg:
		m, cmd = m.updateCopied(msg)
	case labViewMsg:
		m, cmd = m.updateLabView(msg)
	case labViewDueMsg:
		m, cmd = m.updateLabViewDue()
	case labResetMsg:
		m, cmd = m.updateLabResetDone(msg)
	case OverlayClosedMsg:
		m.overlay = nil
		m, cmd = m.refreshNamed(msg.Changed)
	case ClusterChangedMsg:
		m, cmd = m.refreshNamed([]string{msg.Cluster})
	default:
		m, cmd = m.forward(msg)
	}
	m.syncViewport()
	return m, cmd
}

// updateTimersFired handles the messages of timers that fired together,
// each as if it had come alone.
func (m Model) updateTimersFired(msgs timersFiredMsg) (Model, tea.Cmd) {
	cmds := make([]tea.Cmd, 0, len(msgs))
	for _, msg := range msgs {
		var cmd tea.Cmd
		m, cmd = m.update(msg)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// forward hands messages the dashboard does not know to whichever child
// owns them: the overlay (the wizard's own results and ticks), else the
// filter input.
func (m Model) forward(msg tea.Msg) (Model, tea.Cmd) {
	if m.overlay != nil {
		var cmd tea.Cmd
		m.overlay, cmd = m.overlay.Update(msg)
		return m, cmd
	}
	if m.filtering {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return m, cmd
	}
	if m.searching {
		var cmd tea.Cmd
		m.searchInput, cmd = m.searchInput.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m Model) updateSize(msg tea.WindowSizeMsg) (Model, tea.Cmd) {
	m.width, m.height = msg.Width, msg.Height
	m.help.Width = msg.Width
	m.filter.Width = max(10, msg.Width/3)
	if m.overlay != nil {
		m.overlay = m.overlay.SetSize(m.width, m.bodyHeight())
	}
	m.ensureFocusVisible()
	return m, nil
}

// tooSmall is true below the minimum size: the dashboard then draws only a
// message and ignores every key but quit.
func (m *Model) tooSmall() bool { return m.width < MinWidth || m.height < MinHeight }

// With more than throttleAbove clusters, results arrive several times a
// second (32 clusters polled every 2 s: sixteen), and each assessment judges
// every cluster and link (about 0.4 ms for 32 clusters, 1.5 ms for 128) and
// makes every pane on screen redraw. So results inside assessEvery of the
// last assessment, and every routine result (reassessSoon), wait for the
// next one: at the latest the 1 s clock tick.
// Their own pane shows the new data at once. Smaller sets are judged on
// every result. (The idle budget of the dashboard is 1% of a core for 32
// clusters polled every 2 s; judging on every result instead cost about 4%.)
const (
	throttleAbove = 8
	assessEvery   = 250 * time.Millisecond
)

// reassessSoon assesses now, unless a large fleet was assessed very
// recently. In a large fleet a routine result (routine: a reachable
// cluster, already judged, read again) always waits for the clock tick:
// polls start together on the timer grid and their results land a few
// milliseconds apart, so the first of each burst was judged alone and the
// rest again at the tick, two or three assessments a second where one
// judges them all. A change of reachability is judged at once.
func (m *Model) reassessSoon(now time.Time, routine bool) {
	if len(m.clusters) > throttleAbove && routine {
		m.assessDue = true
		return
	}
	if len(m.clusters) > throttleAbove && !m.lastAssess.IsZero() {
		if d := now.Sub(m.lastAssess); d >= 0 && d < assessEvery {
			m.assessDue = true
			return
		}
	}
	m.reassess(now)
}

// reassess runs the assessment over every cluster's last data and error,
// and notes severity changes in the clusters' timelines.
func (m *Model) reassess(now time.Time) {
	obs := make([]ops.Observation, len(m.clusters))
	for i := range m.clusters {
		c := &m.clusters[i]
		obs[i] = ops.Observation{Name: c.spec.Name, Address: c.spec.Address, Snapshot: c.snap, Err: c.lastErr}
	}
	prev, prevLinks := m.report, m.links
	m.report = m.deps.Assess(now, obs)
	// Each finding keeps its first sighting across polls.
	m.onsets.Stamp(&m.report, now)
	m.lastAssess = now
	m.assessDue = false
	m.nextAssess = m.report.NextChange
	m.links = indexLinks(m.report, m.byName, len(m.clusters))
	m.idNames = idReplacer(m.report, m.clusters)
	// A pane on screen is redrawn when its own judgement changed, not on
	// every assessment: 32 clusters polled every 2 s are judged up to four
	// times a second, and redrawing every pane each time was the largest
	// part of the idle dashboard's drawing. Panes without a current drawing
	// (off screen, or with new data) are not compared: they are drawn anew.
	renamed := !sameNamePairs(prev, m.report)
	for i := range m.clusters {
		c, id := &m.clusters[i], ClusterID(i)
		if renamed || !m.cache.holdsCurrent(id, c.version) || judgementChanged(&prev, &prevLinks, &m.report, &m.links, id) {
			c.version++
		}
	}
	if m.deps.Lab != nil {
		for i := range m.clusters {
			if p := m.currentPeers(ClusterID(i)); len(p) > 0 {
				m.clusters[i].peers = p
			}
		}
	}
	for i := range m.clusters {
		c := &m.clusters[i]
		a := m.assessment(ClusterID(i))
		switch {
		case c.polls == 0:
		case !c.assessed:
			// The first judgement is not a transition; the timeline already
			// says "first status read".
			c.assessed = true
			c.version++
		case c.lastErr != nil || !c.sevReachable:
			// Unreachability has its own timeline entries; a severity
			// change to or from "unknown" because of it says nothing more.
			c.version++
		case a.Severity != c.severity:
			c.record(now, a.Severity, "severity %s -> %s%s", c.severity, a.Severity, m.named(firstReason(a)))
			m.deps.Log.Info("severity changed", "cluster", c.spec.Name, "from", c.severity.String(), "to", a.Severity.String())
			c.version++
		}
		c.severity = a.Severity
		c.sevReachable = c.lastErr == nil
	}
}

// judgementChanged: cluster id's assessment or one of its links reads
// differently in b than in a. Link.HeartbeatAge is left out: it grows with
// the clock, and no pane shows it (the topology adds the time since).
func judgementChanged(a *ops.Report, al *linkIndex, b *ops.Report, bl *linkIndex, id ClusterID) bool {
	if int(id) >= len(a.Clusters) || int(id) >= len(b.Clusters) || !reflect.DeepEqual(a.Clusters[id], b.Clusters[id]) {
		return true
	}
	sameAt := func(i, j int) bool {
		if i < 0 || j < 0 {
			return i == j
		}
		x, y := a.Links[i], b.Links[j]
		x.HeartbeatAge, y.HeartbeatAge = 0, 0
		return reflect.DeepEqual(x, y)
	}
	for t := range al.up {
		if int(id) >= len(al.up[t]) || int(id) >= len(bl.up[t]) || !sameAt(al.up[t][id], bl.up[t][id]) {
			return true
		}
		ad, bd := al.down[t][id], bl.down[t][id]
		if len(ad) != len(bd) {
			return true
		}
		for k := range ad {
			if !sameAt(ad[k], bd[k]) {
				return true
			}
		}
	}
	return false
}

// sameNamePairs: both reports map the same activation token ids to the same
// cluster names (what Model.named replaces in every pane's text).
func sameNamePairs(a, b ops.Report) bool {
	if len(a.Links) != len(b.Links) {
		return false
	}
	for i := range a.Links {
		if a.Links[i].SecondaryID != b.Links[i].SecondaryID || a.Links[i].Secondary != b.Links[i].Secondary {
			return false
		}
	}
	return true
}

// idReplacer maps the activation token ids in reason texts to the names of
// the configured clusters that used them, which is what an operator knows.
// API addresses of configured clusters become their names too.
func idReplacer(r ops.Report, clusters []clusterState) *strings.Replacer {
	addrs := make(map[string]string, len(clusters))
	for i := range clusters {
		addrs[clusters[i].spec.Address] = clusters[i].spec.Name
	}
	return ops.NameReplacer(r, addrs)
}

// named replaces activation token ids with cluster names.
func (m *Model) named(s string) string {
	if m.idNames == nil {
		return s
	}
	return m.idNames.Replace(s)
}

func firstReason(a ops.ClusterAssessment) string {
	if r := topReason(a); r != "" {
		return ": " + r
	}
	return ""
}

// topReason is the first reason with the cluster's own severity: the
// cluster-level findings first, then performance, then DR.
func topReason(a ops.ClusterAssessment) string {
	for _, r := range allReasons(a) {
		if r.Severity == a.Severity {
			return r.Text
		}
	}
	return ""
}

// topOffer is the offer of the reason topReason names (none when it has
// none).
func topOffer(a ops.ClusterAssessment) ops.Offer {
	for _, r := range allReasons(a) {
		if r.Severity == a.Severity {
			return r.Offer
		}
	}
	return ops.Offer{}
}

func allReasons(a ops.ClusterAssessment) []ops.Reason {
	out := append([]ops.Reason(nil), a.Reasons...)
	out = append(out, a.Performance.Reasons...)
	return append(out, a.DR.Reasons...)
}

// assessment returns cluster id's assessment (zero value when missing).
func (m *Model) assessment(id ClusterID) ops.ClusterAssessment {
	if int(id) < len(m.report.Clusters) {
		return m.report.Clusters[id]
	}
	return ops.ClusterAssessment{}
}

// linkIndex finds the links a cluster takes part in without scanning.
type linkIndex struct {
	up   [2][]int   // per type, per cluster: index in Report.Links where it is the secondary, or -1
	down [2][][]int // per type, per cluster: indexes where it is the primary
}

func typeIndex(t ops.ReplicationType) int {
	if t == ops.DR {
		return 1
	}
	return 0
}

func indexLinks(r ops.Report, byName map[string]ClusterID, n int) linkIndex {
	var li linkIndex
	for t := range li.up {
		li.up[t] = make([]int, n)
		for i := range li.up[t] {
			li.up[t][i] = -1
		}
		li.down[t] = make([][]int, n)
	}
	for i, l := range r.Links {
		t := typeIndex(l.Type)
		if id, ok := byName[l.Secondary]; ok && l.Secondary != "" {
			li.up[t][id] = i
		}
		if id, ok := byName[l.Primary]; ok {
			li.down[t][id] = append(li.down[t][id], i)
		}
	}
	return li
}

// upLink is the link in which cluster id is the secondary of type t.
func (m *Model) upLink(t ops.ReplicationType, id ClusterID) (ops.Link, bool) {
	ti := typeIndex(t)
	if int(id) >= len(m.links.up[ti]) {
		return ops.Link{}, false
	}
	if i := m.links.up[ti][id]; i >= 0 {
		return m.report.Links[i], true
	}
	return ops.Link{}, false
}

// downLinks are the links in which cluster id is the primary of type t.
func (m *Model) downLinks(t ops.ReplicationType, id ClusterID) []ops.Link {
	ti := typeIndex(t)
	if int(id) >= len(m.links.down[ti]) {
		return nil
	}
	idx := m.links.down[ti][id]
	out := make([]ops.Link, len(idx))
	for i, j := range idx {
		out[i] = m.report.Links[j]
	}
	return out
}

// setFlash shows a transient line in the footer for a few seconds.
func (m *Model) setFlash(text string, bad bool) tea.Cmd {
	m.flashSeq++
	m.flash, m.flashBad = text, bad
	return m.timer(6*time.Second, flashExpiredMsg{seq: m.flashSeq})
}

// quit aborts every read in flight and asks bubbletea to stop.
func (m *Model) quit() tea.Cmd {
	m.quitting = true
	m.cancel()
	return tea.Quit
}

// Focused returns the focused cluster's name ("" when there are none).
func (m Model) Focused() string {
	if int(m.focus) < len(m.clusters) {
		return m.clusters[m.focus].spec.Name
	}
	return ""
}

// Quitting reports whether the dashboard has asked bubbletea to quit.
func (m Model) Quitting() bool { return m.quitting }
