package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
)

// labAction is one entry of the lab menu, bound to the focused cluster.
type labAction struct {
	title   string
	run     func(LabControl) error
	refresh []string
}

// clearAllTitle is the lab action that acts on every cluster, not on the
// focused one (its flash names no cluster).
const clearAllTitle = "clear every fault on every cluster"

// labPeers are the configured clusters the focused one replicates with, of
// either type: the other ends a partition cuts. reassess keeps them as the
// links change and keeps the last ones seen while the cluster's links are
// not visible (it is sealed, stopped or partitioned), so a partition can
// still be healed.
func (m *Model) labPeers(id ClusterID) []string { return m.clusters[id].peers }

func (m *Model) currentPeers(id ClusterID) []string {
	var peers []string
	seen := map[string]bool{}
	name := m.clusters[id].spec.Name
	add := func(n string) {
		if n != "" && n != name && !seen[n] {
			seen[n] = true
			peers = append(peers, n)
		}
	}
	for _, t := range ops.ReplicationTypes {
		if l, ok := m.upLink(t, id); ok {
			add(l.Primary)
		}
		for _, l := range m.downLinks(t, id) {
			add(l.Secondary)
		}
	}
	return peers
}

// labActions lists what the trainer can do to the focused cluster.
func (m *Model) labActions() []labAction {
	if m.deps.Lab == nil || int(m.focus) >= len(m.clusters) {
		return nil
	}
	name := m.clusters[m.focus].spec.Name
	peers := m.labPeers(m.focus)
	self := []string{name}
	both := append([]string{name}, peers...)
	all := make([]string, len(m.clusters))
	for i := range m.clusters {
		all[i] = m.clusters[i].spec.Name
	}
	// Every entry keeps its number whatever the cluster's state, so a
	// trainer's "press L then 1" always means the same; entries that cannot
	// apply are shown without an action.
	var acts []labAction
	if len(peers) > 0 {
		list := strings.Join(peers, ", ")
		acts = append(acts,
			labAction{"partition from " + list, func(l LabControl) error {
				return eachPeer(peers, func(p string) error { return l.Partition(name, p) })
			}, both},
			labAction{"heal partition with " + list, func(l LabControl) error {
				return eachPeer(peers, func(p string) error { return l.Heal(name, p) })
			}, both},
		)
	} else {
		acts = append(acts,
			labAction{"partition (no replication peer known)", nil, nil},
			labAction{"heal partition (no replication peer known)", nil, nil})
	}
	// Seal and stop offer their opposite when the cluster is in that state,
	// keeping the menu within the ten number keys.
	c := &m.clusters[m.focus]
	if c.snap != nil && c.snap.Health != nil && c.snap.Health.Sealed && c.lastErr == nil {
		acts = append(acts, labAction{"unseal", func(l LabControl) error { return l.Unseal(name) }, both})
	} else {
		acts = append(acts, labAction{"seal", func(l LabControl) error { return l.Seal(name) }, both})
	}
	if c.lastErr != nil && ops.ClassOf(c.lastErr) == ops.ErrUnreachable {
		acts = append(acts, labAction{"restart (it was stopped)", func(l LabControl) error { return l.Restart(name) }, both})
	} else {
		acts = append(acts, labAction{"stop (connection refused)", func(l LabControl) error { return l.Stop(name) }, both})
	}
	acts = append(acts,
		labAction{"add 3s latency", func(l LabControl) error { return l.SetLatency(name, 3*time.Second) }, self},
		labAction{"remove latency", func(l LabControl) error { return l.SetLatency(name, 0) }, self},
		labAction{"fail the next 5 requests (503)", func(l LabControl) error { return l.FailRequests(name, 503, 5) }, self},
		labAction{"skew clock by +45s", func(l LabControl) error { return l.SkewClock(name, 45*time.Second) }, both},
		// "every" means every cluster: a trainer clearing up after an
		// exercise should not have to visit each pane.
		labAction{clearAllTitle, func(l LabControl) error {
			return eachPeer(all, l.ClearFaults)
		}, all},
		// Last, on 0: the earlier entries keep the numbers trainers know.
		m.promoteAction(name, both),
	)
	return acts
}

