package tui

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// t0 is the fixed "now" of every view test.
var t0 = time.Date(2026, 3, 4, 10, 6, 0, 0, time.UTC)

// testClock is an injected clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: t0} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fakeReader returns a canned snapshot or error, counting calls.
type fakeReader struct {
	mu    sync.Mutex
	snap  ops.Snapshot
	err   error
	calls int
	block chan struct{} // when set, Status waits for it or the context
}

func (f *fakeReader) Status(ctx context.Context) (ops.Snapshot, error) {
	f.mu.Lock()
	f.calls++
	snap, err, block := f.snap, f.err, f.block
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return ops.Snapshot{}, &ops.Error{Class: ops.ErrTimeout, Op: "read status", Err: ctx.Err()}
		}
	}
	return snap, err
}

func (f *fakeReader) set(snap ops.Snapshot, err error) {
	f.mu.Lock()
	f.snap, f.err = snap, err
	f.mu.Unlock()
}

func asciiStyles() theme.Styles {
	r := lipgloss.NewRenderer(&bytes.Buffer{})
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return theme.New(r, theme.DefaultPalette())
}

// Replication-set IDs and merkle roots of the fixtures, from the API
// reference's samples.
const (
	perfSet    = "00616ea0-3094-5017-29f9-644f3633f0da"
	drSet      = "eef2a5ab-51e2-1c05-407c-8b4dc8d09ebf"
	perfMerkle = "7b75cf69bb9a862913b0de2478164e046d242e0f"
	drMerkle   = "2494830f1a1c304829b5742a232d39b5457bce9a"
	idEast1    = "cd0463e0-a37f-7421-345e-aad53007479f"
	idWest1    = "5d2f1e47-9c0b-4a51-b8e0-77a4c61c0b2a"
	idDR       = "4ca6b639-046b-5bb1-8043-6788ddf09121"
)

func health(version string) *ops.Health {
	return &ops.Health{Initialized: true, Version: version, Enterprise: true, ClusterName: "vault-cluster", ServerTime: t0}
}

func peer(id, api string, hbAgo time.Duration) ops.Peer {
	return ops.Peer{
		NodeID: id, APIAddress: api, ClusterAddress: api[:len(api)-1] + "1",
		Status: ops.PeerConnected, RawStatus: "connected",
		LastHeartbeat:            t0.Add(-hbAgo),
		HasLastHeartbeatDuration: true,
		ClockSkew:                0, HasClockSkew: true,
		CanaryAge: 660 * time.Millisecond, HasCanaryAge: true,
	}
}

func disabled(t ops.ReplicationType) ops.TypeStatus {
	return ops.TypeStatus{Type: t, Mode: ops.ModeDisabled, RawMode: "disabled"}
}

// primarySnap is us-east-2: performance primary of two, DR primary of one.
func primarySnap(wal uint64) ops.Snapshot {
	return ops.Snapshot{
		FetchedAt: t0, Health: health("1.17.3+ent"),
		Replication: &ops.Replication{
			Performance: ops.TypeStatus{
				Type: ops.Performance, Mode: ops.ModePrimary, RawMode: "primary", State: ops.StateRunning, RawState: "running",
				ClusterID: perfSet, MerkleRoot: perfMerkle, HasCorruptionCheck: true,
				LastWAL: wal, LastPerformanceWAL: wal,
				HasState: true, HasLastWAL: true, HasLastPerformanceWAL: true, HasKnownSecondaries: true, HasSecondaries: true,
				KnownSecondaries: []string{idEast1, idWest1},
				Secondaries: []ops.Peer{
					peer(idEast1, "https://10.0.1.10:8200", 2*time.Second),
					peer(idWest1, "https://10.0.2.10:8200", 3*time.Second),
				},
			},
			DR: ops.TypeStatus{
				Type: ops.DR, Mode: ops.ModePrimary, RawMode: "primary", State: ops.StateRunning, RawState: "running",
				ClusterID: drSet, MerkleRoot: drMerkle, HasCorruptionCheck: true,
				LastWAL: wal, LastDRWAL: wal,
				HasState: true, HasLastWAL: true, HasLastDRWAL: true, HasKnownSecondaries: true, HasSecondaries: true,
				KnownSecondaries: []string{idDR},
				Secondaries:      []ops.Peer{peer(idDR, "https://10.0.0.20:8200", 1*time.Second)},
			},
		},
	}
}

func secondaryOf(t ops.ReplicationType, set, merkle, id string, remote uint64, hbAgo time.Duration) ops.TypeStatus {
	p := peer("", "https://10.0.0.10:8200", hbAgo)
	return ops.TypeStatus{
		Type: t, Mode: ops.ModeSecondary, RawMode: "secondary", State: ops.StateStreamWALs, RawState: "stream-wals",
		ConnectionState: ops.ConnReady, RawConnection: "ready",
		HasState: true, HasConnectionState: true, HasKnownPrimaryAddrs: true, HasPrimaries: true,
		ClusterID: set, MerkleRoot: merkle, HasCorruptionCheck: true,
		PrimaryClusterAddr:       "https://10.0.0.10:8201",
		KnownPrimaryClusterAddrs: []string{"https://10.0.0.10:8201"},
		Primaries:                []ops.Peer{p},
		SecondaryID:              id, LastRemoteWAL: remote, HasLastRemoteWAL: true,
		LastStart: t0.Add(-time.Hour),
	}
}

