package wizard

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// w on a focused cluster opens the primary choice on it, not on the first.
func TestOpensOnTheFocusedCluster(t *testing.T) {
	w := newWorld("us-east-2", "us-east-1", "eu-west-1")
	d := newDriver(t, w.deps(), Start{Flow: FlowSetup, TypeKnown: true, Focused: "eu-west-1"})
	d.wantPhase(stPrimary, phForm)
	d.wantView("> eu-west-1 - perf disabled")
}

// A token generated for one cluster and used on another: a warning in the
// pre-flight, not a silent pass.
func TestTokenIDOfAnotherClusterWarns(t *testing.T) {
	w := primaryWorld()
	d := newDriver(t, w.deps(), Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2", Secondary: "us-east-1"})
	d.keys("enter", "enter", "enter") // id, ttl, review
	d.wantPhase(stToken, phToken)
	d.m.secondary = "eu-west-1" // the operator picks another cluster for it
	d.keys("enter")
	d.wantPhase(stActivate, phForm)
	d.wantFlat(`secondary id: token made for "us-east-1", not eu-west-1 (the primary will list eu-west-1 as "us-east-1"`)
	if c := idCheck(activation{FromHere: true, SecondaryID: "us-east-1-2", SecondaryName: "us-east-1"}); c.Level != lvPass || c.Title != "" {
		t.Fatalf("a suggested unique id warned: %+v", c)
	}
}

func idCheck(a activation) check {
	c, _ := idCheckOf(a)
	return c
}

// Skipping the log-in is said as skipped, in the note and the progress
// line, never with the ✓ of a done step.
func TestSkippedLoginIsNotMarkedDone(t *testing.T) {
	w := primaryWorld()
	d := newDriver(t, w.deps(), Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2", Secondary: "us-east-1"})
	d.m.loginFor, d.m.afterLogin = "us-east-1", stNext
	d.m.seen |= 1<<stWatch | 1<<stActivate | 1<<stToken
	d.m, _ = d.m.enterStep(stLogin)
	d.wantPhase(stLogin, phForm)
	d.keys("esc")
	d.wantPhase(stNext, phForm)
	d.wantFlat("- log in skipped", "Not logged in to us-east-1 (skipped)")
	if strings.Contains(d.view(), "✓ log in") {
		t.Fatalf("a skipped log-in shows as done:\n%s", d.view())
	}
}

// Training mode after a DR setup explains DR, not performance.
func TestExplainAfterDRSetupExplainsDR(t *testing.T) {
	w := primaryWorld()
	m := New(w.deps(), Start{Flow: FlowSetup, TypeKnown: true, Type: ops.DR})
	m.step = stNext
	if got := m.explanation(); got != explainDR {
		t.Fatalf("explanation after DR setup: %q", got)
	}
	m.typ = ops.Performance
	if got := m.explanation(); got != explainPerf {
		t.Fatalf("explanation after performance setup: %q", got)
	}
}

// Reads end with the host's context; writes do not: a write half-sent at
// quit finishes or fails on its own.
func TestReadsStopAtQuitWritesDoNot(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	d := primaryWorld().deps()
	d.Context = ctx
	m := New(d, Start{})
	cancel()
	select {
	case <-m.readContext().Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the read context outlived the host's")
	}
	if err := m.writeContext().Err(); err != nil {
		t.Fatalf("the write context ended with the host's: %v", err)
	}
}

// The TLS choice, shown again with "Set ca_file" chosen before, still draws
// "None" above it without an arrow press.
func TestTLSChoiceDrawsEveryOption(t *testing.T) {
	w := primaryWorld()
	d := newDriver(t, w.deps(), Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2", Secondary: "us-east-1"})
	d.keys("enter", "enter", "enter", "enter")                  // id, ttl, review, the token screen
	d.keys("down", "enter", "enter", "enter", "enter", "enter") // TLS: set, then four paths
	d.wantPhase(stActivate, phReview)
	d.keys("esc")
	d.wantPhase(stActivate, phForm)
	d.wantView("  None: the secondary already trusts", "> Set ca_file / ca_path")
}
