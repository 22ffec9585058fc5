package wizard

import (
	"context"
	"fmt"
	"strings"
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
	gen, to, base := m.gen, m.readTimeout(), m.readContext()
	capPath := ops.Lookup(ops.OpEnableAuth).PathFor(t, path)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
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
			cs = append(cs, needsLogin(fail("token on "+f.Name, f.Name+": cannot list auth methods ("+what+")",
				"log in (l): tokens are local to each performance cluster, and activation removed the old one"), f.Name))
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

// verifyStep is the propagation check: a canary auth method enabled on the
// primary, timed as it appears on each secondary, then removed. It has a
// pre-flight like a write step, but two writes and polling in between, so
// it drives its own screens after the review.
type verifyStep struct{}

func init() { register(stVerify, verifyStep{}) }

func (verifyStep) crumb() string         { return "verify" }
func (verifyStep) title(Model) string    { return "the propagation check" }
func (verifyStep) verbText(Model) string { return "propagation check" }

func (verifyStep) enter(m Model) (Model, tea.Cmd) {
	if m.primary == "" {
		return m.openSelect(fkPrimary)
	}
	return m.runChecks()
}

func (verifyStep) preflight(m Model) (Model, tea.Cmd) {
	c, _ := m.cluster(m.primary)
	if m.ver.Path == "" || m.ver.Written {
		m.ver = verifyState{Type: m.typ, Primary: m.primary, Path: newCanaryPath()}
	}
	m.loading = "Pre-flight checks on " + m.primary + " and its secondaries"
	return m, m.verifyFactsCmd(c, m.typ, m.ver.Path, m.othersThan(m.primary))
}

func (verifyStep) evaluate(m Model, msg factsMsg) Model {
	cs, targets := checkVerify(msg.main, msg.others, m.typ, m.ver.Path)
	m.checks = cs
	m.ver.Targets = nil
	for _, n := range targets {
		m.ver.Targets = append(m.ver.Targets, target{Name: n})
	}
	return m
}

// proceed shows the plan: nothing to enter.
func (verifyStep) proceed(m Model) (Model, tea.Cmd) {
	m.ph = phReview
	return m, nil
}

func (verifyStep) key(m Model, k tea.KeyMsg) (Model, tea.Cmd) {
	switch m.ph {
	case phReview:
		if key.Matches(k, m.keys.Next) {
			return m.sendCanary(false)
		}
	case phCleanup:
		return m.cleanupKey(k)
	case phDone:
		if key.Matches(k, m.keys.Next) {
			return m.enterStep(stNext)
		}
	case phResult:
		if m.err != nil && key.Matches(k, m.keys.Retry) {
			// The operator decides again, with the plan in front of them.
			m.ph, m.err = phReview, nil
			if m.ver.Removing {
				m.ph = phCleanup
			}
		}
	case phLoading, phForm, phChecks, phConfirm, phRunning, phToken, phWatching, phInfo, phPolling:
	}
	return m, nil
}

func (verifyStep) view(m Model, _ int) (top, bottom []string) {
	switch m.ph {
	case phReview:
		return m.verifyReview(), []string{"", m.st.Form.Prompt.Render("enter: enable the canary   esc: close")}
	case phRunning:
		what := "Enabling the canary auth method " + m.ver.Path + " on " + m.primary
		if m.ver.Removing {
			what = "Disabling the canary auth method " + m.ver.Path + " on " + m.primary
		}
		return append([]string{""}, m.para(m.spinner()+" "+what+" "+m.st.Glyphs.Ellipsis)...), nil
	case phPolling, phCleanup, phDone:
		return m.verifyView()
	case phLoading, phForm, phChecks, phConfirm, phResult, phToken, phWatching, phInfo:
	}
	return nil, nil
}

// sendCanary enables (or removes) the canary: each an explicit key press.
func (m Model) sendCanary(remove bool) (Model, tea.Cmd) {
	m.gen++
	m.ph, m.form, m.err, m.note = phRunning, nil, nil, ""
	c, _ := m.cluster(m.primary)
	m, spin := m.spin()
	return m, tea.Batch(m.canaryCmd(c, m.typ, m.ver.Path, remove), spin)
}

func (verifyStep) explain(m Model) string {
	if m.typ == ops.DR {
		return "The seed's check, adapted to DR: a DR secondary cannot be read, so we write on the " +
			"primary, note the primary's last_dr_wal, and wait until the DR secondary's " +
			"last_remote_wal reaches it: then the write is on the standby."
	}
	return "The seed's check: make a change on the primary (a new auth method) and watch it appear on " +
		"each performance secondary. The write happens on the primary; secondaries receive it " +
		"through the write-ahead log stream. The time shown is an upper bound: each secondary is " +
		"read once per poll interval."
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
		return m.sendCanary(true)
	case key.Matches(k, m.keys.No):
		m.ver.Kept = true
		m.ph = phDone
	}
	return m, nil
}

