package tui

import (
	"context"
	"slices"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
)

// ClusterID is a configured cluster's index in Deps.Clusters.
type ClusterID int

// pollDueMsg is one cluster's timer firing. gen tells a live timer from one
// that a manual refresh has replaced.
type pollDueMsg struct {
	id  ClusterID
	gen uint64
}

// statusMsg is the result of one status read.
type statusMsg struct {
	id   ClusterID
	gen  uint64
	snap ops.Snapshot
	err  error
	took time.Duration
	at   time.Time // when the result arrived, on the injected clock
	// filters are the paths filters read after the status (nil: not read
	// this time); filterDue says the read's plan called for them.
	filters   *filterResult
	filterDue bool
}

// filterPlan is what a status read needs to decide, once it has the new
// status, whether to read the paths filters too. It holds only values: the
// model replaces ids, never changes them.
type filterPlan struct {
	r      PathsFilterReader // nil: the reader cannot read them
	due    bool              // a refresh asked, or PathsFilterEvery passed
	read   bool              // they were read before
	ids    []string          // the secondary ids read last time, sorted
	writes uint64            // ops.Snapshot.PathsFilterWrites at that read
}

// filterResult is the paths filters read after one status read.
type filterResult struct {
	ids    []string // sorted
	list   []ops.SecondaryFilter
	writes uint64
}

// filterIDs are the secondary ids whose paths filters a snapshot calls for,
// sorted: a performance primary's known secondaries, none for any other
// role. known is false when the snapshot does not say (no replication
// status).
func filterIDs(s *ops.Snapshot) (ids []string, known bool) {
	if s == nil || s.Replication == nil {
		return nil, false
	}
	p := s.Replication.Performance
	if p.Mode != ops.ModePrimary {
		return nil, true
	}
	ids = slices.Clone(p.KnownSecondaries)
	slices.Sort(ids)
	return slices.Compact(ids), true
}

// wants says whether the plan reads the filters for a new snapshot.
func (p filterPlan) wants(s *ops.Snapshot) ([]string, bool) {
	ids, known := filterIDs(s)
	if p.r == nil || !known || len(ids) == 0 {
		return nil, false
	}
	return ids, p.due || !p.read || !slices.Equal(ids, p.ids) || s.PathsFilterWrites != p.writes
}

// clockMsg is the 1 s tick that re-renders relative times ("12s ago"); it
// judges only when the report can have changed (Model.nextAssess) or a
// deferred result waits, and it never polls.
type clockMsg struct{}

// flashExpiredMsg clears the flash line if it is still the one with seq.
type flashExpiredMsg struct{ seq int }

// labDoneMsg is the result of a lab fault injection.
type labDoneMsg struct {
	action  string
	cluster string
	global  bool // the action was on every cluster
	err     error
	refresh []string // clusters to re-poll now
}

// fetchStatus reads one cluster's status in a Cmd. It captures only values
// (never the model), bounds the read with its own timeout, and derives the
// request context from ctx so that quitting aborts it. With a prev snapshot
// and a reader that can (IncrementalReader) it refreshes from prev; nil prev
// reads everything. prev is never changed once the model holds it, so
// reading it here races with nothing.
func fetchStatus(ctx context.Context, r StatusReader, prev *ops.Snapshot, id ClusterID, gen uint64, timeout time.Duration, now func() time.Time) tea.Cmd {
	return fetchStatusPlan(ctx, r, prev, id, gen, timeout, now, filterPlan{})
}

// fetchStatusPlan is fetchStatus that then reads the paths filters when
// plan wants them for the new status: in the same Cmd, after the status,
// so that a cluster still has one request in flight at a time. The filters
// get a timeout of their own.
func fetchStatusPlan(ctx context.Context, r StatusReader, prev *ops.Snapshot, id ClusterID, gen uint64, timeout time.Duration, now func() time.Time, plan filterPlan) tea.Cmd {
	ir, incremental := r.(IncrementalReader)
	return func() tea.Msg {
		start := now()
		rctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		var snap ops.Snapshot
		var err error
		if incremental && prev != nil {
			snap, err = ir.StatusAfter(rctx, prev)
		} else {
			snap, err = r.Status(rctx)
		}
		end := now()
		msg := statusMsg{id: id, gen: gen, snap: snap, err: err, took: end.Sub(start), at: end, filterDue: plan.due}
		if err != nil {
			return msg
		}
		if ids, ok := plan.wants(&snap); ok {
			fctx, fcancel := context.WithTimeout(ctx, timeout)
			defer fcancel()
			msg.filters = &filterResult{ids: ids, list: plan.r.ReadPathsFilters(fctx, ids), writes: snap.PathsFilterWrites}
			msg.at = now()
		}
		return msg
	}
}

