package tui

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// maxEvents bounds each cluster's timeline; memory stays flat however long
// the dashboard runs.
const maxEvents = 64

// event is one entry of a cluster's timeline: a transition seen between two
// polls, stamped with the injected clock.
type event struct {
	at    time.Time
	level ops.Severity
	text  string
}

// clusterState is everything the dashboard knows about one cluster. It lives
// in the root model and changes only in Update.
type clusterState struct {
	spec ClusterSpec

	gen           uint64    // the live timer's generation
	inFlight      bool      // a status read is running: never start a second
	armed         bool      // a live timer is pending
	refreshQueued bool      // a refresh was asked for while a read was in flight
	nextPoll      time.Time // when the live timer is due, for "retry in 8s" (the timer grid may move it by a quarter second)

	snap     *ops.Snapshot // last good data; nil until the first success
	lastOK   time.Time     // when that data arrived
	healthAt time.Time     // when its health data was read (it may be carried over)
	lastTook time.Duration
	lastErr  error // the latest read's error; nil when it succeeded
	errSince time.Time
	errs     int // consecutive failures
	attempts int // reads started, for the retry jitter
	polls    int // results received

	severity     ops.Severity // the last assessment, to log transitions
	assessed     bool         // severity holds a judgement of real data
	sevReachable bool         // and that judgement was of a reachable cluster
	peers        []string     // the replication peers last seen, for the lab menu
	events       []event
	version      uint64 // bumps when anything a pane shows changes (not relative times)

	// The paths filters of a performance primary's secondaries, as last
	// read for the ids filterIDs (sorted; nil: not read, see filtersRead),
	// at filtersAt, with the snapshot's filter write counter then.
	// filtersDue: a refresh asked for them. A change of what they say bumps
	// version (the pane's cache key).
	filters      []ops.SecondaryFilter
	filterIDs    []string
	filtersAt    time.Time
	filterWrites uint64
	filtersDue   bool
}

// filtersRead says whether the paths filters were read: a read always
// covers at least one secondary id (filterPlan.wants).
func (c *clusterState) filtersRead() bool { return c.filterIDs != nil }

// filterPlan is what the next status read needs to decide whether to read
// the paths filters too: a refresh asked, every is up, or (decided with the
// new status) the secondaries or the write counter moved.
func (c *clusterState) filterPlan(now time.Time, every time.Duration) filterPlan {
	r, _ := c.spec.Reader.(PathsFilterReader)
	return filterPlan{r: r, due: c.filtersDue || (c.filtersRead() && now.Sub(c.filtersAt) >= every),
		read: c.filtersRead(), ids: c.filterIDs, writes: c.filterWrites}
}

// applyFilters records the paths filters read with a status (or forgets
// them when the cluster has no performance secondaries any more).
func (c *clusterState) applyFilters(msg statusMsg) {
	if msg.err != nil {
		c.filtersDue = c.filtersDue || msg.filterDue
		return
	}
	ids, known := filterIDs(&msg.snap)
	switch {
	case msg.filters != nil:
		f := msg.filters
		if !c.filtersRead() || !slices.EqualFunc(c.filters, f.list, ops.SecondaryFilter.Equal) {
			c.version++
		}
		c.filters, c.filterIDs, c.filterWrites = f.list, f.ids, f.writes
		c.filtersAt, c.filtersDue = msg.at, false
	case known && len(ids) == 0:
		if c.filtersRead() {
			c.version++
		}
		c.filters, c.filterIDs, c.filtersDue = nil, nil, false
	}
}

func (c *clusterState) record(at time.Time, level ops.Severity, format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	if c.collapseFlap(at, level, text) {
		return
	}
	c.events = append(c.events, event{at: at, level: level, text: text})
	if len(c.events) > maxEvents {
		// Copy rather than reslice so the dropped head can be collected.
		c.events = append([]event(nil), c.events[len(c.events)-maxEvents:]...)
	}
}

// stale is true when the pane shows old data because the latest read failed.
func (c *clusterState) stale() bool { return c.lastErr != nil && c.snap != nil }

// lateSlack is how much later than the poll interval a read may answer
// before its pane counts the age of its data: the timer grid moves a poll by
// up to a quarter second, and a read over a slow link takes some hundreds of
// milliseconds.
const lateSlack = time.Second

