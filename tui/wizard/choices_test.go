package wizard

import "testing"

// TestChoicesShowEveryCluster: the preselected cluster is marked and every
// choice is on screen (huh keeps the list where the options were set).
func TestChoicesShowEveryCluster(t *testing.T) {
	w := primaryWorld()
	d := newDriver(t, w.deps(), Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2"})
	d.wantView("> us-east-1 - perf disabled, DR disabled", "eu-west-1 - perf disabled", "us-east-2-dr - perf disabled", "(none: a cluster not listed here)")
}
