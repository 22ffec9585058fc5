package wizard

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/ops/sim/simtest"
)

// startGlobalRun is startLabRun on the global topology (primary us-east-2,
// performance secondaries us-east-1 and eu-west-1, DR secondary
// us-east-2-dr), with the lab's background writes so that WALs move.
func startGlobalRun(t *testing.T, start Start, before func(*sim.Lab)) *labRun {
	t.Helper()
	lab := simtest.Start(t, sim.Options{Topology: "global", Seed: 7, Clock: sim.NewManualClock(t0), WriteRate: 2})
	lab.Advance(10 * time.Second)
	if before != nil {
		before(lab)
	}
	return runOn(t, lab, start)
}

// runOn opens the wizard on a running lab.
func runOn(t *testing.T, lab *sim.Lab, start Start) *labRun {
	t.Helper()
	return runOnWith(t, lab, start, nil)
}

// readOnly marks a cluster read-only in runOnWith's configuration.
const readOnlyCluster = "read-only"

// runOnWith is runOn with some clusters' clients wrapped (a fault, a seal
// of several key shares): wrap returns the Operator the wizard gets; a
// wrap keyed readOnlyCluster+name marks name read-only instead.
func runOnWith(t *testing.T, lab *sim.Lab, start Start, wrap map[string]func(*ops.Client) Operator) *labRun {
	t.Helper()
	r := &labRun{t: t, lab: lab, clients: map[string]*ops.Client{}, rec: &recorder{}}
	var cs []Cluster
	for _, ci := range lab.Clusters() {
		c, err := ops.NewClient(ops.ClusterConfig{Name: ci.Name, Address: ci.Addr, Token: ops.TokenSource{Inline: ci.Token}}, ops.ClientOptions{Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		r.clients[ci.Name] = c
		var op Operator = c
		if w, ok := wrap[ci.Name]; ok {
			op = w(c)
		}
		_, ro := wrap[readOnlyCluster+ci.Name]
		cs = append(cs, Cluster{Name: ci.Name, Address: ci.Addr, Op: op, ReadOnly: ro})
	}
	deps := Deps{Clusters: cs, Now: lab.Now, Interval: 5 * time.Millisecond, Timeout: 10 * time.Second,
		StuckAfter: 100000, VerifyPolls: 100000, Copy: func(string) error { return nil }, SaveDir: t.TempDir()}
	r.tm = teatest.NewTestModel(t, host{w: New(deps, start), rec: r.rec}, teatest.WithInitialTermSize(80, 24))
	t.Cleanup(func() {
		_ = r.tm.Quit()
		r.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	})
	return r
}

// follow confirms one performance secondary's update-primary and watches
// it to stream-wals.
func (r *labRun) follow(name string) { r.followTo(name, "us-east-2-dr") }

func (r *labRun) followTo(name, primary string) {
	r.t.Helper()
	r.waitFor("the review for "+name, 250*time.Millisecond, func(s shot) bool {
		return s.step == stFollow && s.ph == phReview && strings.Contains(s.view, "point "+name)
	})
	r.wantFlat("/performance/primary/secondary-token", "update-primary")
	r.press("enter")
	r.at(stFollow, phConfirm)
	r.typeText(name)
	r.press("enter")
	r.at(stFollow, phResult)
	r.wantFlat(name + " now follows " + primary)
	r.press("enter")
	r.waitFor(name+" streaming", time.Second, func(s shot) bool { return s.step == stWatch && s.watchDone })
}

// TestLabFlowDisasterFailover is the disaster of the global topology by
// keyboard: us-east-2 is stopped; us-east-2-dr is promoted with a DR
// operation token made from the key share; us-east-1 and eu-west-1 follow
// it one by one, each confirmed by name and watched to stream-wals.
func TestLabFlowDisasterFailover(t *testing.T) {
	r := startGlobalRun(t, Start{Flow: FlowFailover, Type: ops.DR, TypeKnown: true, Secondary: "us-east-2-dr"},
		func(lab *sim.Lab) {
			if err := lab.Stop("us-east-2"); err != nil {
				t.Fatal(err)
			}
		})
	r.atForm(stPromoteDR, fkNext)
	r.wantFlat("✓ fenced", "generate it here from key shares")
	r.press("enter") // key shares: the attempt starts
	r.focusOn("Key share 1 of 1 (key shares 0/1)")
	r.wantFlat("esc deletes the attempt")
	r.tm.Type(r.lab.UnsealKey())
	r.waitFor("the hidden share", 0, func(s shot) bool { return strings.Contains(s.view, "••••") || strings.Contains(s.view, "****") })
	if strings.Contains(r.rec.shot().view, r.lab.UnsealKey()) {
		t.Fatal("the key share is shown")
	}
	r.press("enter")
	r.atForm(stPromoteDR, fkInputs)
	r.wantFlat("DR operation token ready: key shares 1/1")
	r.press("enter") // no primary_cluster_addr
	r.at(stPromoteDR, phReview)
	r.wantFlat("key shares 1/1, decoded here", `sys/replication/dr/secondary/promote dr_operation_token="********"`)
	if strings.Contains(r.rec.shot().view, r.lab.UnsealKey()) {
		t.Fatal("the review shows the key share")
	}
	r.press("enter")
	r.at(stPromoteDR, phConfirm)
	r.typeText("us-east-2-dr")
	r.press("enter")
	r.at(stPromoteDR, phResult)
	r.wantFlat("us-east-2-dr was promoted to DR primary", "key shares 1/1", "clients keep their tokens")
	if dr := r.status("us-east-2-dr").DR; dr.Mode != ops.ModePrimary {
		t.Fatalf("us-east-2-dr after promote: %+v", dr)
	}
	r.press("enter")
	r.follow("us-east-1")
	r.press("enter")
	r.follow("eu-west-1")
	r.press("enter")
	r.waitFor("what next, once no follower is left", 250*time.Millisecond, func(s shot) bool { return s.step == stNext })
	r.wantFlat("Failover done: us-east-2-dr is the primary", "When us-east-2 comes back it still believes it is the primary: demote it at once")
	for _, name := range []string{"us-east-1", "eu-west-1"} {
		p := r.status(name).Performance
		if p.State != ops.StateStreamWALs || len(p.Primaries) == 0 || normAddr(p.Primaries[0].APIAddress) != normAddr(r.addr("us-east-2-dr")) {
			t.Errorf("%s: %+v", name, p)
		}
	}
}

// With the old primary still up and unsealed, the failover asks for the
// typed "<primary> is fenced" before anything can be sent.
func TestLabFlowFailoverSplitBrainGuard(t *testing.T) {
	r := startGlobalRun(t, Start{Flow: FlowFailover, Type: ops.DR, TypeKnown: true, Secondary: "us-east-2-dr"}, nil)
	r.atForm(stPromoteDR, fkNext)
	r.wantFlat("split brain", "us-east-2 still answers, unsealed, as the DR primary")
	r.press("down")
	r.press("enter") // a batch token
	r.atForm(stPromoteDR, fkInputs)
	r.focusOn("Batch DR operation token")
	r.tm.Type("hvb.not-a-real-token")
	r.enterTo("primary_cluster_addr")
	r.enterTo(`Type "us-east-2 is fenced"`) // no primary_cluster_addr
	r.typeText("us-east-2 is down")
	r.press("enter")
	r.wantFlat(`type "us-east-2 is fenced"`)
	if dr := r.status("us-east-2-dr").DR; dr.Mode != ops.ModeSecondary {
		t.Fatalf("sent despite the guard: %+v", dr)
	}
}

// neverUsedFinding reports whether the assessment of the lab finds the
// "token never used" reason for id.
func (r *labRun) neverUsedFinding(id string) bool {
	r.t.Helper()
	var obs []ops.Observation
	for name, c := range r.clients {
		snap, err := c.Status(context.Background())
		o := ops.Observation{Name: name, Err: err}
		if err == nil {
			o.Snapshot = &snap
		}
		obs = append(obs, o)
	}
	rep := ops.Assess(r.lab.Now(), obs, ops.DefaultThresholds())
	for _, c := range rep.Clusters {
		for _, ta := range []ops.TypeAssessment{c.Performance, c.DR} {
			for _, rs := range ta.Reasons {
				// A token this client generated is "pending activation" until
				// its TTL; one generated elsewhere is "never connected".
				if strings.Contains(rs.Text, "secondary "+id+" has a token but has never connected") ||
					strings.Contains(rs.Text, "secondary "+id+": pending activation") {
					return true
				}
			}
		}
	}
	return false
}

// TestLabFlowRevokeClearsFinding: a token issued and never used is a
// finding; the revoke flow, started on it, clears it.
func TestLabFlowRevokeClearsFinding(t *testing.T) {
	r := startGlobalRun(t, Start{Flow: FlowRevoke, Type: ops.Performance, TypeKnown: true, Primary: "us-east-2", SecondaryID: "never-used"},
		func(lab *sim.Lab) {
			c, err := ops.NewClient(ops.ClusterConfig{Name: "us-east-2", Address: lab.Clusters()[0].Addr,
				Token: ops.TokenSource{Inline: lab.Clusters()[0].Token}}, ops.ClientOptions{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.SecondaryToken(context.Background(), ops.Performance, ops.SecondaryTokenRequest{ID: "never-used"}); err != nil {
				t.Fatal(err)
			}
		})
	if !r.neverUsedFinding("never-used") {
		t.Fatal("no finding before the revoke")
	}
	r.atForm(stRevoke, fkInputs)
	r.wantFlat("> never-used", "(token never used)")
	r.press("enter")
	r.at(stRevoke, phReview)
	r.wantFlat(`vault write sys/replication/performance/primary/revoke-secondary id="never-used"`, "never connected")
	r.press("enter")
	r.at(stRevoke, phConfirm)
	r.typeText("us-east-2")
	r.press("enter")
	r.at(stRevoke, phResult)
	r.wantFlat("never-used was revoked on us-east-2")
	if r.neverUsedFinding("never-used") {
		t.Error("the finding is still there after the revoke")
	}
	if known := r.status("us-east-2").Performance.KnownSecondaries; slices.Contains(known, "never-used") || !slices.Contains(known, "us-east-1") {
		t.Errorf("known secondaries after the revoke: %v", known)
	}
}

// promoteWithShare fills the promote step's form with the lab's key share
// and confirms with the cluster's name.
func (r *labRun) promoteWithShare(name string) {
	r.t.Helper()
	r.atForm(stPromoteDR, fkNext)
	r.press("enter") // key shares
	r.focusOn("Key share 1 of 1")
	r.tm.Type(r.lab.UnsealKey())
	r.waitFor("the hidden share", 0, func(s shot) bool { return strings.Contains(s.view, "••••") || strings.Contains(s.view, "****") })
	r.press("enter")
	r.atForm(stPromoteDR, fkInputs)
	r.press("enter") // no primary_cluster_addr
	r.at(stPromoteDR, phReview)
	r.press("enter")
	r.at(stPromoteDR, phConfirm)
	r.typeText(name)
	r.press("enter")
	r.at(stPromoteDR, phResult)
	r.wantFlat(name + " was promoted to DR primary")
	r.press("enter")
}

// drill runs the planned failover from primary to its DR secondary.
func (r *labRun) drill(primary, secondary string) {
	r.t.Helper()
	r.at(stDemoteDR, phReview)
	r.wantFlat("vault write -f sys/replication/dr/primary/demote")
	r.press("enter")
	r.at(stDemoteDR, phConfirm)
	r.typeText(primary)
	r.press("enter")
	r.at(stDemoteDR, phResult)
	r.press("enter")
	r.promoteWithShare(secondary)
	r.followTo("us-east-1", secondary)
	r.press("enter")
	r.followTo("eu-west-1", secondary)
	r.press("enter")
	r.giveShare(stRejoin)
	r.at(stRejoin, phReview)
	r.wantFlat("sys/replication/dr/primary/secondary-token", "key shares 1/1, decoded here", "sys/replication/dr/secondary/update-primary")
	r.press("enter")
	r.at(stRejoin, phConfirm)
	r.typeText(primary)
	r.press("enter")
	r.at(stRejoin, phResult)
	r.wantFlat(primary + " now follows " + secondary + " as its DR secondary")
	r.press("enter")
	r.waitFor(primary+" streaming as a DR secondary", time.Second, func(s shot) bool { return s.step == stWatch && s.watchDone })
	r.press("enter")
	r.at(stNext, phForm)
	dr := r.status(primary).DR
	if dr.Mode != ops.ModeSecondary || dr.State != ops.StateStreamWALs {
		r.t.Fatalf("%s after the drill: %+v", primary, dr)
	}
	if p := r.status(secondary); p.DR.Mode != ops.ModePrimary || p.Performance.Mode != ops.ModePrimary {
		r.t.Fatalf("%s after the drill: %+v", secondary, p)
	}
	for _, name := range []string{"us-east-1", "eu-west-1"} {
		p := r.status(name).Performance
		if p.State != ops.StateStreamWALs || normAddr(p.Primaries[0].APIAddress) != normAddr(r.addr(secondary)) {
			r.t.Errorf("%s after the drill: %+v", name, p)
		}
	}
}

// TestLabFlowDrillAndFailback: the planned failover from us-east-2 to
// us-east-2-dr, then the same flow back.
func TestLabFlowDrillAndFailback(t *testing.T) {
	r := startGlobalRun(t, Start{Flow: FlowDrill, Type: ops.DR, TypeKnown: true, Primary: "us-east-2", Secondary: "us-east-2-dr"}, nil)
	r.drill("us-east-2", "us-east-2-dr")
	back := runOn(t, r.lab, Start{Flow: FlowDrill, Type: ops.DR, TypeKnown: true, Primary: "us-east-2-dr", Secondary: "us-east-2"})
	back.drill("us-east-2-dr", "us-east-2")
}

// confirmSingle goes from a lifecycle step's review through the typed
// confirmation to its result.
func (r *labRun) confirmSingle(s step, name string, wantReview ...string) {
	r.t.Helper()
	r.at(s, phReview)
	r.wantFlat(wantReview...)
	r.press("enter")
	r.at(s, phConfirm)
	r.typeText(name)
	r.press("enter")
	r.at(s, phResult)
}

// TestLabFlowPerformanceLifecycle: demote the performance primary, promote
// a performance secondary, disable replication on another.
func TestLabFlowPerformanceLifecycle(t *testing.T) {
	r := startGlobalRun(t, Start{Flow: FlowPerfDemote, Type: ops.Performance, TypeKnown: true, Primary: "us-east-2"}, nil)
	r.confirmSingle(stPerfDemote, "us-east-2", "vault write -f sys/replication/performance/primary/demote", "keeps its data and cluster id")
	r.lab.Advance(5 * time.Second)
	if p := r.status("us-east-2").Performance; p.Mode != ops.ModeSecondary {
		t.Fatalf("us-east-2 after demote: %+v", p)
	}
	p := runOn(t, r.lab, Start{Flow: FlowPerfPromote, Type: ops.Performance, TypeKnown: true, Secondary: "us-east-1"})
	p.atForm(stPerfPromote, fkInputs)
	p.press("enter")
	p.confirmSingle(stPerfPromote, "us-east-1", "vault write -f sys/replication/performance/secondary/promote", "Clients log in again on us-east-1")
	p.wantFlat("Point clients at us-east-1")
	r.lab.Advance(5 * time.Second)
	if s := p.status("us-east-1").Performance; s.Mode != ops.ModePrimary {
		t.Fatalf("us-east-1 after promote: %+v", s)
	}
	d := runOn(t, r.lab, Start{Flow: FlowDisable, Type: ops.Performance, TypeKnown: true, Primary: "eu-west-1"})
	d.confirmSingle(stDisable, "eu-west-1", "vault write -f sys/replication/performance/secondary/disable",
		"eu-west-1 leaves its performance replication set", "purges it")
	r.lab.Advance(5 * time.Second)
	if s := d.status("eu-west-1").Performance; s.Mode != ops.ModeDisabled {
		t.Fatalf("eu-west-1 after disable: %+v", s)
	}
}

// Disabling DR on a DR secondary takes a DR operation token from key shares.
func TestLabFlowDisableDRSecondary(t *testing.T) {
	r := startGlobalRun(t, Start{Flow: FlowDisable, Type: ops.DR, TypeKnown: true, Primary: "us-east-2-dr"}, nil)
	r.giveShare(stDisable)
	r.confirmSingle(stDisable, "us-east-2-dr", "sys/replication/dr/secondary/disable", `dr_operation_token="********"`)
	r.lab.Advance(5 * time.Second)
	if s := r.status("us-east-2-dr").DR; s.Mode != ops.ModeDisabled {
		t.Fatalf("us-east-2-dr after disable: %+v", s)
	}
}

// TestLabFlowPathsFilter denies secret/ to us-east-1, then removes the filter.
func TestLabFlowPathsFilter(t *testing.T) {
	r := startGlobalRun(t, Start{Flow: FlowPathsFilter, Type: ops.Performance, TypeKnown: true, Primary: "us-east-2", SecondaryID: "us-east-1"}, nil)
	r.atForm(stPathsFilter, fkInputs)
	r.press("enter") // us-east-1
	r.press("enter") // deny
	r.waitFor("the mounts", 0, func(s shot) bool { return strings.Contains(s.view, "secret/ (kv)") })
	r.press(" ")
	r.press("enter")
	r.confirmSingle(stPathsFilter, "us-east-2", `paths-filter/us-east-1 mode="deny" paths="secret/"`, "removed from us-east-1")
	f, found, err := r.clients["us-east-2"].PathsFilter(context.Background(), "us-east-1")
	if err != nil || !found || f.Mode != ops.FilterDeny || !slices.Equal(f.Paths, []string{"secret/"}) {
		t.Fatalf("filter: %+v %v %v", f, found, err)
	}
	d := runOn(t, r.lab, Start{Flow: FlowPathsFilter, Type: ops.Performance, TypeKnown: true, Primary: "us-east-2", SecondaryID: "us-east-1"})
	d.atForm(stPathsFilter, fkInputs)
	d.press("enter")
	d.press("down")
	d.press("down")
	d.press("enter") // none
	d.press("enter")
	// Removing a filter takes nothing away from the secondary: no typed name.
	d.at(stPathsFilter, phReview)
	d.wantFlat("vault delete sys/replication/performance/primary/paths-filter/us-east-1", "Everything replicates to us-east-1 again")
	d.press("enter")
	d.at(stPathsFilter, phResult)
	if _, found, err := r.clients["us-east-2"].PathsFilter(context.Background(), "us-east-1"); err != nil || found {
		t.Fatalf("after delete: %v %v", found, err)
	}
}

// TestLabFlowOperationsMenu: on a performance primary with a token never
// used, the menu offers its revoke first and starts the revoke flow on it;
// on a DR secondary it offers the disaster failover first.
func TestLabFlowOperationsMenu(t *testing.T) {
	r := startGlobalRun(t, Start{Flow: FlowOperations, Type: ops.Performance, TypeKnown: true, Focused: "us-east-2"},
		func(lab *sim.Lab) {
			c, err := ops.NewClient(ops.ClusterConfig{Name: "us-east-2", Address: lab.Clusters()[0].Addr,
				Token: ops.TokenSource{Inline: lab.Clusters()[0].Token}}, ops.ClientOptions{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.SecondaryToken(context.Background(), ops.Performance, ops.SecondaryTokenRequest{ID: "never-used"}); err != nil {
				t.Fatal(err)
			}
		})
	r.atForm(stOperations, fkNext)
	r.wantFlat("> Revoke never-used (token never used)", "Paths filter of a performance secondary", "Planned failover (drill) to us-east-2-dr")
	r.press("enter")
	r.atForm(stRevoke, fkInputs)
	r.wantFlat("> never-used")
	d := runOn(t, r.lab, Start{Flow: FlowOperations, Type: ops.Performance, TypeKnown: true, Focused: "us-east-2-dr"})
	d.atForm(stOperations, fkNext)
	d.wantFlat("> Disaster failover: promote us-east-2-dr")
	d.press("enter")
	d.atForm(stPromoteDR, fkNext)
}

// threeShares is a DR secondary whose seal needs three key shares: it
// counts the shares given and records the attempt's deletion.
type threeShares struct {
	*ops.Client
	mu        sync.Mutex
	given     int
	cancelled int
}

func (f *threeShares) StartDROperationToken(context.Context) (ops.TokenGeneration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.given = 0
	return ops.TokenGeneration{Nonce: "n-1", Started: true, Required: 3, HasProgress: true, OTP: strings.Repeat("o", 28)}, nil
}

func (f *threeShares) UpdateDROperationToken(_ context.Context, nonce, share string) (ops.TokenGeneration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if nonce != "n-1" || share == "" {
		return ops.TokenGeneration{}, &ops.Error{Class: ops.ErrBadRequest, Messages: []string{"bad nonce or share"}}
	}
	f.given++
	return ops.TokenGeneration{Nonce: nonce, Started: true, Progress: f.given, Required: 3, HasProgress: true}, nil
}

func (f *threeShares) CancelDROperationToken(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancelled++
	return nil
}

func (f *threeShares) counts() (given, cancelled int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.given, f.cancelled
}

// Key shares are entered one at a time, masked, and Vault's progress is
// shown after each; esc deletes the attempt with the shares given.
func TestLabFlowKeySharesProgressAndCancel(t *testing.T) {
	lab := simtest.Start(t, sim.Options{Topology: "global", Seed: 7, Clock: sim.NewManualClock(t0), WriteRate: 2})
	lab.Advance(10 * time.Second)
	if err := lab.Stop("us-east-2"); err != nil {
		t.Fatal(err)
	}
	var fake *threeShares
	r := runOnWith(t, lab, Start{Flow: FlowFailover, Type: ops.DR, TypeKnown: true, Secondary: "us-east-2-dr"},
		map[string]func(*ops.Client) Operator{"us-east-2-dr": func(c *ops.Client) Operator { fake = &threeShares{Client: c}; return fake }})
	r.atForm(stPromoteDR, fkNext)
	r.press("enter")
	r.focusOn("Key share 1 of 3 (key shares 0/3)")
	r.tm.Type("first-share-secret")
	r.waitFor("the hidden share", 0, func(s shot) bool { return strings.Contains(s.view, "••••") || strings.Contains(s.view, "****") })
	r.press("enter")
	r.focusOn("Key share 2 of 3 (key shares 1/3)")
	r.wantFlat("Key share taken: key shares 1/3.")
	r.tm.Type("second-share-secret")
	r.waitFor("the hidden share", 0, func(s shot) bool { return strings.Contains(s.view, "••••") || strings.Contains(s.view, "****") })
	r.press("enter")
	r.focusOn("Key share 3 of 3 (key shares 2/3)")
	if v := r.rec.shot().view; strings.Contains(v, "first-share-secret") || strings.Contains(v, "second-share-secret") {
		t.Fatalf("a key share is shown:\n%s", v)
	}
	r.press("esc")
	r.waitFor("the token's method again", 0, func(s shot) bool {
		return s.fk == fkNext && strings.Contains(s.view, "generate it here from key shares")
	})
	r.wantFlat("Cancelled: the attempt on us-east-2-dr was deleted, with the 2 key share(s) given.")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if given, cancelled := fake.counts(); cancelled == 1 && given == 2 {
			break
		}
		if time.Now().After(deadline) {
			given, cancelled := fake.counts()
			t.Fatalf("shares given %d, attempts deleted %d", given, cancelled)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if dr := r.status("us-east-2-dr").DR; dr.Mode != ops.ModeSecondary {
		t.Fatalf("promoted: %+v", dr)
	}
}

// The abandoned-token screen offers the revoke: r on "Leave the wizard?"
// revokes the token just generated, which clears the finding, and leaving
// then no longer speaks of an unused token.
func TestLabFlowAbandonedTokenRevoke(t *testing.T) {
	r := startGlobalRun(t, Start{Flow: FlowSecondaryToken, Type: ops.Performance, TypeKnown: true, Primary: "us-east-2"}, nil)
	r.chooseTokenTarget("us-east-2-dr")
	r.tokenInputs()
	if !r.neverUsedFinding("us-east-2-dr") {
		t.Fatal("no finding for the token just generated")
	}
	r.press("q")
	r.wantFlat("Leave the wizard?", "r: revoke it now")
	r.press("r")
	r.atForm(stRevoke, fkInputs)
	r.wantFlat("> us-east-2-dr")
	r.press("enter")
	r.confirmSingle(stRevoke, "us-east-2", `revoke-secondary id="us-east-2-dr"`)
	r.wantFlat("us-east-2-dr was revoked on us-east-2")
	if r.neverUsedFinding("us-east-2-dr") {
		t.Error("the finding is still there after the revoke")
	}
	r.press("q")
	r.wantFlat("What was done so far stays done.")
	if v := r.rec.shot().view; strings.Contains(v, "has not been used") {
		t.Fatalf("the revoked token is still called unused:\n%s", v)
	}
	r.tm.Send(keyMsg("y"))
	r.waitFor("the wizard closed", 0, func(shot) bool { return r.closed() })
}

// closed reports whether the wizard sent ClosedMsg.
func (r *labRun) closed() bool {
	r.rec.mu.Lock()
	defer r.rec.mu.Unlock()
	return r.rec.closed != nil
}

// Every failover and lifecycle flow refuses, at its pre-flight, a cluster
// that is read-only in the configuration: nothing is sent.
func TestLabFlowsRespectReadOnly(t *testing.T) {
	lab := simtest.Start(t, sim.Options{Topology: "global", Seed: 7, Clock: sim.NewManualClock(t0), WriteRate: 2})
	lab.Advance(10 * time.Second)
	for _, tc := range []struct {
		start  Start
		target string
		s      step
	}{
		{Start{Flow: FlowFailover, Type: ops.DR, Secondary: "us-east-2-dr"}, "us-east-2-dr", stPromoteDR},
		{Start{Flow: FlowDrill, Type: ops.DR, Primary: "us-east-2", Secondary: "us-east-2-dr"}, "us-east-2", stDemoteDR},
		{Start{Flow: FlowRevoke, Type: ops.Performance, Primary: "us-east-2", SecondaryID: "us-east-1"}, "us-east-2", stRevoke},
		{Start{Flow: FlowPerfPromote, Type: ops.Performance, Secondary: "us-east-1"}, "us-east-1", stPerfPromote},
		{Start{Flow: FlowPerfDemote, Type: ops.Performance, Primary: "us-east-2"}, "us-east-2", stPerfDemote},
		{Start{Flow: FlowDisable, Type: ops.Performance, Primary: "eu-west-1"}, "eu-west-1", stDisable},
		{Start{Flow: FlowPathsFilter, Type: ops.Performance, Primary: "us-east-2", SecondaryID: "us-east-1"}, "us-east-2", stPathsFilter},
	} {
		t.Run(tc.start.Flow.String(), func(t *testing.T) {
			tc.start.TypeKnown = true
			r := runOnWith(t, lab, tc.start, map[string]func(*ops.Client) Operator{readOnlyCluster + tc.target: nil})
			r.waitFor("the refusal", 250*time.Millisecond, func(s shot) bool { return s.step == tc.s && s.ph == phChecks })
			r.wantFlat(tc.target + " is read-only in the configuration")
		})
	}
}

// Every step has a training text (--explain, or e in the wizard).
func TestEveryStepHasExplainText(t *testing.T) {
	m := New(Deps{}, Start{})
	n := 0
	for s, sm := range registry {
		if sm == nil {
			continue
		}
		n++
		if sm.explain(m) == "" {
			t.Errorf("step %d (%s) has no training text", s, sm.crumb())
		}
	}
	if n < 15 {
		t.Fatalf("only %d steps registered", n)
	}
}

// giveShare enters the lab's one key share on step s's DR operation token
// screen (threshold 1).
func (r *labRun) giveShare(s step) {
	r.t.Helper()
	r.waitFor("the key share screen", 250*time.Millisecond, func(x shot) bool {
		return x.step == s && x.fk == fkNext && strings.Contains(x.focus, "Key share 1 of 1")
	})
	r.tm.Type(r.lab.UnsealKey())
	r.waitFor("the hidden share", 0, func(s shot) bool { return strings.Contains(s.view, "••••") || strings.Contains(s.view, "****") })
	if strings.Contains(r.rec.shot().view, r.lab.UnsealKey()) {
		r.t.Fatal("the key share is shown")
	}
	r.press("enter")
}
