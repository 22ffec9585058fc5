package wizard

import (
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

const defaultTTL = 30 * time.Minute

// Model is the wizard. It is a value: Update returns the next one. It hosts
// the step models (step_*.go): it routes keys and messages to the current
// step and to the write flow, and keeps the session they share.
type Model struct {
	d     Deps
	start Start
	keys  KeyMap
	st    theme.Styles
	ht    *huh.Theme

	width, height int
	explain       bool
	fullHelp      bool

	session

	step    step
	ph      phase
	fk      formKind
	form    *huh.Form
	v       *values
	gen     int
	loading string // what phLoading is waiting for

	// The current step's pre-flight and write (the write flow's state).
	checks   []check
	rechecks int  // automatic re-checks of this step so far
	already  bool // the step's goal is already met
	main     facts
	others   []facts
	res      ops.WriteResult
	err      error
	diag     *facts
	// unclear is a write's error whose reply was lost or unclear, while the
	// cluster is read again; rechecked says that read is done (and not
	// landed); landed keeps the error of a write that took effect anyway.
	unclear   error
	rechecked bool
	landed    error

	note      string // one line of feedback: copied, saved, refused
	noteLevel level

	watch      watchState
	watchGen   int
	ver        verifyState
	loginFor   string
	afterLogin step
	loginErr   error

	seen     uint64 // steps entered in this run, for the progress line
	skipped  uint64 // steps the operator skipped (the log-in)
	closing  bool
	closed   bool
	spinning bool
	frame    int

	// tick is tea.Tick; tests replace it so that timers fire at once.
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// New builds the wizard. Call Init and return its command to bubbletea.
func New(d Deps, start Start) Model {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Styles.Renderer == nil {
		d.Styles = theme.New(nil, theme.DefaultPalette())
	}
	if d.Interval <= 0 {
		d.Interval = 2 * time.Second
	}
	if d.StuckAfter <= 0 {
		d.StuckAfter = 15
	}
	if d.VerifyPolls <= 0 {
		d.VerifyPolls = 120 // a minute at the check's 500ms polls
	}
	d.Clusters = slices.Clone(d.Clusters)
	m := Model{
		d: d, start: start, keys: DefaultKeyMap(), st: d.Styles, ht: huhTheme(d.Styles),
		width: 80, height: 24, explain: d.Explain,
		session: session{typ: start.Type, primary: start.Primary, secondary: start.Secondary, secondaryID: start.SecondaryID,
			survey: map[string]facts{}},
		v:  &values{},
		ph: phLoading, loading: "Reading the clusters' replication status", spinning: true,
		tick: tea.Tick,
	}
	if !start.TypeKnown {
		m.step = stType
	} else {
		m.step = firstStep(start.Flow)
	}
	return m
}

// Init reads every cluster's status (so that choices show current roles) and
// starts the clock that drives countdowns.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.surveyCmd(), m.clockTick(), m.spinTick())
}

// SetSize sets the area the wizard draws in.
func (m Model) SetSize(w, h int) Model {
	m.width, m.height = max(w, 20), max(h, 8)
	m.sizeForm()
	return m
}

// Closed reports whether the operator has left the wizard (ClosedMsg is on
// its way to the host).
func (m Model) Closed() bool { return m.closed }

// InputFocused reports whether a text field has the keys, so that a host
// knows single letters are text, not commands.
func (m Model) InputFocused() bool {
	if m.form == nil || (m.ph != phForm && m.ph != phConfirm) || m.closing {
		return false
	}
	_, text := m.form.GetFocusedField().(*huh.Input)
	return text
}

// formActive reports whether a form (text or choice) has the keys.
func (m Model) formActive() bool {
	return m.form != nil && (m.ph == phForm || m.ph == phConfirm) && !m.closing
}

// Update handles one message. Keys and the wizard's own messages are
// handled here; anything else (the input cursor's blink, huh's internal
// messages) goes to the active form.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if m.closed {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m.updateKey(msg)
	case tea.WindowSizeMsg:
		// The host sizes the wizard with SetSize; the full terminal size is
		// not the wizard's area.
		return m, nil
	case surveyMsg:
		return m.onSurvey(msg)
	case factsMsg:
		return m.onFacts(msg)
	case writeMsg:
		return m.onWrite(msg)
	case drTokMsg:
		return m.onDRTok(msg)
	case recheckMsg:
		return m.onRecheck(msg)
	case pollDueMsg:
		return m.onPollDue(msg)
	case watchMsg:
		return m.onWatch(msg)
	case loginMsg:
		return m.onLogin(msg)
	case canaryMsg:
		return m.onCanary(msg)
	case probeMsg:
		return m.onProbe(msg)
	case copiedMsg:
		return m.onCopied(msg)
	case savedMsg:
		return m.onSaved(msg)
	case clockMsg:
		return m, m.clockTick()
	case spinMsg:
		return m.onSpin()
	}
	return m.updateForm(msg)
}

