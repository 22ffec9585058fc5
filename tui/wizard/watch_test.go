package wizard

import (
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// obs builds a poll: the secondary in (mode, state, conn), the primary
// listing the peer "s1" with status peer (PeerUnknown: not listed).
func obs(at time.Duration, mode ops.Mode, state ops.State, conn ops.ConnectionState, peer ops.PeerStatus) watchObs {
	sec := ops.TypeStatus{Mode: mode, State: state, ConnectionState: conn, SecondaryID: "s1"}
	pri := ops.TypeStatus{Mode: ops.ModePrimary, LastPerformanceWAL: 10}
	if peer != ops.PeerUnknown {
		pri.Secondaries = []ops.Peer{{NodeID: "s1", Status: peer}}
	}
	return watchObs{At: t0.Add(at), Sec: snap(sec, disabled), Pri: snap(pri, disabled)}
}

func TestWatchReachesStreaming(t *testing.T) {
	w := watchState{Type: ops.Performance, Secondary: "sec", Primary: "pri", ID: "s1", Started: t0}
	down := watchObs{At: t0.Add(time.Second), SecErr: &ops.Error{Class: ops.ErrUnreachable}}
	w = w.observe(down, 3)
	w = w.observe(obs(2*time.Second, ops.ModeBootstrapping, ops.StateUnknown, ops.ConnConnecting, ops.PeerUnknown), 3)
	w = w.observe(obs(3*time.Second, ops.ModeSecondary, ops.StateMerkleSync, ops.ConnReady, ops.PeerUnknown), 3)
	if w.Done {
		t.Fatal("done before stream-wals")
	}
	// stream-wals, but the primary does not list it yet: not done.
	w = w.observe(obs(4*time.Second, ops.ModeSecondary, ops.StateStreamWALs, ops.ConnReady, ops.PeerUnknown), 3)
	if w.Done {
		t.Fatal("done before the primary lists the secondary")
	}
	w = w.observe(obs(5*time.Second, ops.ModeSecondary, ops.StateStreamWALs, ops.ConnReady, ops.PeerConnected), 3)
	if !w.Done || w.DoneAt != t0.Add(5*time.Second) {
		t.Fatalf("not done: %+v", w)
	}
	var texts []string
	for _, e := range w.Timeline {
		texts = append(texts, e.Text)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"not answering", "answers again", "mode bootstrapping", "state merkle-sync", "state stream-wals", "pri lists s1 as connected", "replication is working"} {
		if !strings.Contains(all, want) {
			t.Errorf("timeline lacks %q:\n%s", want, all)
		}
	}
}

func TestWatchStuckSaysWhy(t *testing.T) {
	tests := []struct {
		name string
		o    watchObs
		why  string
		fix  string
	}{
		{"connection failing", obs(0, ops.ModeSecondary, ops.StateMerkleDiff, ops.ConnTransientFailure, ops.PeerUnknown), "connection_state is transient_failure", "port 8201"},
		{"idle", obs(0, ops.ModeSecondary, ops.StateIdle, ops.ConnReady, ops.PeerUnknown), "replication has stopped", "recover"},
		{"bootstrapping", obs(0, ops.ModeBootstrapping, ops.StateUnknown, ops.ConnUnknown, ops.PeerUnknown), "still bootstrapping", "primary_api_addr"},
		{"not activated", obs(0, ops.ModeDisabled, ops.StateUnknown, ops.ConnUnknown, ops.PeerUnknown), "has not taken effect", "logs"},
		{"primary does not list it", obs(0, ops.ModeSecondary, ops.StateStreamWALs, ops.ConnReady, ops.PeerDisconnected), "does not list s1 as connected", "heartbeats"},
		{"down", watchObs{SecErr: &ops.Error{Class: ops.ErrUnreachable}}, "has not answered for 3 polls", "running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := watchState{Type: ops.Performance, Secondary: "sec", Primary: "pri", ID: "s1", Started: t0}
			for i := range 4 {
				o := tt.o
				o.At = t0.Add(time.Duration(i) * time.Second)
				w = w.observe(o, 3)
				if i < 3 && w.Stuck {
					t.Fatalf("stuck after %d unchanged polls, want 3", i)
				}
			}
			if !w.Stuck || !strings.Contains(w.Why, tt.why) || !strings.Contains(w.Fix, tt.fix) {
				t.Fatalf("stuck=%v why=%q fix=%q", w.Stuck, w.Why, w.Fix)
			}
			// Any change clears it.
			w = w.observe(obs(10*time.Second, ops.ModeSecondary, ops.StateMerkleSync, ops.ConnReady, ops.PeerUnknown), 3)
			if w.Stuck {
				t.Fatal("still stuck after progress")
			}
		})
	}
}