// lateAfter is the age from which a cluster's data is late.
func (m *Model) lateAfter() time.Duration { return m.deps.Interval + lateSlack }

// dataLate: the cluster's last good data is older than its reads keep it
// when they answer on time (a read is stuck, or polling is paused).
func (m *Model) dataLate(c *clusterState, now time.Time) bool {
	return c.snap != nil && now.Sub(c.lastOK) >= m.lateAfter()
}

// countsAges: the cluster's pane shows ages that move with the clock, because
// its latest read failed or its data is late; any other pane's ages are as
// of its last read.
func (m *Model) countsAges(c *clusterState, now time.Time) bool {
	return c.lastErr != nil || m.dataLate(c, now)
}

// reachable is true when the latest read succeeded.
func (c *clusterState) reachable() bool { return c.lastErr == nil && c.snap != nil }

// applyResult records one status read and the transitions it reveals.
func (c *clusterState) applyResult(msg statusMsg) {
	c.polls++
	c.lastTook = msg.took
	if msg.err != nil {
		if c.lastErr == nil {
			c.errSince = msg.at
			c.record(msg.at, ops.SeverityCritical, "unreachable: %s", errorSummary(msg.err))
		} else if ops.ClassOf(c.lastErr) != ops.ClassOf(msg.err) {
			c.record(msg.at, ops.SeverityCritical, "still failing, now: %s", errorSummary(msg.err))
		}
		c.lastErr = msg.err
		c.errs++
		c.version++
		return
	}
	snap := msg.snap
	switch {
	case c.lastErr != nil:
		c.record(msg.at, ops.SeverityOK, "reachable again after %s", ago(msg.at.Sub(c.errSince)))
	case c.snap == nil:
		c.record(msg.at, ops.SeverityOK, "first status read (%s)", describeRoles(&snap))
	}
	if c.snap != nil {
		for _, t := range diffSnapshots(c.snap, &snap) {
			c.record(msg.at, t.level, "%s", t.text)
		}
	}
	if c.snap == nil || snap.Health != c.snap.Health {
		c.healthAt = msg.at
	}
	c.snap = &snap
	c.lastOK = msg.at
	c.lastErr = nil
	c.errs = 0
	c.version++
}

type transition struct {
	level ops.Severity
	text  string
}

// diffSnapshots lists what changed between two good reads: seal, standby,
// edition, and per type the mode, state and connection state.
func diffSnapshots(old, cur *ops.Snapshot) []transition {
	var out []transition
	oh, ch := old.Health, cur.Health
	if oh != nil && ch != nil {
		if oh.Sealed != ch.Sealed {
			if ch.Sealed {
				out = append(out, transition{ops.SeverityCritical, "sealed"})
			} else {
				out = append(out, transition{ops.SeverityOK, "unsealed"})
			}
		}
		// A sealed node reports standby: true; sealing is the event, not
		// a standby change (nor is unsealing).
		if oh.Standby != ch.Standby && !oh.Sealed && !ch.Sealed {
			out = append(out, transition{ops.SeverityWarning, fmt.Sprintf("node standby: %v -> %v", oh.Standby, ch.Standby)})
		}
		if oh.Version != ch.Version && oh.Version != "" && ch.Version != "" {
			out = append(out, transition{ops.SeverityOK, fmt.Sprintf("version %s -> %s", oh.Version, ch.Version)})
		}
	}
	if oe, ce := old.Edition(), cur.Edition(); oe != ce && oe != ops.EditionUnknown && ce != ops.EditionUnknown {
		out = append(out, transition{ops.SeverityWarning, fmt.Sprintf("edition %s -> %s", oe, ce)})
	}
	or, cr := old.Replication, cur.Replication
	switch {
	case or == nil && cr != nil:
		out = append(out, transition{ops.SeverityOK, "replication status readable again"})
	case or != nil && cr == nil:
		out = append(out, transition{ops.SeverityWarning, "replication status unreadable: " + errorSummary(cur.ReplicationErr)})
	case or != nil && cr != nil:
		for _, t := range ops.ReplicationTypes {
			out = append(out, diffType(or.Of(t), cr.Of(t))...)
		}
	}
	return out
}