func (m Model) busy() bool {
	switch m.ph {
	case phLoading, phRunning, phPolling:
		return true
	}
	return m.autoRecheck() || m.watching()
}

// autoRecheck: the checks screen re-reads by itself while every blocker is
// one that clears on its own, up to maxRechecks times.
func (m Model) autoRecheck() bool {
	return m.ph == phChecks && waiting(m.checks) && m.rechecks < maxRechecks
}

// watching: the watch loop is following a secondary that has not settled.
func (m Model) watching() bool { return m.watch.Secondary != "" && !m.watch.Done }

func (m Model) onSpin() (Model, tea.Cmd) {
	if !m.busy() {
		m.spinning = false
		return m, nil
	}
	m.frame++
	return m, m.spinTick()
}

// spin makes sure the spinner runs; there is only ever one tick chain.
func (m Model) spin() (Model, tea.Cmd) {
	if m.spinning {
		return m, nil
	}
	m.spinning = true
	return m, m.spinTick()
}

func (m Model) updateKey(k tea.KeyMsg) (Model, tea.Cmd) {
	if m.closing {
		switch {
		case key.Matches(k, m.keys.Yes):
			return m.close()
		case key.Matches(k, m.keys.Retry) && m.abandonsToken():
			// The abandoned token's screen offers its revoke: the token
			// would otherwise stay valid, unused, until it expires.
			m.closing = false
			m.start.Flow, m.start.TypeKnown = FlowRevoke, true
			m.secondaryID = m.tok.ID
			return m.enterStep(stRevoke)
		case key.Matches(k, m.keys.No), key.Matches(k, m.keys.Back):
			m.closing = false
		}
		return m, nil
	}
	if m.formActive() {
		// A text field takes every key but esc; a list of choices leaves
		// the wizard's own letters (q, e, ?) to the wizard.
		switch {
		case key.Matches(k, m.keys.Back):
			return m.back()
		case m.InputFocused():
			return m.updateForm(k)
		case key.Matches(k, m.keys.Close), key.Matches(k, m.keys.Explain), key.Matches(k, m.keys.Help):
		default:
			return m.updateForm(k)
		}
	}
	switch {
	case key.Matches(k, m.keys.Back):
		return m.back()
	case key.Matches(k, m.keys.Close):
		return m.askClose()
	case key.Matches(k, m.keys.Explain):
		m.explain = !m.explain
		return m, nil
	case key.Matches(k, m.keys.Help):
		m.fullHelp = !m.fullHelp
		return m, nil
	}
	return m.phaseKey(k)
}

// phaseKey handles the keys of screens without a form: the step's own
// first, then the write flow's.
func (m Model) phaseKey(k tea.KeyMsg) (Model, tea.Cmd) {
	if kd, ok := stepOf(m.step).(keyed); ok {
		before := m.ph
		next, cmd := kd.key(m, k)
		if cmd != nil || next.ph != before || next.step != m.step {
			return next, cmd
		}
		m = next
	}
	switch m.ph {
	case phChecks:
		return m.checksKey(k)
	case phReview:
		if _, ok := m.writer(); ok && key.Matches(k, m.keys.Next) {
			return m.execute()
		}
	case phResult:
		if _, ok := m.writer(); ok {
			return m.resultKey(k)
		}
	case phLoading, phForm, phConfirm, phRunning, phToken, phWatching, phInfo, phPolling, phCleanup, phDone:
	}
	return m, nil
}

