package wizard

import (
	"context"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
)

// verifyFactsCmd reads the primary (with the capabilities on the canary's
// path), the status of every other cluster, and, for performance, lists the
// auth methods of each secondary of this primary: that is the read the check
// will repeat, so a token that no longer works there shows up now, before
// anything is written.
func (m Model) verifyFactsCmd(pri Cluster, t ops.ReplicationType, path string, others []Cluster) tea.Cmd {
	gen, to := m.gen, m.readTimeout()
	capPath := ops.Lookup(ops.OpEnableAuth).PathFor(t, path)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), to)
		defer cancel()
		var msg factsMsg
		var wg sync.WaitGroup
		wg.Go(func() { msg.main = gather(ctx, pri, []string{capPath}, false) })
		wg.Go(func() { msg.others = gatherAll(ctx, others) })
		wg.Wait()
		if t == ops.Performance {
			secs := secondariesOf(msg.main, msg.others, t)
			for i := range msg.others {
				f := &msg.others[i]
				if !containsName(secs, f.Name) {
					continue
				}
				c := others[i]
				wg.Go(func() {
					if c.Op == nil {
						f.AuthErr = &ops.Error{Class: ops.ErrReadOnly, Op: "list auth methods", Cluster: c.Name}
						return
					}
					f.Auth, f.AuthErr = c.Op.ListAuth(ctx)
				})
			}
			wg.Wait()
		}
		msg.gen = gen
		return msg
	}
}

func containsName(names []string, n string) bool {
	for _, s := range names {
		if s == n {
			return true
		}
	}
	return false
}

// checkVerify is the propagation check's pre-flight: the primary can take
// the canary, and there are secondaries to watch, readable with their tokens.
func checkVerify(pri facts, others []facts, t ops.ReplicationType, path string) ([]check, []string) {
	cs, ok := usable(pri)
	if !ok {
		return cs, nil
	}
	ts := pri.of(t)
	if ts.Mode != ops.ModePrimary {
		return append(cs, fail("mode", pri.Name+" is not a "+modePhrase(t, ops.ModePrimary)+" ("+modePhrase(t, ts.Mode)+")",
			"pick the primary of the replication set")), nil
	}
	cs = append(cs, pass("mode", modePhrase(t, ts.Mode)))
	enable := ops.Lookup(ops.OpEnableAuth)
	cs = append(cs, capCheck(pri, enable.PathFor(t, path), enable.NeedsCapabilities(t)...))
	targets := secondariesOf(pri, others, t)
	if len(targets) == 0 {
		return append(cs, fail("secondaries", "no "+typeName(t)+" secondary of "+pri.Name+" among the configured clusters",
			"activate one first (the setup), then run the check")), nil
	}
	for _, f := range others {
		if !containsName(targets, f.Name) {
			continue
		}
		st := f.of(t)
		if st.State != ops.StateStreamWALs {
			cs = append(cs, warn(f.Name+" streaming", "state "+st.State.String()+": not streaming yet", "the check will wait for it, and may report the change missing"))
		} else {
			cs = append(cs, pass(f.Name+" streaming", "stream-wals"))
		}
		if t != ops.Performance || f.AuthErr == nil {
			continue
		}
		what, _ := errText(f.AuthErr)
		switch ops.ClassOf(f.AuthErr) {
		case ops.ErrInvalidToken, ops.ErrPermissionDenied:
			cs = append(cs, fail("token on "+f.Name, f.Name+": cannot list auth methods ("+what+")",
				"log in (l): tokens are local to each performance cluster, and activation removed the old one"))
		default:
			cs = append(cs, fail("auth methods on "+f.Name, f.Name+": "+what, "check the cluster, then re-check (r)"))
		}
	}
	if t == ops.DR {
		cs = append(cs, info("DR secondaries", "a DR secondary rejects reads (400 \"path disabled in replication DR secondary mode\"), "+
			"so the check compares its last_remote_wal with the primary's last_dr_wal taken right after the write"))
	}
	return cs, targets
}

func (m Model) verifyFacts(msg factsMsg) (Model, tea.Cmd) {
	cs, targets := checkVerify(msg.main, msg.others, m.typ, m.ver.Path)
	m.checks = cs
	if anyFailed(cs) {
		m.ph = phChecks
		return m, nil
	}
	m.ver.Targets = m.ver.Targets[:0]
	for _, n := range targets {
		m.ver.Targets = append(m.ver.Targets, target{Name: n})
	}
	m.ph = phReview
	return m, nil
}

// verifyEvery is the propagation check's poll interval: at most 500ms, since
// its resolution is the timing it reports, and it lasts seconds.
func (m Model) verifyEvery() time.Duration {
	return min(m.d.Interval, 500*time.Millisecond)
}

func (m Model) pendingClusters() []Cluster {
	var out []Cluster
	for _, n := range m.ver.pending(m.d.VerifyPolls) {
		if c, ok := m.cluster(n); ok {
			out = append(out, c)
		}
	}
	return out
}

func (m Model) onCanary(msg canaryMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen || m.ph != phRunning {
		return m, nil
	}
	if msg.err != nil {
		m.err, m.ph = msg.err, phResult
		return m, nil
	}
	action := "enable canary auth method " + m.ver.Path
	if msg.remove {
		action = "disable canary auth method " + m.ver.Path
		m.ver.Removed, m.ver.RemovedAt = true, msg.at
	} else {
		m.ver.Written, m.ver.WrittenAt = true, msg.at
		m.ver.TargetWAL = msg.wal
		if msg.walErr != nil {
			m.ver.WALErr, _ = errText(msg.walErr)
		}
	}
	primary := m.primary
	wrote := func() tea.Msg { return WroteMsg{Cluster: primary, Action: action} }
	pending := m.pendingClusters()
	if len(pending) == 0 || (m.ver.Type == ops.DR && m.ver.WALErr != "") {
		m.ph = phCleanup
		if msg.remove {
			m.ph = phDone
		}
		return m, wrote
	}
	m.ph = phPolling
	m, spin := m.spin()
	// The first probe goes out at once: on a fast link the change is
	// often there already.
	return m, tea.Batch(wrote, m.probeCmd(m.ver.Type, m.ver.Path, pending), spin)
}

func (m Model) onProbe(msg probeMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen || m.ph != phPolling {
		return m, nil
	}
	m.ver = m.ver.apply(msg.probes)
	if len(m.ver.pending(m.d.VerifyPolls)) > 0 {
		return m, m.pollAfter(m.verifyEvery())
	}
	if m.ver.Removing {
		m.ph = phDone
	} else {
		m.ph = phCleanup
	}
	return m, nil
}

func (m Model) cleanupKey(k tea.KeyMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Yes):
		m.ver.Removing = true
		m.gen++
		m.ph = phRunning
		c, _ := m.cluster(m.primary)
		m, spin := m.spin()
		return m, tea.Batch(m.canaryCmd(c, m.typ, m.ver.Path, true), spin)
	case key.Matches(k, m.keys.No):
		m.ver.Kept = true
		m.ph = phDone
	}
	return m, nil
}