func TestWatchSyncProgressCountsAsProgress(t *testing.T) {
	w := watchState{Type: ops.Performance, Secondary: "sec", Primary: "pri", ID: "s1", Started: t0}
	for i := range 10 {
		o := obs(time.Duration(i)*time.Second, ops.ModeSecondary, ops.StateMerkleSync, ops.ConnReady, ops.PeerUnknown)
		o.Sec.Replication.Performance.MerkleSync = &ops.SyncProgress{Progress: uint64(i * 10), TotalKeys: 100}
		w = w.observe(o, 3)
	}
	if w.Stuck {
		t.Fatalf("a moving merkle sync is not stuck: %+v", w)
	}
}

func TestWatchDiffSyncFlipping(t *testing.T) {
	w := watchState{Type: ops.Performance, Secondary: "sec", Primary: "pri", ID: "s1", Started: t0}
	for i := range 8 {
		st := ops.StateMerkleDiff
		if i%2 == 1 {
			st = ops.StateMerkleSync
		}
		w = w.observe(obs(time.Duration(i)*time.Second, ops.ModeSecondary, st, ops.ConnReady, ops.PeerUnknown), 100)
	}
	if !w.Stuck || !strings.Contains(w.Why, "switching between merkle-diff and merkle-sync") {
		t.Fatalf("flipping not reported: %+v", w)
	}
}

func TestVerifyApply(t *testing.T) {
	v := verifyState{Type: ops.Performance, Path: "vaultrepl-canary-x/", Written: true, WrittenAt: t0,
		Targets: []target{{Name: "a"}, {Name: "b"}}}
	v = v.apply([]probe{{Name: "a", At: t0.Add(700 * time.Millisecond), Present: true}, {Name: "b", At: t0.Add(700 * time.Millisecond)}})
	if got := v.pending(3); len(got) != 1 || got[0] != "b" {
		t.Fatalf("pending = %v", got)
	}
	if d := v.propagation(v.Targets[0]); d != 700*time.Millisecond {
		t.Fatalf("propagation = %v", d)
	}
	v = v.apply([]probe{{Name: "b", At: t0.Add(2 * time.Second), Err: &ops.Error{Class: ops.ErrTimeout}}})
	v = v.apply([]probe{{Name: "b", At: t0.Add(3 * time.Second)}})
	if got := v.pending(3); len(got) != 0 {
		t.Fatalf("b should have run out of polls: %v", got)
	}
	if l, s := v.summary(3); l != lvFail || !strings.Contains(s, "reached 1 of 2") {
		t.Fatalf("summary = %v %q", l, s)
	}

	dr := verifyState{Type: ops.DR, Written: true, WrittenAt: t0, TargetWAL: 42, Targets: []target{{Name: "d"}}}
	dr = dr.apply([]probe{{Name: "d", At: t0.Add(time.Second), WAL: 41}})
	if dr.Targets[0].Seen {
		t.Fatal("WAL 41 < 42 must not count")
	}
	dr = dr.apply([]probe{{Name: "d", At: t0.Add(2 * time.Second), WAL: 43}})
	if !dr.Targets[0].Seen || dr.propagation(dr.Targets[0]) != 2*time.Second {
		t.Fatalf("DR target: %+v", dr.Targets[0])
	}
	if l, _ := dr.summary(3); l != lvPass {
		t.Fatal("DR summary should pass")
	}

	// After the cleanup write, perf targets are polled until the canary is gone.
	v2 := verifyState{Type: ops.Performance, Removing: true, Removed: true, RemovedAt: t0, Targets: []target{{Name: "a", Seen: true}}}
	v2 = v2.apply([]probe{{Name: "a", At: t0.Add(time.Second), Present: false}})
	if !v2.Targets[0].Gone {
		t.Fatal("removal not recorded")
	}
}

func TestCanaryPathIsClearlyNamed(t *testing.T) {
	p := newCanaryPath()
	if !strings.HasPrefix(p, "vaultrepl-canary-") || !strings.HasSuffix(p, "/") || len(p) != len("vaultrepl-canary-")+7 {
		t.Fatalf("canary path %q", p)
	}
	if newCanaryPath() == p {
		t.Fatal("canary paths should differ between runs")
	}
}

func TestSecondariesOfMatchesReplicationSet(t *testing.T) {
	pri := facts{Name: "p", Snap: snap(ops.TypeStatus{Mode: ops.ModePrimary, ClusterID: "set-1"}, disabled)}
	others := []facts{
		{Name: "a", Snap: snap(ops.TypeStatus{Mode: ops.ModeSecondary, ClusterID: "set-1"}, disabled)},
		{Name: "b", Snap: snap(ops.TypeStatus{Mode: ops.ModeSecondary, ClusterID: "set-2"}, disabled)},
		{Name: "c", Snap: snap(disabled, disabled)},
		{Name: "d", Err: &ops.Error{Class: ops.ErrUnreachable}},
	}
	if got := secondariesOf(pri, others, ops.Performance); len(got) != 1 || got[0] != "a" {
		t.Fatalf("secondariesOf = %v", got)
	}
}
