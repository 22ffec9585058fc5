package wizard

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
)

// Every network call runs in a tea.Cmd and comes back as one of these
// messages, tagged with the generation of the screen that asked for it: a
// result for a screen the operator has already left is dropped.

// surveyMsg is the status of every cluster, read when the wizard opens and
// before each cluster choice, so choices show each cluster's current roles.
type surveyMsg struct {
	gen   int
	facts []facts
}

// factsMsg is the pre-flight reads of one step.
type factsMsg struct {
	gen    int
	main   facts
	others []facts
}

// writeMsg is the outcome of a replication write.
type writeMsg struct {
	gen int
	res ops.WriteResult
	tok ops.ActivationToken
	err error
	// diag is a read made after a failed activation to explain it (the
	// primary's status); nil otherwise.
	diag *facts
}

// pollDueMsg is a poll timer: the watch loop's (watch, with its own
// generation) or the propagation check's.
type pollDueMsg struct {
	gen   int
	watch bool
}

type watchMsg struct {
	gen int
	obs watchObs
}

// recheckMsg re-runs a pre-flight whose blockers clear by themselves.
type recheckMsg struct{ gen int }

type loginMsg struct {
	gen     int
	cluster string
	op      Operator
	err     error
}

// copiedMsg is the result of a copy: did says what was done.
type copiedMsg struct {
	err error
	did string
}

type savedMsg struct {
	path string
	err  error
}

type clockMsg struct{}

type spinMsg struct{}

// canaryMsg is the outcome of enabling (or disabling) the canary mount.
type canaryMsg struct {
	gen    int
	remove bool
	at     time.Time
	err    error
	wal    uint64 // DR: the primary's last_dr_wal read right after the write
	walErr error
}

// probe is one secondary's answer in the propagation check.
type probe struct {
	Name    string
	At      time.Time
	Present bool   // perf: the canary path is listed in sys/auth
	WAL     uint64 // DR: last_remote_wal
	Err     error
}

type probeMsg struct {
	gen    int
	probes []probe
}

func (m Model) readTimeout() time.Duration {
	if m.d.Timeout > 0 {
		return m.d.Timeout
	}
	return 10 * time.Second
}

// readContext is the parent of reads: they stop when the host quits.
func (m Model) readContext() context.Context {
	if m.d.Context != nil {
		return m.d.Context
	}
	return context.Background()
}

// writeContext is the parent of writes: detached from the host's quit. A
// write half-sent when the operator quits must finish or fail on its own
// (bounded by its timeout): cut mid-request, it may or may not have
// happened, and nobody would be left to read the cluster again and say
// which. The wizard never retries it either.
func (m Model) writeContext() context.Context {
	return context.WithoutCancel(m.readContext())
}

// writeTimeout is longer: enabling replication makes Vault briefly
// unavailable, and a write that times out on our side may still have
// happened, which the operator would then have to untangle.
func (m Model) writeTimeout() time.Duration {
	return max(m.readTimeout(), 30*time.Second)
}

// gather reads what a pre-flight needs of one cluster. capPaths empty: no
// capability lookup; inventory: also list its mounts and auth methods (for
// the purge warning).
func gather(ctx context.Context, c Cluster, capPaths []string, inventory bool) facts {
	f := facts{Name: c.Name}
	if c.Op == nil {
		f.Err = &ops.Error{Class: ops.ErrReadOnly, Op: "read status", Cluster: c.Name}
		return f
	}
	if t, ok := c.Op.(interface{ HasToken() bool }); ok {
		f.NoToken = !t.HasToken()
	}
	f.Snap, f.Err = c.Op.Status(ctx)
	if f.Snap.Health == nil && f.Snap.Replication == nil {
		return f
	}
	var wg sync.WaitGroup
	if len(capPaths) > 0 {
		wg.Go(func() { f.Caps, f.CapsErr = c.Op.Capabilities(ctx, capPaths...) })
	}
	if inventory {
		wg.Go(func() { f.Mounts, f.MountsErr = c.Op.ListMounts(ctx) })
		wg.Go(func() { f.Auth, f.AuthErr = c.Op.ListAuth(ctx) })
	}
	wg.Wait()
	return f
}

// gatherAll reads the status of several clusters at once.
func gatherAll(ctx context.Context, cs []Cluster) []facts {
	out := make([]facts, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Go(func() { out[i] = gather(ctx, c, nil, false) })
	}
	wg.Wait()
	return out
}

func (m Model) surveyCmd() tea.Cmd {
	gen, cs, to, base := m.gen, slices.Clone(m.d.Clusters), m.readTimeout(), m.readContext()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		return surveyMsg{gen: gen, facts: gatherAll(ctx, cs)}
	}
}

// factsCmd runs a step's pre-flight reads: main with capabilities and
// optionally its inventory, plus the status of others.
func (m Model) factsCmd(main Cluster, capPaths []string, inventory bool, others []Cluster) tea.Cmd {
	gen, to, base := m.gen, m.readTimeout(), m.readContext()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		var msg factsMsg
		var wg sync.WaitGroup
		wg.Go(func() { msg.main = gather(ctx, main, capPaths, inventory) })
		wg.Go(func() { msg.others = gatherAll(ctx, others) })
		wg.Wait()
		msg.gen = gen
		return msg
	}
}