func eachPeer(peers []string, f func(string) error) error {
	var errs []error
	for _, p := range peers {
		errs = append(errs, f(p))
	}
	return errors.Join(errs...)
}

// updateLabKey drives the open lab menu: move, pick by number, apply, close.
func (m Model) updateLabKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	acts := m.labActions()
	// The menu's own keys work whatever the dashboard has disabled.
	k := m.keys
	for _, b := range []*key.Binding{&k.Back, &k.Lab, &k.Quit, &k.Down, &k.Next, &k.Up, &k.Prev, &k.Enter} {
		b.SetEnabled(true)
	}
	if !(msg.Type == tea.KeyRunes && string(msg.Runes) == "R") {
		// Any other key withdraws a pending reset question.
		m.labConfirm = false
	}
	switch {
	case key.Matches(msg, k.Back, k.Lab, k.Quit):
		m.labOpen = false
	case key.Matches(msg, k.Down, k.Next):
		m.labCursor = min(m.labCursor+1, len(acts)-1)
	case key.Matches(msg, k.Up, k.Prev):
		m.labCursor = max(m.labCursor-1, 0)
	case key.Matches(msg, k.Enter):
		return m.runLab(acts, m.labCursor)
	case msg.Type == tea.KeyRunes && string(msg.Runes) == "R" && m.labInspector() != nil:
		return m.updateLabReset()
	case msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && msg.Runes[0] >= '0' && msg.Runes[0] <= '9':
		n := int(msg.Runes[0] - '1')
		if msg.Runes[0] == '0' {
			n = 9
		}
		if n < len(acts) {
			return m.runLab(acts, n)
		}
	}
	return m, nil
}

// runLab applies one action in a Cmd (the lab is in-process, but a fault
// call is still I/O as far as Update is concerned) and closes the menu, so
// the trainer watches the panes react.
func (m Model) runLab(acts []labAction, i int) (Model, tea.Cmd) {
	if i < 0 || i >= len(acts) || m.labBusy || acts[i].run == nil {
		return m, nil
	}
	a := acts[i]
	lab, cluster := m.deps.Lab, m.Focused()
	m.labOpen, m.labBusy = false, true
	return m, func() tea.Msg {
		return labDoneMsg{action: a.title, cluster: cluster, global: a.title == clearAllTitle, err: a.run(lab), refresh: a.refresh}
	}
}

func (m Model) updateLabDone(msg labDoneMsg) (Model, tea.Cmd) {
	m.labBusy = false
	now := m.deps.Now()
	if id, ok := m.byName[msg.cluster]; ok {
		if msg.err != nil {
			m.clusters[id].record(now, ops.SeverityWarning, "lab: %s failed: %v", msg.action, msg.err)
		} else {
			m.clusters[id].record(now, ops.SeverityUnknown, "lab: %s", msg.action)
		}
	}
	on := " on " + msg.cluster
	if msg.global {
		on = ""
	}
	var flash tea.Cmd
	if msg.err != nil {
		flash = m.setFlash(fmt.Sprintf("lab: %s%s failed: %v", msg.action, on, msg.err), true)
	} else {
		flash = m.setFlash(fmt.Sprintf("lab: %s%s", msg.action, on), false)
	}
	m, cmd := m.refreshNamed(msg.refresh)
	return m, tea.Batch(flash, cmd, m.labViewNowCmd())
}