// updateForm passes a message to the active form and acts when it completes.
func (m Model) updateForm(msg tea.Msg) (Model, tea.Cmd) {
	if m.form == nil || (m.ph != phForm && m.ph != phConfirm) {
		return m, nil
	}
	before := m.form.GetFocusedField()
	f, cmd := m.form.Update(msg)
	if hf, ok := f.(*huh.Form); ok {
		m.form = hf
	}
	if m.form.State == huh.StateNormal && m.form.GetFocusedField() != before {
		m.showAllOptions()
	}
	switch m.form.State {
	case huh.StateCompleted:
		m2, next := m.formDone()
		return m2, tea.Batch(cmd, next)
	case huh.StateAborted:
		return m.back()
	case huh.StateNormal:
	}
	return m, cmd
}

// setForm shows a form; it gets the keys until it completes.
func (m Model) setForm(kind formKind, f *huh.Form) (Model, tea.Cmd) {
	m.fk, m.form = kind, f
	m.ph = phForm
	if kind == fkConfirm {
		m.ph = phConfirm
	}
	m.sizeForm()
	cmd := m.form.Init()
	m.showAllOptions()
	return m, cmd
}

// showAllOptions works around huh v1.0.0 scrolling a height-constrained
// select to its preselected option on first paint, which hides the options
// above it (the TLS choice's "None" when "Set ca_file" was chosen before)
// until an arrow is pressed (charmbracelet/huh#679). One step up and one
// down (the list wraps) bring the cursor back where it was with the list
// scrolled to its top.
func (m Model) showAllOptions() {
	if _, ok := m.form.GetFocusedField().(*huh.Select[string]); !ok {
		return
	}
	m.form.Update(tea.KeyMsg{Type: tea.KeyUp})
	m.form.Update(tea.KeyMsg{Type: tea.KeyDown})
}

// sizeForm gives the form the width of the wizard and the height left under
// the screen's text; huh computes each group's height from it.
func (m Model) sizeForm() {
	if m.form == nil {
		return
	}
	m.form.Update(tea.WindowSizeMsg{Width: max(m.tw(), 20), Height: max(m.height/2, 6)})
}

func (m *Model) setNote(l level, s string) { m.note, m.noteLevel = s, l }

// abandonsToken: leaving now would leave an activation token generated
// here unused (and valid on its primary until it expires).
func (m Model) abandonsToken() bool { return m.hasTok && m.tokFromHere && !m.tokUsed }

// dirty reports whether leaving now would lose something: an unused
// activation token, a secondary being watched, a canary still mounted.
func (m Model) dirty() bool {
	switch {
	case m.dra.started:
		return true
	case m.hasTok && m.tokFromHere && !m.tokUsed:
		return true
	case m.watching():
		return true
	case m.ver.Written && !m.ver.Removed && !m.ver.Kept:
		return true
	case len(m.changed) > 0 && m.step != stNext && m.ph != phDone:
		return true
	}
	return false
}

func (m Model) askClose() (Model, tea.Cmd) {
	if m.ph == phRunning {
		m.setNote(lvWarn, "a write is in flight: wait for its result before leaving")
		return m, nil
	}
	if m.dirty() {
		m.closing = true
		return m, nil
	}
	return m.close()
}

func (m Model) close() (Model, tea.Cmd) {
	var cancel tea.Cmd
	if m.dra.started {
		// Leaving an attempt open would leave the shares given on the
		// cluster, and block the next attempt: delete it.
		m, cancel = m.cancelDRToken()
	}
	m.dra = drAttempt{}
	m.closed, m.closing = true, false
	m.gen++
	m.form = nil
	changed := slices.Clone(m.changed)
	return m, tea.Batch(cancel, func() tea.Msg { return ClosedMsg{Changed: changed} })
}

// Title names the wizard for a host's header.
func (m Model) Title() string {
	if m.step == stType {
		return "Replication setup"
	}
	if t := m.flow().title; t != "" {
		return t
	}
	return typeTitle(m.typ) + " replication setup"
}

func typeTitle(t ops.ReplicationType) string {
	if t == ops.DR {
		return "DR"
	}
	return "Performance"
}