func perfSecondarySnap(id string, remote uint64) ops.Snapshot {
	return ops.Snapshot{
		FetchedAt: t0, Health: health("1.17.3+ent"),
		Replication: &ops.Replication{
			Performance: secondaryOf(ops.Performance, perfSet, perfMerkle, id, remote, 2*time.Second),
			DR:          disabled(ops.DR),
		},
	}
}

func drSecondarySnap(remote uint64) ops.Snapshot {
	h := health("1.17.3+ent")
	h.DRMode = ops.ModeSecondary
	h.PerformanceMode = ops.ModePrimary // the documented quirk: health says primary
	return ops.Snapshot{
		FetchedAt: t0, Health: h,
		Replication: &ops.Replication{
			Performance: disabled(ops.Performance),
			DR:          secondaryOf(ops.DR, drSet, drMerkle, idDR, remote, time.Second),
		},
	}
}

func ceSnap() ops.Snapshot {
	h := &ops.Health{Initialized: true, Version: "1.17.3", ServerTime: t0}
	return ops.Snapshot{FetchedAt: t0, Health: h, Replication: &ops.Replication{CommunityEdition: true,
		Performance: disabled(ops.Performance), DR: disabled(ops.DR)}}
}

func sealedSnap() ops.Snapshot {
	h := health("1.17.3+ent")
	h.Sealed = true
	return ops.Snapshot{FetchedAt: t0, Health: h,
		ReplicationErr: &ops.Error{Class: ops.ErrSealed, Op: "read replication status", Cluster: "us-east-1", StatusCode: 503, Messages: []string{"Vault is sealed"}}}
}

func refused(name string) error {
	return &ops.Error{Class: ops.ErrUnreachable, Op: "read replication status", Cluster: name,
		Err: fmt.Errorf("dial tcp 10.0.2.10:8200: connect: connection refused")}
}

// globalSpecs is the seed's "Global Cloud Deployment": us-east-2 primary,
// us-east-1 and eu-west-1 performance secondaries, us-east-2-dr its DR
// secondary.
func globalSpecs() ([]ClusterSpec, []*fakeReader) {
	names := []string{"us-east-2", "us-east-1", "eu-west-1", "us-east-2-dr"}
	addrs := []string{"https://10.0.0.10:8200", "https://10.0.1.10:8200", "https://10.0.2.10:8200", "https://10.0.0.20:8200"}
	snaps := []ops.Snapshot{primarySnap(1234), perfSecondarySnap(idEast1, 1234), perfSecondarySnap(idWest1, 1230), drSecondarySnap(1234)}
	// eu-west-1 is 4 WAL behind: its merkle root differs from the primary's.
	snaps[2].Replication.Performance.MerkleRoot = "5e9d2c1b0a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"
	specs := make([]ClusterSpec, len(names))
	readers := make([]*fakeReader, len(names))
	for i := range names {
		readers[i] = &fakeReader{snap: snaps[i]}
		specs[i] = ClusterSpec{Name: names[i], Address: addrs[i], Reader: readers[i]}
	}
	specs[0].Label, specs[0].Protected = "production primary", true
	specs[3].Label = "disaster recovery"
	return specs, readers
}

// newTestModel builds a dashboard on fakes at a fixed size and clock.
func newTestModel(specs []ClusterSpec, clk *testClock, w, h int, tweak ...func(*Deps)) Model {
	d := Deps{Clusters: specs, Now: clk.Now, Interval: 2 * time.Second, Timeout: 5 * time.Second, Styles: asciiStyles()}
	for _, f := range tweak {
		f(&d)
	}
	m := New(d)
	m.timer = instantTimer
	m = send(m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// send applies one message and returns the new model (ignoring commands).
func send(m Model, msg tea.Msg) Model {
	nm, _ := m.Update(msg)
	return nm.(Model)
}

// pollAll delivers one result per cluster straight from its reader, as if
// each poll had just returned.
func pollAll(m Model, clk *testClock) Model {
	for i := range m.clusters {
		r := m.clusters[i].spec.Reader
		snap, err := r.Status(context.Background())
		m = send(m, statusMsg{id: ClusterID(i), gen: m.clusters[i].gen, snap: snap, err: err, took: 12 * time.Millisecond, at: clk.Now()})
	}
	return m
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "ctrl+l":
		return tea.KeyMsg{Type: tea.KeyCtrlL}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// firedMsg is a timer the test harness caught instead of waiting for it.
type firedMsg struct {
	d   time.Duration
	msg tea.Msg
}

// instantTimer replaces tea.Tick in tests: the timer is reported, not slept.
func instantTimer(d time.Duration, msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return firedMsg{d: d, msg: msg} }
}

// run executes cmd and everything it leads to synchronously, delivering each
// result to the model. Timers are collected for the test to fire (or not).
func run(m Model, cmd tea.Cmd) (Model, []firedMsg, bool) {
	var timers []firedMsg
	quit := false
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case firedMsg:
			timers = append(timers, msg)
		case tea.QuitMsg:
			quit = true
		default:
			nm, next := m.Update(msg)
			m = nm.(Model)
			queue = append(queue, next)
		}
	}
	return m, timers, quit
}

// update delivers msg and runs what it leads to.
func update(m Model, msg tea.Msg) (Model, []firedMsg, bool) {
	nm, cmd := m.Update(msg)
	return run(nm.(Model), cmd)
}

// pollTimers picks the poll timers out of the caught ones, by cluster.
func pollTimers(ts []firedMsg) map[ClusterID]firedMsg {
	out := map[ClusterID]firedMsg{}
	for _, t := range ts {
		if p, ok := t.msg.(pollDueMsg); ok {
			out[p.id] = t
		}
	}
	return out
}
