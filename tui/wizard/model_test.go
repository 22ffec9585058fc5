package wizard

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

var _ Operator = (*ops.Client)(nil)

// TestSetupPerformanceFake walks the whole performance setup with keys:
// type, primary, token, activation (purge refused once, then confirmed),
// watch, login, verify.
func TestSetupPerformanceFake(t *testing.T) {
	w := newWorld("us-east-2", "us-east-1", "eu-west-1", "us-east-2-dr")
	d := newDriver(t, w.deps(), Start{Flow: FlowSetup})

	d.wantPhase(stType, phForm)
	d.wantView("Which replication do you want to set up?", "Performance")
	d.keys("enter") // performance

	d.wantPhase(stPrimary, phForm)
	d.wantView("Which cluster becomes the performance primary?", "us-east-2 - perf disabled, DR disabled")
	d.keys("enter") // us-east-2

	d.wantPhase(stPrimary, phForm)
	d.wantView("primary_cluster_addr (optional)", "Pre-flight:", "reachable", "Enterprise")
	d.keys("enter") // no address

	d.wantPhase(stPrimary, phReview)
	d.wantView("vault write -f sys/replication/performance/primary/enable", "export VAULT_ADDR=http://127.0.0.1:8200")
	if len(w.wrote()) != 0 {
		t.Fatalf("wrote before the review was confirmed: %v", w.wrote())
	}
	d.keys("enter")
	d.wantPhase(stPrimary, phResult)
	d.wantView("us-east-2 is now a performance primary", "This cluster is being enabled as a primary for replication.")
	if got := d.sent("WroteMsg"); len(got) != 1 || got[0].(WroteMsg).Cluster != "us-east-2" {
		t.Fatalf("WroteMsg = %v", got)
	}
	d.keys("enter")

	// Token: which cluster will use it, then id (defaulted) and TTL.
	d.wantPhase(stToken, phForm)
	d.wantView("Which cluster will use this token?")
	d.keys("enter") // us-east-1, the first unconfigured cluster
	d.wantView("Secondary id", "TTL")
	if d.m.v.id != "us-east-1" {
		t.Fatalf("id default = %q", d.m.v.id)
	}
	d.keys("enter", "enter")
	d.wantPhase(stToken, phReview)
	d.wantView(`vault write sys/replication/performance/primary/secondary-token id="us-east-1"`)
	d.keys("enter")
	d.wantPhase(stToken, phToken)
	tok := d.m.tok.Token
	if tok == "" || strings.Contains(d.view(), tok) {
		t.Fatal("token missing, or shown unmasked")
	}
	d.wantView("************", "masked", "ttl      30m", "expires  2025-03-04 10:30:00 UTC (in 30m 00s)")
	d.keys("v")
	if !strings.Contains(strings.ReplaceAll(d.view(), "\n  ", ""), tok[:40]) {
		t.Fatalf("revealed view lacks the token:\n%s", d.view())
	}
	d.keys("v")
	if strings.Contains(d.view(), tok[:40]) {
		t.Fatal("hidden again, but still shown")
	}
	w.clock.Advance(90 * time.Second)
	d.wantView("(in 28m 30s)")
	d.keys("enter")

	// Activate us-east-1 with the carried token: nothing to paste.
	d.wantPhase(stActivate, phForm)
	d.wantView("TLS options", "generated on us-east-2")
	d.keys("enter")
	d.wantPhase(stActivate, phReview)
	d.wantView(`vault write sys/replication/performance/secondary/enable token="********"`)
	if strings.Contains(d.view(), tok[:20]) {
		t.Fatal("review shows the token")
	}
	d.keys("enter")
	d.wantPhase(stActivate, phConfirm)
	d.wantFlat("Enabling a secondary will purge its local data (including unseal and recovery keys) and sync entirely from the primary.",
		"us-east-1 would lose:", "secret/ (kv)", "userpass/")

	// Refuse once: a wrong name does not pass, esc cancels; nothing is sent.
	d.typeText("us-east")
	d.keys("enter")
	d.wantPhase(stActivate, phConfirm)
	d.wantView("type us-east-1 exactly")
	d.keys("esc")
	d.wantPhase(stActivate, phReview)
	d.wantView("Cancelled: nothing was sent to us-east-1.")
	if slices.ContainsFunc(w.wrote(), func(s string) bool { return strings.Contains(s, "secondary") && strings.HasPrefix(s, "us-east-1") }) {
		t.Fatalf("activation sent after refusal: %v", w.wrote())
	}
	d.keys("enter")
	d.typeText("us-east-1")
	d.keys("enter")
	d.wantPhase(stActivate, phResult)
	d.wantView("us-east-1 accepted the token", "Its previous tokens are gone")
	if d.m.tok.Token != "" {
		t.Fatal("the spent token is still held")
	}
	d.keys("enter")

	// Watch until streaming.
	d.wantPhase(stWatch, phWatching)
	if !d.m.watch.Done {
		t.Fatalf("watch not done after the drive:\n%s", d.view())
	}
	d.wantView("Done: us-east-1 reached stream-wals", "merkle-sync", "us-east-2 lists us-east-1 as connected")
	d.keys("enter")

	// Log in: a wrong password first.
	d.wantPhase(stLogin, phForm)
	d.wantView("Log in to us-east-1", "Username")
	d.keys("enter")
	d.typeText("wrong")
	d.keys("enter")
	d.wantPhase(stLogin, phForm)
	d.wantView("Login failed")
	d.keys("enter")
	d.typeText("secret")
	d.keys("enter")
	changed := d.sent("ClientChangedMsg")
	if len(changed) != 1 || changed[0].(ClientChangedMsg).Cluster != "us-east-1" {
		t.Fatalf("ClientChangedMsg = %v", changed)
	}
	d.wantPhase(stNext, phForm)
	d.wantView("What next?", "Verify", "Logged in to us-east-1 as operator")

	// Verify: canary on the primary, seen on us-east-1, removed.
	d.keys("enter")
	d.wantPhase(stVerify, phReview)
	d.wantView("vault auth enable -path=vaultrepl-canary-")
	d.keys("enter")
	d.wantPhase(stVerify, phCleanup)
	d.wantView("us-east-1", "arrived after", "the change reached all 1 secondary")
	d.keys("y")
	d.wantPhase(stVerify, phDone)
	d.wantView("The canary was removed from us-east-2 and is gone from the secondaries.")
	for _, c := range w.clusters {
		for _, a := range c.auth {
			if strings.HasPrefix(a.Path, canaryPrefix) {
				t.Fatalf("canary left on %s", c.name)
			}
		}
	}
	d.keys("enter")
	d.wantPhase(stNext, phForm)
	d.keys("up") // the options wrap around: up from the first is the last
	d.wantView("> Close the wizard")
	d.keys("enter")
	closed := d.sent("ClosedMsg")
	if len(closed) != 1 {
		t.Fatalf("ClosedMsg = %v", closed)
	}
	if got := closed[0].(ClosedMsg).Changed; !slices.Equal(got, []string{"us-east-2", "us-east-1"}) {
		t.Fatalf("Changed = %v", got)
	}
}