// labBox draws the menu as a box to lay over the body.
func (m *Model) labBox(width int) string {
	acts := m.labActions()
	st := &m.st
	var b strings.Builder
	b.WriteString(st.Detail.Title.Render("Lab faults on "+m.Focused()) + "\n")
	b.WriteString(st.Muted.Render("simulated clusters: inject, then watch the panes") + "\n\n")
	boxW := min(56, width-4)
	// The modal's border and padding take 4 cells; an entry is indented 5.
	textW := max(10, boxW-4-5)
	for i, a := range acts {
		n := fmt.Sprintf("%d", (i+1)%10)
		marker := "  "
		if i == m.labCursor {
			marker = st.Glyphs.Focus + " "
		}
		// Wrapped here, at spaces only, so that a cluster name (us-east-2-dr)
		// is never broken at its hyphens as lipgloss's wrapping would.
		for j, l := range wrapWords(a.title, textW) {
			text := n + "  " + l
			if j > 0 {
				text = "   " + l
			}
			switch {
			case a.run == nil:
				text = st.Muted.Render(text)
			case i == m.labCursor:
				text = st.Accent.Render(text)
			}
			if j > 0 {
				marker = "  "
			}
			b.WriteString(marker + text + "\n")
		}
	}
	if li := m.labInstructorLines(); len(li) > 0 {
		b.WriteString("\n" + strings.Join(li, "\n") + "\n")
		switch {
		case m.labConfirm:
			b.WriteString("\n" + st.Accent.Render("R again resets "+m.labSet()+" to the start; any other key cancels") + "\n")
		default:
			b.WriteString("\n" + st.Muted.Render("R  reset "+m.labSet()+" to the start") + "\n")
		}
	}
	b.WriteString("\n" + st.Muted.Render("enter or "+labNumbers(len(acts))+" apply "+st.Glyphs.Sep+" esc close"))
	return st.Modal.Width(boxW).Render(b.String())
}

// labNumbers names the number keys of n menu entries: 1-9, then 0 for the
// tenth.
func labNumbers(n int) string {
	switch {
	case n <= 1:
		return "1"
	case n <= 9:
		return fmt.Sprintf("1-%d", n)
	}
	return "1-9,0"
}

// wrapWords breaks s at spaces into lines of at most width cells; a word
// longer than width stays whole on its own line (the box cuts it visibly
// rather than splitting it).
func wrapWords(s string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = w
		case cellWidth(cur)+1+cellWidth(w) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	return append(lines, cur)
}

// promoteAction offers the half-done failover on a secondary: promote it
// and leave its primary as it is, so that two clusters claim the set.
func (m *Model) promoteAction(name string, affected []string) labAction {
	for _, t := range []ops.ReplicationType{ops.DR, ops.Performance} {
		if s, ok := m.typeOf(m.focus, t); ok && s.Mode == ops.ModeSecondary {
			typ := t.String()
			return labAction{"promote without demoting the primary (" + t.Title() + " split brain)",
				func(l LabControl) error { return l.PromoteWithoutDemote(name, typ) }, affected}
		}
	}
	return labAction{"promote without demoting (not a secondary)", nil, nil}
}

// LabInspector is implemented by a lab dependency that can also say what it
// is doing (the instructor's view) and start again: the faults in effect,
// the exercise checklists, and a reset. demo and `vaultrepl --lab` provide it.
type LabInspector interface {
	// LabView reads the faults in effect and the exercise checklists.
	LabView(ctx context.Context) (LabView, error)
	// SetOf names the set the cluster belongs to ("s01's clusters", or
	// "every cluster of the lab" without students): what R resets.
	SetOf(cluster string) string
	// ResetSet puts that set back in its starting state and names it.
	ResetSet(cluster string) (string, error)
}

// LabView is the lab as its control endpoint describes it.
type LabView struct {
	// Faults are the faults in effect by cluster, each a short phrase
	// ("partitioned from us-east-1", "sealed").
	Faults map[string][]string
	// Checklists are the exercise's, one per student (none without an
	// exercise).
	Checklists []Checklist
}

// Checklist is one student's exercise progress.
type Checklist struct {
	Student  string // "" in a lab without students
	Title    string
	Steps    []ChecklistStep
	Complete bool
	Summary  string // when complete: the steps and their times
	Hidden   string // the diagnosis's hidden fault (instructor's view)
}

// ChecklistStep is one step of a checklist.
type ChecklistStep struct {
	Title   string
	Command string
	Done    bool
	Took    string
	Hint    string // shown after the trainee has been on the step a while
}

