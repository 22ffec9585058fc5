package sim

import "time"

// walRetention is how many entries a cluster keeps for streaming. A secondary
// that falls further behind (a long partition under heavy writes) cannot be
// caught up from the log and goes back through merkle-diff and merkle-sync,
// which is what Vault does when the WALs it needs are gone.
const walRetention = 4096

type walEntry struct {
	index uint64
	at    time.Time // lab time the entry was written
	perf  bool      // carried to performance secondaries
	mut   *mutation
}

// walLog is one cluster's write-ahead log. last is last_wal (every class),
// lastPerf is last_performance_wal, and every entry goes to DR secondaries so
// last_dr_wal equals last (as in the documented samples).
type walLog struct {
	entries  []walEntry
	last     uint64
	lastPerf uint64
	dropped  uint64 // index of the newest entry no longer retained
}

func (l *walLog) append(at time.Time, perf bool, m *mutation) uint64 {
	l.last++
	if perf {
		l.lastPerf = l.last
	}
	l.entries = append(l.entries, walEntry{index: l.last, at: at, perf: perf, mut: m})
	// Trim in batches (keep between walRetention and twice that) so an
	// append costs O(1) amortised.
	if over := len(l.entries) - walRetention; over >= walRetention {
		l.dropped = l.entries[over-1].index
		l.entries = append(l.entries[:0:0], l.entries[over:]...)
	}
	return l.last
}

// after returns the retained entries newer than idx; ok is false when some of
// them were already dropped (the reader must resynchronise).
func (l *walLog) after(idx uint64) (entries []walEntry, ok bool) {
	if l.dropped > idx {
		return nil, false
	}
	// Entries are in index order; find the first one past idx.
	lo, hi := 0, len(l.entries)
	for lo < hi {
		mid := (lo + hi) / 2
		if l.entries[mid].index <= idx {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return l.entries[lo:], true
}
