package wizard

import (
	"context"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
)

// The one write flow every write step goes through:
//
//	pre-flight (reads; blockers stop here, transient ones are re-read)
//	→ inputs (the step's form, if any)
//	→ review (the exact vault command from ops' table, secrets masked)
//	→ confirm (the typed cluster name: destructive in the table, or a protected cluster)
//	→ run (once; never retried by the wizard)
//	→ result (success: the step's own screen; failure: a diagnosis by error class)
//	→ next step.
//
// A reply that was lost or unclear (the connection dropped, a 5xx, a
// timeout) says nothing about whether the write happened. The flow then
// re-reads the target and re-runs the pre-flight before it says anything:
// if the write took effect it carries on as after a success; if not, the
// result shows the fresh checks, and only then offers a retry.

// checker is a step that has a pre-flight: every write step, and the
// propagation check.
type checker interface {
	stepModel
	preflight(m Model) (Model, tea.Cmd)
	evaluate(m Model, msg factsMsg) Model
}

// runChecks starts the current step's pre-flight reads.
func (m Model) runChecks() (Model, tea.Cmd) {
	c, ok := stepOf(m.step).(checker)
	if !ok {
		return m, nil
	}
	m.gen++
	m.ph = phLoading
	m.checks, m.unclear, m.rechecked = nil, nil, false
	m, cmd := c.preflight(m)
	m, spin := m.spin()
	return m, tea.Batch(cmd, spin)
}

func (m Model) onFacts(msg factsMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	m.main, m.others = msg.main, msg.others
	m.remember(msg.main)
	m.remember(msg.others...)
	if m.unclear != nil {
		return m.afterUnclear(msg)
	}
	m, cmd := m.checked(msg)
	// Blockers that clear by themselves are re-read, a bounded number of
	// times: reads are retried automatically, writes never are.
	if m.autoRecheck() {
		m.rechecks++
		return m, tea.Batch(cmd, m.recheckAfter(m.d.Interval))
	}
	return m, cmd
}

const maxRechecks = 30

// checked evaluates the pre-flight and shows what follows: the checks when
// something blocks (or the step is already done), else the step's next
// screen.
func (m Model) checked(msg factsMsg) (Model, tea.Cmd) {
	c, ok := stepOf(m.step).(checker)
	if !ok {
		return m, nil
	}
	m.already = false
	m = c.evaluate(m, msg)
	if anyFailed(m.checks) || m.already {
		m.ph = phChecks
		return m, nil
	}
	if p, ok := c.(proceeder); ok {
		return p.proceed(m)
	}
	return m.showInputs()
}

// showInputs shows the step's form, or goes straight to the review when it
// has no parameters.
func (m Model) showInputs() (Model, tea.Cmd) {
	ws, ok := m.writer()
	if !ok {
		return m, nil
	}
	if f := ws.inputs(m); f != nil {
		return m.setForm(fkInputs, f)
	}
	m = ws.request(m)
	m.ph = phReview
	return m, nil
}

// inputsDone turns the completed form into the step's request: the review.
func (m Model) inputsDone() (Model, tea.Cmd) {
	ws, ok := m.writer()
	if !ok {
		return m, nil
	}
	m.form = nil
	m = ws.request(m)
	m.ph = phReview
	return m, nil
}

// needsConfirm: destructive operations (the table says which) and any write
// to a protected cluster need the typed cluster name.
func (m Model) needsConfirm(ws writeStep) bool {
	if g, ok := ws.(confirmGate); ok {
		return g.needsConfirm(m)
	}
	c, _ := m.cluster(ws.target(m))
	return ops.Lookup(ws.op(m)).Destructive || c.Protected
}

// execute follows the review: the typed confirmation when one is needed,
// else the write.
func (m Model) execute() (Model, tea.Cmd) {
	ws, ok := m.writer()
	if !ok {
		return m, nil
	}
	if f, ok := ws.(beforeSend); ok && !f.fresh(m) {
		// Something expired while the operator read the review.
		return m.runChecks()
	}
	if m.needsConfirm(ws) {
		return m.setForm(fkConfirm, m.confirmForm(ws.target(m), m.confirmPrompt(ws)))
	}
	return m.send()
}

func (m Model) confirmPrompt(ws writeStep) string {
	if c, ok := ws.(confirmer); ok {
		return c.confirmPrompt(m)
	}
	t := ws.target(m)
	if c, _ := m.cluster(t); c.Protected {
		return t + " is PROTECTED: type " + t + " to " + m.stepVerb()
	}
	return "Type " + t + " to " + m.stepVerb()
}

// send performs the step's write. It is reached only from an explicit key
// press (review, typed confirmation), never automatically, and the write is
// sent once: a failure goes to the result screen, never to a retry.
func (m Model) send() (Model, tea.Cmd) {
	ws, ok := m.writer()
	if !ok {
		return m, nil
	}
	if f, ok := ws.(beforeSend); ok && !f.fresh(m) {
		return m.runChecks()
	}
	m.gen++
	m.ph, m.form, m.err, m.note, m.unclear, m.diag = phRunning, nil, nil, "", nil, nil
	run, gen, to := ws.run(m), m.gen, m.writeTimeout()
	base := m.writeContext()
	cmd := func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		msg := run(ctx)
		msg.gen = gen
		return msg
	}
	m, spin := m.spin()
	return m, tea.Batch(cmd, spin)
}