// timerFunc returns a Cmd that delivers msg after d. The model keeps one so
// tests can observe and fire timers without sleeping.
type timerFunc func(d time.Duration, msg tea.Msg) tea.Cmd

// contextTimer is tea.Tick that also ends when ctx does: it fires once (the
// handler of the message re-arms it, so an interval counts from each
// result, give or take the grid below), and quitting releases every pending
// timer at once instead of leaving their goroutines to run out. It reads the
// wall clock, not Deps.Now: the grid is about when the process wakes.
//
// Timers due at the same instant of the grid share one Go timer and arrive
// as one message (timersFiredMsg): 32 clusters polled every 2 s are eight
// poll timers on each half second, and delivered one by one each was an
// Update and a frame drawn (View) of its own.
func contextTimer(ctx context.Context) timerFunc {
	due := &timerGroups{at: map[int64][]tea.Msg{}}
	return func(d time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg {
			now := time.Now()
			wait := coalesce(now, d, msg)
			if d < time.Second {
				// Off the grid (a refresh, the first reads): its own timer.
				if !sleepCtx(ctx, wait) {
					return nil
				}
				return msg
			}
			at := now.Add(wait).UnixNano()
			if !due.join(at, msg) {
				// Another timer waits for this instant already: it delivers
				// this message with its own, and this Cmd ends here.
				return nil
			}
			if !sleepCtx(ctx, wait) {
				due.take(at)
				return nil
			}
			fired := due.take(at)
			if len(fired) == 1 {
				return fired[0]
			}
			return timersFiredMsg(fired)
		}
	}
}

// timerGroups holds the messages of the timers waiting for each instant of
// the grid (Unix nanoseconds).
type timerGroups struct {
	mu sync.Mutex
	at map[int64][]tea.Msg
}

// join adds msg to the timers due at instant at, and says whether it is
// the first: the one whose Cmd waits and delivers them all.
func (g *timerGroups) join(at int64, msg tea.Msg) (first bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	msgs, waiting := g.at[at]
	g.at[at] = append(msgs, msg)
	return !waiting
}

// take removes and returns the messages due at instant at, in the order
// they joined. A timer joining after this waits for the instant anew.
func (g *timerGroups) take(at int64) []tea.Msg {
	g.mu.Lock()
	defer g.mu.Unlock()
	msgs := g.at[at]
	delete(g.at, at)
	return msgs
}

// resultGroups delivers the results of reads that finish within a short
// window of each other as one message. The first result of a window waits
// (wait) and then delivers every result that arrived meanwhile; the others'
// Cmds end at once. A slow read is never waited for: its result opens a
// window of its own.
type resultGroups struct {
	wait    func() // the window; returns early when the dashboard quits
	mu      sync.Mutex
	open    bool
	pending []tea.Msg
}

func newResultGroups(ctx context.Context, window time.Duration) *resultGroups {
	return &resultGroups{wait: func() { sleepCtx(ctx, window) }}
}

// sleepCtx waits d, or until ctx ends (the dashboard quits): false then.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// deliver is what a read's Cmd returns for its result msg.
func (g *resultGroups) deliver(msg tea.Msg) tea.Msg {
	g.mu.Lock()
	g.pending = append(g.pending, msg)
	if g.open {
		g.mu.Unlock()
		return nil
	}
	g.open = true
	g.mu.Unlock()
	g.wait()
	g.mu.Lock()
	msgs := g.pending
	g.pending, g.open = nil, false
	g.mu.Unlock()
	if len(msgs) == 1 {
		return msgs[0]
	}
	return timersFiredMsg(msgs)
}

// timersFiredMsg is the messages of timers that fired at the same instant,
// in the order they were armed (or of reads that finished together, in the
// order they finished: resultGroups). Update handles each in turn, as if they had
// come one by one, and the frame is drawn once.
type timersFiredMsg []tea.Msg

// Timers of a second or more fire on a shared grid of the wall clock: every
// wake-up of an idle process costs a context switch, which on a VM costs more
// than a poll itself. 32 clusters polled every 2 s on staggered timers woke
// the dashboard 16 times a second; on a 500 ms grid it wakes at most twice,
// and the once-a-second clock tick lands on the same instants.
const (
	pollGrid  = 500 * time.Millisecond
	clockGrid = time.Second
)

// coalesce moves a timer of d from now to the nearest point of its grid
// (never to now or earlier). Short timers (a refresh, the first reads, a
// backoff's jitter below a second) are left alone.
func coalesce(now time.Time, d time.Duration, msg tea.Msg) time.Duration {
	if d < time.Second {
		return d
	}
	grid := pollGrid
	if _, ok := msg.(clockMsg); ok {
		grid = clockGrid
	}
	due := now.Add(d).Round(grid)
	if !due.After(now) {
		due = due.Add(grid)
	}
	return due.Sub(now)
}