func (m Model) pollAfter(d time.Duration) tea.Cmd {
	gen := m.gen
	return m.tick(d, func(time.Time) tea.Msg { return pollDueMsg{gen: gen} })
}

func (m Model) recheckAfter(d time.Duration) tea.Cmd {
	gen := m.gen
	return m.tick(d, func(time.Time) tea.Msg { return recheckMsg{gen: gen} })
}

func (m Model) watchAfter(d time.Duration) tea.Cmd {
	gen := m.watchGen
	return m.tick(d, func(time.Time) tea.Msg { return pollDueMsg{gen: gen, watch: true} })
}

func (m Model) watchCmd(sec, pri Cluster) tea.Cmd {
	gen, to, now, base := m.watchGen, m.readTimeout(), m.d.Now, m.readContext()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		var o watchObs
		var wg sync.WaitGroup
		wg.Go(func() { o.Sec, o.SecErr = statusOf(ctx, sec) })
		wg.Go(func() { o.Pri, o.PriErr = statusOf(ctx, pri) })
		wg.Wait()
		o.At = now()
		return watchMsg{gen: gen, obs: o}
	}
}

func statusOf(ctx context.Context, c Cluster) (ops.Snapshot, error) {
	if c.Op == nil {
		return ops.Snapshot{}, &ops.Error{Class: ops.ErrReadOnly, Op: "read status", Cluster: c.Name}
	}
	return c.Op.Status(ctx)
}

func (m Model) loginCmd(cluster, user, pass string) tea.Cmd {
	gen, to, login, base := m.gen, m.readTimeout(), m.d.Login, m.readContext()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		op, err := login(ctx, cluster, user, pass)
		return loginMsg{gen: gen, cluster: cluster, op: op, err: err}
	}
}

// canaryCmd enables (or removes) the canary auth method on the primary. For
// DR it then reads the primary's last_dr_wal: the position the DR secondaries
// must reach for the write to be there.
func (m Model) canaryCmd(pri Cluster, t ops.ReplicationType, path string, remove bool) tea.Cmd {
	gen, to, rto, now := m.gen, m.writeTimeout(), m.readTimeout(), m.d.Now
	wbase, rbase := m.writeContext(), m.readContext()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(wbase, to)
		defer cancel()
		var err error
		if remove {
			err = pri.Op.DisableAuth(ctx, path)
		} else {
			err = pri.Op.EnableAuth(ctx, path, "userpass", canaryDescription)
		}
		msg := canaryMsg{gen: gen, remove: remove, at: now(), err: err}
		if err == nil && t == ops.DR {
			rctx, rcancel := context.WithTimeout(rbase, rto)
			defer rcancel()
			snap, serr := pri.Op.Status(rctx)
			switch {
			case serr != nil && snap.Replication == nil:
				msg.walErr = serr
			case snap.Replication == nil:
				msg.walErr = snap.ReplicationErr
			default:
				msg.wal = snap.Replication.DR.PrimaryWAL()
			}
		}
		return msg
	}
}

// probeCmd asks each pending secondary whether the canary has arrived.
func (m Model) probeCmd(t ops.ReplicationType, path string, targets []Cluster) tea.Cmd {
	gen, to, now, base := m.gen, m.readTimeout(), m.d.Now, m.readContext()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		out := make([]probe, len(targets))
		var wg sync.WaitGroup
		for i, c := range targets {
			wg.Go(func() { out[i] = probeOne(ctx, c, t, path, now) })
		}
		wg.Wait()
		return probeMsg{gen: gen, probes: out}
	}
}

func probeOne(ctx context.Context, c Cluster, t ops.ReplicationType, path string, now func() time.Time) probe {
	p := probe{Name: c.Name}
	if t == ops.DR {
		snap, err := statusOf(ctx, c)
		p.At = now()
		switch {
		case snap.Replication != nil:
			p.WAL = snap.Replication.DR.LastRemoteWAL
		case err != nil:
			p.Err = err
		default:
			p.Err = snap.ReplicationErr
		}
		return p
	}
	if c.Op == nil {
		p.Err = &ops.Error{Class: ops.ErrReadOnly, Op: "list auth methods", Cluster: c.Name}
		return p
	}
	mounts, err := c.Op.ListAuth(ctx)
	p.At = now()
	p.Err = err
	for _, mt := range mounts {
		if strings.TrimSuffix(mt.Path, "/") == strings.TrimSuffix(path, "/") {
			p.Present = true
		}
	}
	return p
}

func (m Model) clockTick() tea.Cmd {
	return m.tick(time.Second, func(time.Time) tea.Msg { return clockMsg{} })
}

func (m Model) spinTick() tea.Cmd {
	return m.tick(120*time.Millisecond, func(time.Time) tea.Msg { return spinMsg{} })
}
