package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
)

// updatePollDue starts a read when a live timer fires. Stale timers (a
// refresh replaced them) and timers of a paused dashboard are dropped; a
// cluster with a read in flight never gets a second one.
func (m Model) updatePollDue(msg pollDueMsg) (Model, tea.Cmd) {
	if int(msg.id) >= len(m.clusters) {
		return m, nil
	}
	c := &m.clusters[msg.id]
	if msg.gen != c.gen {
		return m, nil
	}
	c.armed = false
	if m.paused || c.inFlight {
		return m, nil
	}
	return m, m.startRead(msg.id, false)
}

// startRead marks the cluster busy and returns the Cmd that reads it: all
// of it when full, or when its health data is due or in doubt; otherwise
// from its last snapshot (IncrementalReader).
func (m *Model) startRead(id ClusterID, full bool) tea.Cmd {
	c := &m.clusters[id]
	c.inFlight = true
	c.attempts++
	if c.spec.Reader == nil {
		// A cluster without a reader is a wiring bug in cmd; report it in
		// its pane like any other failure rather than crash.
		gen, name, now := c.gen, c.spec.Name, m.deps.Now
		return func() tea.Msg {
			return statusMsg{id: id, gen: gen, at: now(), err: &ops.Error{Class: ops.ErrConfig, Op: "read status", Cluster: name, Messages: []string{"no status reader configured"}}}
		}
	}
	var prev *ops.Snapshot
	if !full && c.lastErr == nil && c.snap != nil && m.deps.Now().Sub(c.healthAt) < m.deps.HealthEvery {
		prev = c.snap
	}
	plan := c.filterPlan(m.deps.Now(), m.deps.PathsFilterEvery)
	c.filtersDue = false // carried by the plan; a failed read puts it back
	read := fetchStatusPlan(m.ctx, c.spec.Reader, prev, id, c.gen, m.deps.Timeout, m.deps.Now, plan)
	if g := m.results; g != nil {
		return func() tea.Msg { return g.deliver(read()) }
	}
	return read
}

// updateStatus records a result, re-assesses, and re-arms the cluster's
// timer: base interval after success, backoff after errors.
func (m Model) updateStatus(msg statusMsg) (Model, tea.Cmd) {
	if int(msg.id) >= len(m.clusters) {
		return m, nil
	}
	c := &m.clusters[msg.id]
	c.inFlight = false
	if m.quitting || (msg.err != nil && ops.ClassOf(msg.err) == ops.ErrCanceled && m.ctx.Err() != nil) {
		return m, nil
	}
	routine := c.assessed && c.sevReachable && c.lastErr == nil && msg.err == nil
	c.applyResult(msg)
	c.applyFilters(msg)
	if msg.err != nil {
		m.deps.Log.Debug("status read failed", "cluster", c.spec.Name, "class", ops.ClassOf(msg.err).String(), "errors", c.errs, "took", msg.took)
	} else {
		m.deps.Log.Debug("status read", "cluster", c.spec.Name, "took", msg.took)
	}
	m.reassessSoon(msg.at, routine)
	if m.paused {
		return m, nil
	}
	if c.refreshQueued {
		c.refreshQueued = false
		return m, m.rearm(msg.id, 0)
	}
	d := nextDelay(m.deps.Interval, m.deps.MaxBackoff, c.errs, jitter(m.deps.Seed, msg.id, c.attempts))
	return m, m.rearm(msg.id, d)
}

// rearm replaces the cluster's timer with one that fires after d. The new
// generation makes any older pending timer harmless, so a refresh never
// doubles the poll rate.
func (m *Model) rearm(id ClusterID, d time.Duration) tea.Cmd {
	c := &m.clusters[id]
	c.gen++
	c.armed = true
	c.nextPoll = m.deps.Now().Add(d)
	return m.timer(d, pollDueMsg{id: id, gen: c.gen})
}

// refresh reads one cluster now: at once when idle, or right after the read
// in flight finishes (one request per cluster, always).
func (m *Model) refresh(id ClusterID) tea.Cmd {
	if int(id) >= len(m.clusters) {
		return nil
	}
	c := &m.clusters[id]
	if c.inFlight {
		c.refreshQueued = true
		c.filtersDue = true
		return nil
	}
	c.gen++ // retire the pending timer
	c.armed = false
	c.filtersDue = true
	return m.startRead(id, true)
}

func (m *Model) refreshAll() tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.clusters))
	for i := range m.clusters {
		cmds = append(cmds, m.refresh(ClusterID(i)))
	}
	return tea.Batch(cmds...)
}

func (m Model) refreshNamed(names []string) (Model, tea.Cmd) {
	var cmds []tea.Cmd
	for _, n := range names {
		if id, ok := m.byName[n]; ok {
			cmds = append(cmds, m.refresh(id))
		}
	}
	return m, tea.Batch(cmds...)
}

// togglePause stops or restarts every loop. Reads in flight finish and are
// recorded; on resume each idle cluster is read again, staggered.
func (m Model) togglePause() (Model, tea.Cmd) {
	m.paused = !m.paused
	if m.paused {
		for i := range m.clusters {
			m.clusters[i].gen++ // retire every pending timer
			m.clusters[i].armed = false
			m.clusters[i].refreshQueued = false
		}
		return m, m.setFlash("polling paused (p resumes)", false)
	}
	cmds := []tea.Cmd{m.setFlash("polling resumed", false)}
	for i := range m.clusters {
		if !m.clusters[i].inFlight {
			cmds = append(cmds, m.rearm(ClusterID(i), stagger(i, len(m.clusters), m.deps.Interval)))
		}
	}
	return m, tea.Batch(cmds...)
}