func diffType(o, c ops.TypeStatus) []transition {
	var out []transition
	name := c.Type.Title()
	if o.Mode != c.Mode {
		out = append(out, transition{ops.SeverityWarning, fmt.Sprintf("%s mode %s -> %s", name, modeWord(o), modeWord(c))})
	}
	if (o.State != c.State || o.RawState != c.RawState) && c.Enabled() {
		out = append(out, transition{stateSeverity(c.State), fmt.Sprintf("%s state %s -> %s", name, stateWord(o), stateWord(c))})
	}
	if o.ConnectionState != c.ConnectionState && c.Mode == ops.ModeSecondary {
		out = append(out, transition{connSeverity(c.ConnectionState), fmt.Sprintf("%s connection %s -> %s", name, connWord(o), connWord(c))})
	}
	if o.CorruptedMerkleTree != c.CorruptedMerkleTree {
		if c.CorruptedMerkleTree {
			out = append(out, transition{ops.SeverityCritical, name + " merkle tree reported corrupted"})
		} else {
			out = append(out, transition{ops.SeverityOK, name + " merkle tree no longer reported corrupted"})
		}
	}
	if (o.Reindex == nil) != (c.Reindex == nil) {
		if c.Reindex != nil {
			out = append(out, transition{ops.SeveritySyncing, name + " reindex started"})
		} else {
			out = append(out, transition{ops.SeverityOK, name + " reindex finished"})
		}
	}
	if o.ClusterID != c.ClusterID && o.ClusterID != "" && c.ClusterID != "" {
		out = append(out, transition{ops.SeverityWarning, fmt.Sprintf("%s replication set changed %s -> %s", name, shortID(o.ClusterID), shortID(c.ClusterID))})
	}
	return out
}

// describeRoles is a one-line summary of both types ("perf primary, DR disabled").
func describeRoles(s *ops.Snapshot) string {
	switch {
	case s.Replication == nil:
		return "no replication status: " + errorSummary(s.ReplicationErr)
	case s.Replication.CommunityEdition:
		return "Community Edition"
	case s.Replication.Unsupported:
		return "replication unsupported"
	}
	role := func(s ops.TypeStatus) string {
		if !s.Enabled() {
			return modeWord(s)
		}
		return modeWord(s) + " " + stateWord(s)
	}
	return fmt.Sprintf("performance %s, DR %s", role(s.Replication.Performance), role(s.Replication.DR))
}

// The timeline's patterns are compiled on first use: commands that never
// draw link this package too, and start-up pays for every global.
var (
	transitionRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.*) (\S+) -> (\S+)$`) })
	flapRe       = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(.*) (\S+) ⇄ (\S+) ×(\d+) since (\d\d:\d\d:\d\d)$`)
	})
)

// flapLookback is how many recent events a flap's previous swing may be
// behind (other fields change in between).
const flapLookback = 4

// collapseFlap folds a transition that undoes a recent one of the same
// field into one line, "connection connecting ⇄ transient_failure ×12 since
// 08:02:10", moved to the end with the latest time and level: a flapping
// link would otherwise push everything else out of the event list.
func (c *clusterState) collapseFlap(at time.Time, level ops.Severity, text string) bool {
	m := transitionRe().FindStringSubmatch(text)
	if m == nil {
		return false
	}
	field, from, to := m[1], m[2], m[3]
	for i := len(c.events) - 1; i >= 0 && i >= len(c.events)-flapLookback; i-- {
		e := c.events[i]
		n, since := 0, ""
		if p := transitionRe().FindStringSubmatch(e.text); p != nil && p[1] == field && p[2] == to && p[3] == from {
			n, since = 2, e.at.Format("15:04:05")
		} else if f := flapRe().FindStringSubmatch(e.text); f != nil && f[1] == field &&
			((f[2] == from && f[3] == to) || (f[2] == to && f[3] == from)) {
			prev, _ := strconv.Atoi(f[4])
			n, since = prev+1, f[5]
		} else {
			continue
		}
		c.events = append(c.events[:i], c.events[i+1:]...)
		a, b := from, to
		if b < a {
			a, b = b, a // one spelling whichever way it swung last
		}
		c.events = append(c.events, event{at: at, level: level, text: fmt.Sprintf("%s %s ⇄ %s ×%d since %s", field, a, b, n, since)})
		return true
	}
	return false
}
