package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/tui"
)

// startClass runs `vaultrepl lab` for a class in the background and returns
// the lab, what it printed so far, and the state file.
func startClass(t *testing.T, o *labOptions) (*sim.Lab, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	ready := make(chan *sim.Lab, 1)
	done := make(chan error, 1)
	go func() { done <- runLab(ctx, &out, o, func(l *sim.Lab) { ready <- l }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runLab: %v", err)
		}
	})
	select {
	case l := <-ready:
		return l, &out
	case err := <-done:
		t.Fatalf("runLab returned before serving: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the lab did not start within 20s")
	}
	return nil, nil
}

// The trainer's two commands: `vaultrepl lab --students 2` prints the
// dashboard command, and `vaultrepl --lab FILE` loads every cluster with
// its own token, the students as labels, and the control endpoint for L.
func TestDashboardOnRunningLab(t *testing.T) {
	isolate(t)
	state := filepath.Join(t.TempDir(), "class.json")
	lab, out := startClass(t, &labOptions{topology: "global", portBase: 0, stateFile: state, speed: 1, students: 2, exercise: "diagnose", seed: 3})
	printed := out.String()
	for _, want := range []string{"vaultrepl --lab " + state, "s01's own dashboard: vaultrepl --lab " + sim.StudentStateFile(state, "s01"),
		"Exercise diagnose: Diagnose a hidden fault", "8 simulated Vault Enterprise clusters for 2 students"} {
		if !strings.Contains(printed, want) {
			t.Errorf("lab output lacks %q:\n%s", want, printed)
		}
	}

	s, err := loadSettings(&globalOptions{lab: state})
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != sourceLab || len(s.Clusters) != 8 || s.Clusters[4].Name != "s02-us-east-2" || s.Clusters[4].Label != "s02" ||
		s.Clusters[4].Token.Inline != lab.Clusters()[4].Token {
		t.Fatalf("settings from the state file: %+v", s.Clusters)
	}
	ui, err := newUISetup(&globalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clients, err := newClients(s, s.clientOptions(ui.log))
	if err != nil {
		t.Fatal(err)
	}
	deps, err := labDashboardDeps(&globalOptions{}, s, ui, clients)
	if err != nil {
		t.Fatal(err)
	}
	if deps.Wizard == nil || deps.Clusters[0].NoToken {
		t.Errorf("the dashboard on a lab has no wizard or no token")
	}
	li, ok := deps.Lab.(tui.LabInspector)
	if !ok {
		t.Fatal("the lab menu gets no instructor's view")
	}
	// L works through the control endpoint.
	if err := deps.Lab.Partition("s01-eu-west-1", "s01-us-east-2"); err != nil {
		t.Fatalf("partition through the control endpoint: %v", err)
	}
	v, err := li.LabView(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// (seed 3 hides a clock skew on s01's eu-west-1, which the instructor sees too)
	if got := v.Faults["s01-eu-west-1"]; len(got) != 2 || got[0] != "partitioned from s01-us-east-2" || got[1] != "clock skewed 45s" {
		t.Errorf("faults of s01-eu-west-1 = %q (all: %v)", got, v.Faults)
	}
	if len(v.Checklists) != 2 || v.Checklists[1].Student != "s02" || v.Checklists[0].Hidden == "" || len(v.Checklists[0].Steps) != 2 {
		t.Errorf("checklists = %+v", v.Checklists)
	}
	// R resets the focused cluster's student only.
	if set, err := li.ResetSet("s01-eu-west-1"); err != nil || set != "s01's clusters" {
		t.Fatalf("reset = %q, %v", set, err)
	}
	// The partition is gone; the exercise hides its fault again.
	if f := lab.ActiveFaults("s01-eu-west-1"); len(f) != 1 || f[0].Kind != sim.KindSkewClock {
		t.Errorf("faults after the reset: %v", f)
	}
	if f := lab.ActiveFaults("s02-us-east-1"); len(f) != 1 || f[0].Kind != sim.KindPartition {
		t.Errorf("s02's hidden partition after s01's reset: %v", f)
	}

	// A student's own file: their four clusters, their checklist without
	// the hidden fault, in the dashboard and in status --json.
	own := sim.StudentStateFile(state, "s02")
	s2, err := loadSettings(&globalOptions{lab: own})
	if err != nil || len(s2.Clusters) != 4 || s2.Clusters[0].Name != "s02-us-east-2" {
		t.Fatalf("a student's settings: %+v %v", s2.Clusters, err)
	}
	clients2, err := newClients(s2, s2.clientOptions(ui.log))
	if err != nil {
		t.Fatal(err)
	}
	deps2, err := labDashboardDeps(&globalOptions{}, s2, ui, clients2)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := deps2.Lab.(tui.LabInspector).LabView(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(v2.Faults) != 0 || len(v2.Checklists) != 1 || v2.Checklists[0].Hidden != "" {
		t.Errorf("a trainee's view gives the hidden fault away: %+v", v2)
	}
	r := execute(t, context.Background(), testDeps(), "status", "--json", "--lab", own)
	var doc struct {
		Clusters []struct{ Name string } `json:"clusters"`
		Exercise []sim.ExerciseProgress  `json:"exercise"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.out)
	}
	if len(doc.Clusters) != 4 || len(doc.Exercise) != 1 || doc.Exercise[0].Student != "s02" || doc.Exercise[0].HiddenFault != "" || len(doc.Exercise[0].Steps) != 2 {
		t.Errorf("status --json on a student's lab: %+v", doc)
	}
	// info names the source and never prints a token.
	r = execute(t, context.Background(), testDeps(), "info", "--lab", state)
	if !strings.Contains(r.out, "clusters (from lab state file") || !strings.Contains(r.out, "lab: control endpoint "+lab.ControlURL()) ||
		strings.Contains(r.out, lab.Clusters()[0].Token) {
		t.Errorf("info --lab:\n%s", r.out)
	}
}

func TestDashboardOnMissingLabFile(t *testing.T) {
	isolate(t)
	_, err := loadSettings(&globalOptions{lab: filepath.Join(t.TempDir(), "none.json")})
	if err == nil || !strings.Contains(err.Error(), "vaultrepl lab --state-file") {
		t.Errorf("err = %v", err)
	}
}

func TestLabExerciseList(t *testing.T) {
	var b strings.Builder
	printExercises(&b)
	for _, want := range []string{"perf-setup", "dr-setup", "diagnose", "dr-failover", "kv-replication"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("--exercise list lacks %s:\n%s", want, b.String())
		}
	}
}

// `vaultrepl lab --tls` serves HTTPS with its own CA, prints VAULT_CACERT in
// every block, and `vaultrepl --lab FILE` gives each cluster that CA as its
// ca_file: the dashboard's ops client reads the lab over verified TLS. The
// same cluster without the CA fails as a TLS error, not as a success.
func TestDashboardReadsTLSLab(t *testing.T) {
	isolate(t)
	state := filepath.Join(t.TempDir(), "lab.json")
	lab, out := startClass(t, &labOptions{topology: "global", portBase: 0, stateFile: state, speed: 1, tls: true, seed: 5})
	ca := sim.CACertFile(state)
	printed := out.String()
	if n := strings.Count(printed, "export VAULT_CACERT="+ca+"\n"); n != len(lab.Clusters()) {
		t.Errorf("VAULT_CACERT in %d of %d blocks:\n%s", n, len(lab.Clusters()), printed)
	}
	if !strings.Contains(printed, "export VAULT_ADDR=https://127.0.0.1:") {
		t.Errorf("the blocks do not give an https address:\n%s", printed)
	}

	s, err := loadSettings(&globalOptions{lab: state})
	if err != nil {
		t.Fatal(err)
	}
	if s.Clusters[0].TLS.CACert != ca {
		t.Fatalf("ca_file of %s = %q, want %q", s.Clusters[0].Name, s.Clusters[0].TLS.CACert, ca)
	}
	ui, err := newUISetup(&globalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clients, err := newClients(s, s.clientOptions(ui.log))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	snap, err := clients[0].Status(ctx)
	if err != nil || snap.HealthErr != nil || snap.Health == nil || snap.Replication == nil || snap.ReplicationErr != nil {
		t.Fatalf("status of %s over TLS: %+v %v", s.Clusters[0].Name, snap, err)
	}

	// Without the CA: the lab's certificate is not trusted.
	untrusted := s
	untrusted.Clusters = append([]ops.ClusterConfig(nil), s.Clusters[:1]...)
	untrusted.Clusters[0].TLS = ops.TLSConfig{}
	bare, err := newClients(untrusted, untrusted.clientOptions(ui.log))
	if err != nil {
		t.Fatal(err)
	}
	snap, err = bare[0].Status(ctx)
	if got := fmt.Sprint(err, snap.HealthErr); !strings.Contains(got, "certificate signed by unknown authority") {
		t.Errorf("a client without the lab's CA: %s, want an unknown-authority TLS failure", got)
	}
}

// `status --watch --lab` on a lab with an exercise builds the control
// client once and keeps it for every frame (it used to build one, with its
// own connection pool, at every refresh).
func TestStatusWatchKeepsOneLabControlClient(t *testing.T) {
	isolate(t)
	state := filepath.Join(t.TempDir(), "lab.json")
	startClass(t, &labOptions{topology: "global", portBase: 0, stateFile: state, speed: 1, exercise: "diagnose", seed: 5})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deps := testDeps()
	built := 0
	deps.newRemote = func(base string, timeout time.Duration) (*sim.Remote, error) {
		built++
		return sim.NewRemote(base, timeout)
	}
	const frames = 3
	ticks := 0
	deps.after = func(time.Duration) <-chan time.Time {
		ticks++
		if ticks == frames { // after the last frame: ctrl-c
			cancel()
			return nil
		}
		ch := make(chan time.Time, 1)
		ch <- fixtureNow
		return ch
	}
	r := execute(t, ctx, deps, "status", "--watch", "--json", "--interval", "1h", "--lab", state)
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != frames {
		t.Fatalf("%d frames, want %d (exit %d: %v)\n%s", len(lines), frames, r.code, r.err, r.out)
	}
	for i, l := range lines {
		var doc struct {
			Exercise []sim.ExerciseProgress `json:"exercise"`
		}
		if err := json.Unmarshal([]byte(l), &doc); err != nil || len(doc.Exercise) != 1 {
			t.Errorf("frame %d: %v, %d checklists", i+1, err, len(doc.Exercise))
		}
	}
	if built != 1 {
		t.Errorf("the control client was built %d times over %d frames, want once", built, frames)
	}
}
