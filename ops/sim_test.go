package ops_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/ops/sim/simtest"
)

// The simulator is an independent implementation of Vault's wire format: ops
// reading it through the real client (HTTP, vault/api, the raw parser) with
// no anomalies, and finding the topology's links, checks both sides.

func startGlobalLab(t *testing.T) (*sim.Lab, map[string]*ops.Client) {
	t.Helper()
	lab := simtest.Start(t, sim.Options{Topology: "global", Seed: 42, Clock: sim.NewManualClock(time.Date(2024, 3, 4, 15, 0, 0, 0, time.UTC)), WriteRate: 5})
	lab.Advance(30 * time.Second) // let the background writes and heartbeats run
	clients := map[string]*ops.Client{}
	for _, ci := range lab.Clusters() {
		c, err := ops.NewClient(ops.ClusterConfig{Name: ci.Name, Address: ci.Addr, Token: ops.TokenSource{Inline: ci.Token}},
			ops.ClientOptions{Timeout: 10 * time.Second, MaxBodyBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		clients[ci.Name] = c
	}
	return lab, clients
}

func observeAll(t *testing.T, lab *sim.Lab, clients map[string]*ops.Client) []ops.Observation {
	t.Helper()
	var obs []ops.Observation
	for _, ci := range lab.Clusters() {
		snap, err := clients[ci.Name].Status(context.Background())
		o := ops.Observation{Name: ci.Name, Err: err}
		if err == nil {
			o.Snapshot = &snap
		}
		obs = append(obs, o)
	}
	return obs
}

func TestSimGlobalStatusDecodes(t *testing.T) {
	lab, clients := startGlobalLab(t)
	want := map[string][2]ops.Mode{ // performance, DR
		"us-east-2":    {ops.ModePrimary, ops.ModePrimary},
		"us-east-1":    {ops.ModeSecondary, ops.ModeDisabled},
		"eu-west-1":    {ops.ModeSecondary, ops.ModeDisabled},
		"us-east-2-dr": {ops.ModeDisabled, ops.ModeSecondary},
	}
	for _, o := range observeAll(t, lab, clients) {
		if o.Err != nil {
			t.Fatalf("%s: %v", o.Name, o.Err)
		}
		s := o.Snapshot
		if s.Health == nil || s.Replication == nil || s.HealthErr != nil || s.ReplicationErr != nil {
			t.Fatalf("%s: %+v", o.Name, s)
		}
		if s.Edition() != ops.EditionEnterprise || !s.Health.Initialized || s.Health.Sealed {
			t.Errorf("%s health %+v", o.Name, s.Health)
		}
		if len(s.Health.Anomalies) != 0 {
			t.Errorf("%s health anomalies: %v", o.Name, s.Health.Anomalies)
		}
		r := s.Replication
		if got := [2]ops.Mode{r.Performance.Mode, r.DR.Mode}; got != want[o.Name] {
			t.Errorf("%s modes %v, want %v", o.Name, got, want[o.Name])
		}
		for _, ts := range []ops.TypeStatus{r.Performance, r.DR} {
			if len(ts.Anomalies) != 0 || len(ts.Extra) != 0 {
				t.Errorf("%s %v: anomalies %v, unknown fields %v", o.Name, ts.Type, ts.Anomalies, ts.Extra)
			}
			checkTypeFields(t, o.Name, ts)
		}
	}
}

// checkTypeFields checks what the reference says each role carries.
func checkTypeFields(t *testing.T, name string, ts ops.TypeStatus) {
	t.Helper()
	switch ts.Mode {
	case ops.ModePrimary:
		if ts.State != ops.StateRunning || ts.ClusterID == "" || ts.MerkleRoot == "" || ts.PrimaryWAL() == 0 ||
			len(ts.KnownSecondaries) == 0 || len(ts.Secondaries) == 0 || !ts.HasCorruptionCheck {
			t.Errorf("%s %v primary: %+v", name, ts.Type, ts)
		}
		for _, p := range ts.Secondaries {
			if p.NodeID == "" || p.Status != ops.PeerConnected || p.LastHeartbeat.IsZero() || !p.HasClockSkew ||
				!p.HasCanaryAge || !p.HasLastHeartbeatDuration {
				t.Errorf("%s %v secondary peer: %+v", name, ts.Type, p)
			}
		}
	case ops.ModeSecondary:
		if ts.State == ops.StateUnknown || ts.ConnectionState == ops.ConnUnknown || ts.SecondaryID == "" || ts.ClusterID == "" ||
			!ts.HasLastRemoteWAL || len(ts.KnownPrimaryClusterAddrs) == 0 || len(ts.Primaries) == 0 || ts.LastStart.IsZero() {
			t.Errorf("%s %v secondary: %+v", name, ts.Type, ts)
		}
	}
}

func TestSimGlobalAssessFindsLinks(t *testing.T) {
	lab, clients := startGlobalLab(t)
	rep := ops.Assess(lab.Now(), observeAll(t, lab, clients), ops.DefaultThresholds())
	type key struct {
		typ                ops.ReplicationType
		primary, secondary string
	}
	found := map[key]ops.Link{}
	for _, l := range rep.Links {
		found[key{l.Type, l.Primary, l.Secondary}] = l
	}
	for _, k := range []key{
		{ops.Performance, "us-east-2", "us-east-1"},
		{ops.Performance, "us-east-2", "eu-west-1"},
		{ops.DR, "us-east-2", "us-east-2-dr"},
	} {
		l, ok := found[k]
		if !ok {
			t.Errorf("link %v not found in %+v", k, rep.Links)
			continue
		}
		if !l.HasWALGap || l.Status != ops.PeerConnected || l.SecondaryID == "" || l.Stale {
			t.Errorf("%v: %+v", k, l)
		}
	}
	if len(rep.Links) != 3 {
		t.Errorf("%d links: %+v", len(rep.Links), rep.Links)
	}
	for _, c := range rep.Clusters {
		if !c.Reachable || c.Severity == ops.SeverityCritical || c.Severity == ops.SeverityUnknown {
			t.Errorf("%s: %v %+v", c.Name, c.Severity, c)
		}
	}
}

// The simulator's faults reach ops as the classes a real cluster's would.
func TestSimFaultsClassify(t *testing.T) {
	lab, clients := startGlobalLab(t)
	ctx := context.Background()
	read := func(name string) (ops.Snapshot, error) { return clients[name].Status(ctx) }

	if err := lab.Seal("eu-west-1"); err != nil {
		t.Fatal(err)
	}
	snap, err := read("eu-west-1")
	if err != nil || snap.Health == nil || !snap.Health.Sealed || ops.ClassOf(snap.ReplicationErr) != ops.ErrSealed {
		t.Errorf("sealed: %v %+v", err, snap)
	}

	if err := lab.Stop("us-east-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := read("us-east-1"); ops.ClassOf(err) != ops.ErrUnreachable {
		t.Errorf("stopped: %v", err)
	}

	if err := lab.SetCommunityEdition("us-east-2-dr", true); err != nil {
		t.Fatal(err)
	}
	if snap, err := read("us-east-2-dr"); err != nil || snap.Edition() != ops.EditionCommunity || !snap.Replication.CommunityEdition {
		t.Errorf("CE: %v %+v", err, snap.Replication)
	}

	for kind, class := range map[sim.ResponseFault]ops.ErrorClass{
		sim.FaultMalformedJSON: ops.ErrMalformed,
		sim.FaultTruncated:     ops.ErrMalformed,
		sim.FaultHugeBody:      ops.ErrTooLarge,
		sim.FaultForbidden:     ops.ErrPermissionDenied,
		sim.FaultRateLimited:   ops.ErrRateLimited,
	} {
		if err := lab.InjectResponse("us-east-2", kind, 2); err != nil {
			t.Fatal(err)
		}
		_, err := read("us-east-2")
		if ops.ClassOf(err) != class {
			t.Errorf("%s: %v, want %v", kind, err, class)
		}
	}

	if err := lab.FailRequests("us-east-2", http.StatusServiceUnavailable, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := read("us-east-2"); ops.ClassOf(err) != ops.ErrServer {
		t.Errorf("503 burst: %v", err)
	}
	if _, err := read("us-east-2"); err != nil {
		t.Errorf("after the burst (no retries used it up): %v", err)
	}
}

// A DR secondary answers status and refuses everything else as a DR secondary.
func TestSimDRSecondaryRefusesWrites(t *testing.T) {
	_, clients := startGlobalLab(t)
	_, err := clients["us-east-2-dr"].ListAuth(context.Background())
	if ops.ClassOf(err) != ops.ErrDRSecondary {
		t.Errorf("%v", err)
	}
}

// Tried as a new user would: promote the DR secondary of global without
// demoting the primary. Within one poll both primaries are critical, with
// the demote command, and `status` would exit 2.
func TestSimSplitBrainWithinOnePoll(t *testing.T) {
	lab, clients := startGlobalLab(t)
	// Through the fault catalogue, as the lab menu and the control endpoint apply it.
	if err := lab.ApplyFault(sim.FaultSpec{Kind: sim.KindPromoteNoDemote, Cluster: "us-east-2-dr", Type: "dr"}); err != nil {
		t.Fatal(err)
	}
	lab.Advance(3 * time.Second) // past the promotion's brief outage
	rep := ops.Assess(lab.Now(), observeAll(t, lab, clients), ops.DefaultThresholds())
	if rep.Worst != ops.SeverityCritical || len(rep.SplitBrains) == 0 {
		t.Fatalf("worst %v split %+v", rep.Worst, rep.SplitBrains)
	}
	for _, name := range []string{"us-east-2", "us-east-2-dr"} {
		if !rep.InSplitBrain(name, ops.DR) {
			t.Errorf("%s not in the DR split brain: %+v", name, rep.SplitBrains)
		}
		for _, c := range rep.Clusters {
			if c.Name != name {
				continue
			}
			found := false
			for _, r := range c.DR.Reasons {
				found = found || (r.Severity == ops.SeverityCritical && strings.Contains(r.Do, "vault write -f sys/replication/dr/primary/demote"))
			}
			if !found || c.Severity != ops.SeverityCritical {
				t.Errorf("%s: %v %+v", name, c.Severity, c.DR.Reasons)
			}
		}
	}
}

// A 1.4 personality (no secondaries[], no state on primaries) is judged
// healthy, not "never connected" or "unknown".
func TestSimOldVersionJudgedHealthy(t *testing.T) {
	lab, clients := startGlobalLab(t)
	for _, ci := range lab.Clusters() {
		if err := lab.SetVersion(ci.Name, "1.4.7+prem"); err != nil {
			t.Fatal(err)
		}
	}
	rep := ops.Assess(lab.Now(), observeAll(t, lab, clients), ops.DefaultThresholds())
	for _, c := range rep.Clusters {
		if c.Severity != ops.SeverityOK {
			t.Errorf("%s: %v %+v %+v %+v", c.Name, c.Severity, c.Reasons, c.Performance.Reasons, c.DR.Reasons)
		}
	}
	for _, l := range rep.Links {
		if l.Severity != ops.SeverityOK {
			t.Errorf("link %+v", l)
		}
	}
}