// labViewMsg carries a LabView read.
type labViewMsg struct {
	view LabView
	err  error
	// extra: read at once after a lab action or reset, outside the read
	// loop; it must not arm another timer, or every action would start one
	// more loop (a long demo piled them up).
	extra bool
}

// labViewDueMsg asks for the next read of the lab view.
type labViewDueMsg struct{}

// labResetMsg is the result of a reset from the lab menu.
type labResetMsg struct {
	set string
	err error
}

func (m *Model) labInspector() LabInspector {
	if m.deps.Lab == nil {
		return nil
	}
	li, _ := m.deps.Lab.(LabInspector)
	return li
}

// labClosedEvery is how many intervals pass between reads of the lab view
// while the lab menu is closed. Closed, the view only marks the panes with
// the faults in effect (a fault injected from the menu is read at once, see
// labViewCmd's callers); open, the menu shows it, and it is read every
// interval. An idle demo thus reads it a fifth as often.
const labClosedEvery = 5

// updateLabViewDue reads the lab view when it is due: every interval while
// the lab menu is open, every labClosedEvery intervals while it is closed.
// Between reads the timer is re-armed, so the loop stays one loop.
func (m Model) updateLabViewDue() (Model, tea.Cmd) {
	m.labSkipped++
	if !m.labOpen && m.labSkipped < labClosedEvery {
		return m, m.timer(m.deps.Interval, labViewDueMsg{})
	}
	m.labSkipped = 0
	return m, m.labViewCmd()
}

// labViewCmd reads the lab view once, in a Cmd (it is I/O), as the read
// loop's next turn: its reply arms the next read.
func (m *Model) labViewCmd() tea.Cmd { return m.readLabView(false) }

// labViewNowCmd reads the lab view at once, outside the loop (after a lab
// action or reset, so the panes show the new faults without waiting).
func (m *Model) labViewNowCmd() tea.Cmd { return m.readLabView(true) }

func (m *Model) readLabView(extra bool) tea.Cmd {
	li := m.labInspector()
	if li == nil {
		return nil
	}
	ctx, timeout := m.ctx, m.deps.Timeout
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		v, err := li.LabView(c)
		return labViewMsg{view: v, err: err, extra: extra}
	}
}

// updateLabView keeps the newest view, marks the panes whose lab faults
// changed (their cache key is their version) and schedules the next read.
func (m Model) updateLabView(msg labViewMsg) (Model, tea.Cmd) {
	var next tea.Cmd
	if !msg.extra {
		next = m.timer(m.deps.Interval, labViewDueMsg{})
	}
	if msg.err != nil {
		// The lab may be restarting; keep the last view rather than
		// unmarking every pane.
		return m, next
	}
	for i := range m.clusters {
		c := &m.clusters[i]
		if !slices.Equal(m.labView.Faults[c.spec.Name], msg.view.Faults[c.spec.Name]) {
			c.version++
		}
	}
	m.labView = msg.view
	return m, next
}

// labNote is the line a pane shows for the lab faults in effect on it.
func (m *Model) labNote(name string) string {
	f := m.labView.Faults[name]
	if len(f) == 0 {
		return ""
	}
	return "lab: " + strings.Join(f, ", ")
}

// labSet is the set the focused cluster belongs to, for the reset key.
func (m *Model) labSet() string {
	li := m.labInspector()
	if li == nil || int(m.focus) >= len(m.clusters) {
		return ""
	}
	return li.SetOf(m.clusters[m.focus].spec.Name)
}

// updateLabReset handles R in the lab menu: the first press asks, the
// second resets (a reset throws away everything done on the set).
func (m Model) updateLabReset() (Model, tea.Cmd) {
	li := m.labInspector()
	if li == nil || m.labBusy || int(m.focus) >= len(m.clusters) {
		return m, nil
	}
	if !m.labConfirm {
		m.labConfirm = true
		return m, nil
	}
	m.labConfirm, m.labOpen, m.labBusy = false, false, true
	name := m.clusters[m.focus].spec.Name
	return m, func() tea.Msg {
		set, err := li.ResetSet(name)
		return labResetMsg{set: set, err: err}
	}
}