// unclearReply reports whether a failed write's error leaves open whether
// it happened: no reply (the connection dropped, a timeout), a cut or
// garbled reply, or a server error. A refusal (4xx) or a write vaultrepl
// never sent (read-only, a missing parameter) is clear.
func unclearReply(err error) bool {
	switch ops.ClassOf(err) {
	case ops.ErrUnreachable, ops.ErrTimeout, ops.ErrServer, ops.ErrMalformed, ops.ErrUnknownClass, ops.ErrCanceled:
		return true
	}
	return false
}

func (m Model) onWrite(msg writeMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen || m.ph != phRunning {
		return m, nil
	}
	ws, ok := m.writer()
	if !ok {
		return m, nil
	}
	m.err, m.res, m.diag = msg.err, msg.res, msg.diag
	m.ph = phResult
	if msg.err != nil {
		if unclearReply(msg.err) {
			// Say nothing yet: first look at what the cluster now is.
			m.unclear, m.rechecks = msg.err, 0
			m.gen++
			m.ph = phLoading
			m, cmd := ws.preflight(m)
			m.loading = "No clear reply from " + ws.target(m) + " (" + firstClause(errSummary(msg.err)) + "): reading it again before saying anything"
			m, spin := m.spin()
			return m, tea.Batch(cmd, spin)
		}
		return m, nil
	}
	m.markChanged(ws.target(m))
	target, action := ws.target(m), m.verb(ws)
	next, cmd := ws.done(m, msg)
	return next, tea.Batch(func() tea.Msg { return WroteMsg{Cluster: target, Action: action} }, cmd)
}

// afterUnclear decides, from a fresh read, what an unclear reply meant.
func (m Model) afterUnclear(msg factsMsg) (Model, tea.Cmd) {
	ws, ok := m.writer()
	if !ok {
		return m, nil
	}
	if ws.landed(m, msg.main) {
		lost := m.unclear
		m.unclear, m.err, m.landed = nil, nil, lost
		m.ph = phResult
		m.markChanged(ws.target(m))
		target, action := ws.target(m), m.verb(ws)
		next, cmd := ws.done(m, writeMsg{})
		return next, tea.Batch(func() tea.Msg { return WroteMsg{Cluster: target, Action: action} }, cmd)
	}
	m = ws.evaluate(m, msg)
	if waiting(m.checks) && m.rechecks < maxRechecks {
		// The cluster is still settling (a 503 after a role change): read
		// again, reads only.
		m.rechecks++
		m.ph = phLoading
		return m, m.recheckAfter(m.d.Interval)
	}
	m.ph = phResult
	m.rechecked = true
	return m, nil
}

// onRecheck re-runs a pre-flight whose blockers clear by themselves.
func (m Model) onRecheck(msg recheckMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	switch {
	case m.unclear != nil && m.ph == phLoading:
		ws, ok := m.writer()
		if !ok {
			return m, nil
		}
		m.gen++
		loading := m.loading
		m, cmd := ws.preflight(m)
		m.loading = loading
		return m, cmd
	case m.ph == phChecks && waiting(m.checks):
		return m.runChecks()
	}
	return m, nil
}

func (m Model) checksKey(k tea.KeyMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Retry):
		m.rechecks = 0
		return m.runChecks()
	case key.Matches(k, m.keys.Next) && m.already:
		return m.enterStep(m.stepAfter())
	case key.Matches(k, m.keys.Login) && m.d.Login != nil:
		if name := m.invalidTokenCluster(); name != "" {
			m.loginFor, m.afterLogin = name, m.step
			return m.enterStep(stLogin)
		}
	}
	return m, nil
}

// invalidTokenCluster names a cluster whose token a failed check rejected.
func (m Model) invalidTokenCluster() string {
	for _, c := range m.checks {
		if c.Level == lvFail && c.LoginTo != "" {
			return c.LoginTo
		}
	}
	return ""
}

// retryBlocked: after an unclear reply the fresh pre-flight found a blocker,
// so the retry is a re-check, not a write.
func (m Model) retryBlocked() bool { return m.rechecked && anyFailed(m.checks) }

func (m Model) resultKey(k tea.KeyMsg) (Model, tea.Cmd) {
	if m.err != nil {
		if key.Matches(k, m.keys.Retry) {
			if m.retryBlocked() {
				m.err, m.rechecked = nil, false
				return m.runChecks()
			}
			// Back to the review: retrying a write is always the operator's
			// decision, made again with the command in front of them.
			m.ph, m.err, m.rechecked = phReview, nil, false
			return m, nil
		}
		return m, nil
	}
	if !key.Matches(k, m.keys.Next) {
		return m, nil
	}
	return m.enterStep(m.stepAfter())
}

// stepVerb says what the current step does: a write step's own words, or
// the table's name of its operation.
func (m Model) stepVerb() string {
	sm := stepOf(m.step)
	if v, ok := sm.(interface{ verbText(Model) string }); ok {
		return v.verbText(m)
	}
	if ws, ok := sm.(writeStep); ok {
		return m.verb(ws)
	}
	if sm != nil {
		return sm.title(m)
	}
	return ""
}

// stepName is what a step is doing, for "enter: continue with …".
func (m Model) stepName(s step) string {
	if sm := stepOf(s); sm != nil {
		return sm.title(m)
	}
	return "choosing the replication type"
}
