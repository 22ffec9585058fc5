package wizard

import (
	"crypto/rand"
	"fmt"
	"slices"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// canaryPrefix names the propagation check's auth method so that nobody
// mistakes it for a real one, and so that a leftover is easy to find.
const canaryPrefix = "vaultrepl-canary-"

const canaryDescription = "vaultrepl propagation check; safe to delete"

// newCanaryPath returns vaultrepl-canary-<6 random lower-case letters/digits>/.
func newCanaryPath() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return canaryPrefix + string(b) + "/"
}

// target is one secondary in the propagation check.
type target struct {
	Name   string
	Polls  int
	Seen   bool
	SeenAt time.Time
	WAL    uint64 // DR: last seen last_remote_wal
	Err    string // the last probe's error, if any
	// After cleanup: the canary is gone from this secondary too.
	GonePolls int
	Gone      bool
	GoneAt    time.Time
}

// verifyState is the propagation check. Like watchState it changes through
// pure methods, so its timing logic is tested without a network.
type verifyState struct {
	Type      ops.ReplicationType
	Primary   string
	Path      string
	Targets   []target
	WrittenAt time.Time
	Written   bool
	TargetWAL uint64 // DR: the primary's last_dr_wal right after the write
	WALErr    string
	Removing  bool // the cleanup write was sent
	Removed   bool
	RemovedAt time.Time
	Kept      bool // the operator chose to keep the canary
}

// secondariesOf finds the clusters that are secondaries of primary for type
// t: same replication set (cluster_id) and mode secondary.
func secondariesOf(primary facts, others []facts, t ops.ReplicationType) []string {
	pid := primary.of(t).ClusterID
	var out []string
	for _, f := range others {
		ts := f.of(t)
		if f.Name != primary.Name && ts.Mode == ops.ModeSecondary && pid != "" && ts.ClusterID == pid {
			out = append(out, f.Name)
		}
	}
	return out
}

// apply folds probe results into the targets. Perf: the canary is listed in
// sys/auth. DR: the secondary's last_remote_wal reached the primary's
// last_dr_wal taken right after the write.
func (v verifyState) apply(ps []probe) verifyState {
	v.Targets = slices.Clone(v.Targets)
	for _, p := range ps {
		i := slices.IndexFunc(v.Targets, func(t target) bool { return t.Name == p.Name })
		if i < 0 {
			continue
		}
		t := &v.Targets[i]
		t.Err = ""
		if p.Err != nil {
			t.Err, _ = errText(p.Err)
		}
		if !v.Removing {
			if t.Seen {
				continue
			}
			t.Polls++
			arrived := p.Err == nil && p.Present
			if v.Type == ops.DR {
				arrived = p.Err == nil && p.WAL >= v.TargetWAL
				t.WAL = p.WAL
			}
			if arrived {
				t.Seen, t.SeenAt = true, p.At
			}
			continue
		}
		if t.Gone {
			continue
		}
		t.GonePolls++
		if p.Err == nil && !p.Present {
			t.Gone, t.GoneAt = true, p.At
		}
	}
	return v
}

// pending lists the targets still being waited for (limit polls each).
func (v verifyState) pending(limit int) []string {
	var out []string
	for _, t := range v.Targets {
		switch {
		case !v.Removing && !t.Seen && t.Polls < limit:
			out = append(out, t.Name)
		case v.Removing && v.Type == ops.Performance && !t.Gone && t.GonePolls < limit:
			out = append(out, t.Name)
		}
	}
	return out
}

// propagation is how long the canary took to reach t, measured from the
// moment the primary acknowledged the write to the probe that saw it: an
// upper bound, since probes run once per poll interval.
func (v verifyState) propagation(t target) time.Duration {
	return t.SeenAt.Sub(v.WrittenAt)
}

// summary is the one-line result of the check.
func (v verifyState) summary(limit int) (level, string) {
	seen, missing := 0, 0
	for _, t := range v.Targets {
		switch {
		case t.Seen:
			seen++
		case t.Polls >= limit:
			missing++
		}
	}
	switch {
	case len(v.Targets) == 0:
		return lvWarn, "no secondaries to check"
	case missing > 0:
		return lvFail, fmt.Sprintf("the change reached %d of %d secondaries; %d did not get it within %d polls", seen, len(v.Targets), missing, limit)
	case seen == 1 && len(v.Targets) == 1:
		return lvPass, "the change reached the secondary"
	case seen == len(v.Targets):
		return lvPass, fmt.Sprintf("the change reached all %d secondaries", seen)
	}
	return lvInfo, fmt.Sprintf("waiting: %d of %d secondaries have it", seen, len(v.Targets))
}