func (m Model) updateLabResetDone(msg labResetMsg) (Model, tea.Cmd) {
	m.labBusy = false
	if msg.err != nil {
		return m, m.setFlash("lab: reset failed: "+msg.err.Error(), true)
	}
	now := m.deps.Now()
	for i := range m.clusters {
		m.clusters[i].record(now, ops.SeverityUnknown, "lab: reset (%s)", msg.set)
	}
	names := make([]string, len(m.clusters))
	for i := range m.clusters {
		names[i] = m.clusters[i].spec.Name
	}
	m, cmd := m.refreshNamed(names)
	return m, tea.Batch(m.setFlash("lab: reset "+msg.set+" to the topology's start", false), cmd, m.labViewNowCmd())
}

// maxLabListLines bounds each list of the instructor's view in the menu, so
// the box fits a 24-line terminal whatever the class size.
const maxLabListLines = 6

// labInstructorLines are the menu's view of the whole lab: faults in effect
// and each student's checklist.
func (m *Model) labInstructorLines() []string {
	if m.labInspector() == nil {
		return nil
	}
	st := &m.st
	var out []string
	var faults []string
	for _, c := range m.clusters {
		if n := m.labView.Faults[c.spec.Name]; len(n) > 0 {
			faults = append(faults, c.spec.Name+": "+strings.Join(n, ", "))
		}
	}
	out = append(out, st.Detail.Title.Render("Faults in effect"))
	if len(faults) == 0 {
		out = append(out, st.Muted.Render("none"))
	}
	out = append(out, capLines(faults, st.Glyphs.Ellipsis)...)
	cls := m.labView.Checklists
	if len(cls) == 0 {
		return out
	}
	out = append(out, "", st.Detail.Title.Render("Exercise: "+cls[0].Title))
	if len(cls) == 1 {
		return append(out, m.checklistLines(cls[0])...)
	}
	var rows []string
	for _, c := range cls {
		rows = append(rows, m.checklistRow(c))
	}
	return append(out, capLines(rows, st.Glyphs.Ellipsis)...)
}

// checklistLines is one trainee's checklist in full.
func (m *Model) checklistLines(c Checklist) []string {
	g := m.st.Glyphs
	var out []string
	for i, s := range c.Steps {
		mark := g.Unknown
		if s.Done {
			mark = g.OK
		}
		line := fmt.Sprintf("%s %d. %s", mark, i+1, s.Title)
		if s.Took != "" {
			line += " (" + s.Took + ")"
		}
		out = append(out, line)
		if s.Hint != "" {
			out = append(out, m.st.Muted.Render("   hint: "+s.Hint))
		}
	}
	if c.Complete {
		out = append(out, m.st.Accent.Render("Complete: "+lastLine(c.Summary)))
	}
	return out
}

// checklistRow is one student's checklist in a line: a mark per step.
func (m *Model) checklistRow(c Checklist) string {
	g := m.st.Glyphs
	var b strings.Builder
	done := 0
	for _, s := range c.Steps {
		if s.Done {
			done++
			b.WriteString(g.OK)
		} else {
			b.WriteString(g.Unknown)
		}
	}
	row := fmt.Sprintf("%s %s %d/%d", c.Student, b.String(), done, len(c.Steps))
	if c.Complete {
		row += " complete " + lastLine(c.Summary)
	}
	if c.Hidden != "" && !c.Complete {
		row += " " + g.Sep + " hidden: " + c.Hidden
	}
	return row
}

func lastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func capLines(lines []string, ellipsis string) []string {
	if len(lines) <= maxLabListLines {
		return lines
	}
	return append(lines[:maxLabListLines-1:maxLabListLines-1], fmt.Sprintf("%s and %d more", ellipsis, len(lines)-maxLabListLines+1))
}