func (m Model) verifyReview() []string {
	st := m.st
	pri, _ := m.cluster(m.primary)
	out := []string{st.Form.Prompt.Render("Propagation check on " + m.primary + " (" + typeName(m.typ) + ")"), ""}
	out = append(out, m.checkSummary()...)
	out = append(out, "")
	if m.typ == ops.Performance {
		out = append(out, m.para(fmt.Sprintf("1. Enable a canary auth method %s (userpass) on %s:", m.ver.Path, m.primary))...)
		out = append(out, "  "+st.Muted.Render(vaultAddr(pri)))
		out = append(out, m.code(cmdAuthEnable(m.ver.Path))...)
		out = append(out, m.para("2. List auth methods on "+strings.Join(m.targetNames(), ", ")+" until it appears ("+cmdAuthList()+"), timing each.")...)
		out = append(out, m.para("3. Ask before removing it ("+cmdAuthDisable(m.ver.Path)+"), then check it is gone everywhere.")...)
	} else {
		out = append(out, m.para(fmt.Sprintf("1. Enable a canary auth method %s on %s and read its last_dr_wal.", m.ver.Path, m.primary))...)
		out = append(out, m.code(cmdAuthEnable(m.ver.Path))...)
		out = append(out, m.para("2. Read "+strings.Join(m.targetNames(), ", ")+"'s last_remote_wal until it reaches that position ("+cmdStatus(ops.DR)+").")...)
		out = append(out, m.para("3. Ask before removing the canary.")...)
	}
	return out
}

func (m Model) targetNames() []string {
	names := make([]string, len(m.ver.Targets))
	for i, t := range m.ver.Targets {
		names[i] = t.Name
	}
	return names
}

func (m Model) verifyView() (top, bottom []string) {
	st := m.st
	v := m.ver
	limit := m.d.VerifyPolls
	top = append(top, st.Form.Prompt.Render("Propagation check: "+v.Path+" on "+m.primary))
	if v.Written {
		line := "written at " + fmtTime(v.WrittenAt)
		if v.Type == ops.DR {
			line += fmt.Sprintf("; the primary's last_dr_wal after the write: %d", v.TargetWAL)
		}
		top = append(top, st.Muted.Render(line))
	}
	if v.WALErr != "" {
		top = append(top, m.levelText(lvFail, "could not read the primary's WAL position: "+v.WALErr))
	}
	top = append(top, "")
	for _, t := range v.Targets {
		top = append(top, m.targetLine(t, limit))
	}
	top = append(top, "")
	if v.Written && len(v.Targets) > 0 && v.WALErr == "" {
		l, s := v.summary(limit)
		top = append(top, m.levelText(l, s))
		if m.ph != phPolling {
			top = append(top, st.Muted.Render("Times are upper bounds: each secondary is read every "+shortDuration(m.verifyEvery())+"."))
		}
	}
	switch m.ph {
	case phPolling:
		bottom = []string{"", m.spinner() + st.Muted.Render(" polling every "+shortDuration(m.verifyEvery()))}
	case phCleanup:
		bottom = append([]string{""}, m.para(st.Form.Prompt.Render("Remove the canary auth method "+v.Path+" from "+m.primary+"? It only holds this check."))...)
		bottom = append(bottom, m.code(cmdAuthDisable(v.Path))...)
		bottom = append(bottom, "", st.Form.Prompt.Render("y: remove it   n: keep it"))
	case phDone:
		switch {
		case v.Removed:
			msg := "The canary was removed from " + m.primary
			if v.Type == ops.Performance {
				msg += " and is gone from the secondaries"
				for _, t := range v.Targets {
					if !t.Gone {
						msg = "The canary was removed from " + m.primary + "; some secondaries still listed it when the check stopped"
					}
				}
			}
			bottom = append(bottom, "", m.levelText(lvPass, msg+"."))
		case v.Kept:
			bottom = append(bottom, "", m.levelText(lvInfo, "The canary stays on "+m.primary+". Remove it later with: "+cmdAuthDisable(v.Path)))
		}
		bottom = append(bottom, "", st.Form.Prompt.Render("enter: continue"))
	case phLoading, phForm, phChecks, phReview, phConfirm, phRunning, phResult, phToken, phWatching, phInfo:
	}
	return top, bottom
}

func (m Model) targetLine(t target, limit int) string {
	name := fmt.Sprintf("  %-14s ", t.Name)
	v := m.ver
	var s string
	switch {
	case v.Removing && t.Gone:
		s = m.levelText(lvPass, "arrived after "+humanDuration(v.propagation(t))+"; removal arrived after "+humanDuration(t.GoneAt.Sub(v.RemovedAt)))
	case t.Seen:
		s = m.levelText(lvPass, "arrived after "+humanDuration(v.propagation(t)))
		if v.Type == ops.DR {
			s += m.st.Muted.Render(fmt.Sprintf("  (last_remote_wal %d)", t.WAL))
		}
	case t.Polls >= limit:
		s = m.levelText(lvFail, fmt.Sprintf("not seen after %d polls (%s)", t.Polls, humanDuration(time.Duration(t.Polls)*m.verifyEvery())))
		if t.Err != "" {
			s += m.st.Muted.Render(" (" + t.Err + ")")
		}
	case !v.Written:
		s = m.st.Muted.Render("waiting for the write")
	default:
		s = m.spinner() + m.st.Muted.Render(fmt.Sprintf(" waiting (%d/%d polls)", t.Polls, limit))
		if v.Type == ops.DR && t.Polls > 0 {
			s += m.st.Muted.Render(fmt.Sprintf(" last_remote_wal %d of %d", t.WAL, v.TargetWAL))
		}
		if t.Err != "" {
			s += m.st.Muted.Render(" (" + t.Err + ")")
		}
	}
	return name + s
}
