package wizard

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

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
	d.wantFlat(`vault write sys/replication/performance/primary/secondary-token id="us-east-1"`)
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
	d.wantFlat(`vault write sys/replication/performance/secondary/enable token="********"`)
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
	d.wantView("us-east-1", "arrived after", "the change reached the secondary")
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

// primaryWorld is a world whose us-east-2 already is a performance primary.
func primaryWorld() *fakeWorld {
	w := newWorld("us-east-2", "us-east-1", "eu-west-1", "us-east-2-dr")
	p := w.get("us-east-2")
	p.perf = fakeRole{mode: ops.ModePrimary, clusterID: "perf-set"}
	return w
}

func TestEnablePrimaryIsIdempotent(t *testing.T) {
	w := primaryWorld()
	d := newDriver(t, w.deps(), Start{Flow: FlowEnablePrimary, TypeKnown: true, Primary: "us-east-2"})
	d.wantPhase(stPrimary, phChecks)
	d.wantView("already a performance primary", "nothing to enable", "Nothing to do here", "enter: continue with generating a secondary activation token")
	d.keys("enter")
	d.wantPhase(stToken, phForm)
	if got := w.wrote(); len(got) != 0 {
		t.Fatalf("an existing primary was written to: %v", got)
	}
}

func TestPreflightFailureSaysWhatToDo(t *testing.T) {
	w := newWorld("a", "b")
	w.get("a").ce = true
	d := newDriver(t, w.deps(), Start{Flow: FlowEnablePrimary, TypeKnown: true, Primary: "a"})
	d.wantPhase(stPrimary, phChecks)
	d.wantView("a runs Vault Community Edition", "what to do: replication is a Vault Enterprise feature", "r: re-check")
	// Fixed meanwhile: r re-checks.
	w.get("a").ce = false
	d.keys("r")
	d.wantPhase(stPrimary, phForm)
	if len(w.wrote()) != 0 {
		t.Fatal("a pre-flight wrote")
	}
}

func TestMissingSudoBlocksTheToken(t *testing.T) {
	w := primaryWorld()
	w.get("us-east-2").caps = map[string][]string{opPath(ops.OpSecondaryToken, ops.Performance): {"update"}}
	d := newDriver(t, w.deps(), Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2"})
	d.wantPhase(stToken, phChecks)
	d.wantFlat(`use a token whose policy grants "update" and "sudo" on sys/replication/performance/primary/secondary-token`)
}

func TestTokenIDValidatedAgainstKnownSecondaries(t *testing.T) {
	w := primaryWorld()
	w.get("us-east-2").perf.known = []string{"us-east-1"}
	d := newDriver(t, w.deps(), Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2", Secondary: "us-east-1"})
	d.wantPhase(stToken, phForm)
	if d.m.v.id != "us-east-1-2" {
		t.Fatalf("suggested id %q", d.m.v.id)
	}
	d.send(keyMsg("backspace"), keyMsg("backspace"))
	d.keys("enter")
	d.wantView(`"us-east-1" is already a known secondary`)
	d.wantPhase(stToken, phForm)
}

func TestExpiredPastedTokenIsCaughtBeforeSending(t *testing.T) {
	w := primaryWorld()
	d := newDriver(t, w.deps(), Start{Flow: FlowActivateSecondary, TypeKnown: true, Secondary: "us-east-1"})
	d.wantPhase(stActivate, phForm)
	d.wantView("Activation token", "secondary-token")
	jwt := makeJWT(t0.Add(-time.Hour), t0.Add(-30*time.Minute), "http://127.0.0.1:8200")
	d.paste(jwt)
	if strings.Contains(d.view(), jwt[:30]) {
		t.Fatal("the pasted token is echoed")
	}
	d.keys("enter")
	d.wantPhase(stActivate, phChecks)
	d.wantView("expired 30m 00s ago", "generate a new token")
	if got := w.wrote(); len(got) != 0 {
		t.Fatalf("sent despite the expired token: %v", got)
	}
}

func TestTokenExpiringDuringReviewIsRechecked(t *testing.T) {
	w := primaryWorld()
	d := newDriver(t, w.deps(), Start{Flow: FlowActivateSecondary, TypeKnown: true, Secondary: "us-east-1"})
	d.paste(makeJWT(t0, t0.Add(5*time.Minute), "http://127.0.0.1:8200"))
	d.keys("enter")
	d.wantPhase(stActivate, phForm) // TLS options
	d.keys("enter")
	d.wantPhase(stActivate, phReview)
	w.clock.Advance(6 * time.Minute)
	d.keys("enter")
	d.wantPhase(stActivate, phChecks)
	d.wantView("expired 1m 00s ago")
	if len(w.wrote()) != 0 {
		t.Fatal("sent an expired token")
	}
}

func TestPastedTokenWithoutAddrAsksForPrimaryAPIAddr(t *testing.T) {
	w := primaryWorld()
	d := newDriver(t, w.deps(), Start{Flow: FlowActivateSecondary, TypeKnown: true, Secondary: "us-east-1"})
	d.paste(makeJWT(t0, t0.Add(time.Hour), ""))
	d.keys("enter")
	d.wantPhase(stActivate, phForm)
	d.wantView("primary_api_addr", "the token carries no primary API address")
	d.typeText("ftp://x")
	d.keys("enter")
	d.wantView("start with https://")
	d.clearInput()
	d.typeText("http://127.0.0.1:8200")
	d.keys("enter", "enter")
	d.wantPhase(stActivate, phReview)
	d.wantView(`primary_api_addr="http://127.0.0.1:8200"`)
}

// A primary that answers but refuses the token: the result says why from
// the status the secondary quotes, 403 (the address is a Vault that did not
// sign it) or 400 (used, revoked or expired).
func TestActivationRefusedByThePrimary(t *testing.T) {
	activate := func(t *testing.T, w *fakeWorld, jwt, apiAddr string) *driver {
		d := newDriver(t, w.deps(), Start{Flow: FlowActivateSecondary, TypeKnown: true, Secondary: "us-east-1"})
		d.paste(jwt)
		d.keys("enter")
		d.wantPhase(stActivate, phForm)
		d.clearInput()
		d.typeText(apiAddr)
		d.keys("enter", "enter")
		d.wantPhase(stActivate, phReview)
		d.keys("enter")
		d.wantPhase(stActivate, phConfirm)
		d.typeText("us-east-1")
		d.keys("enter")
		d.wantPhase(stActivate, phResult)
		return d
	}
	// A token without an addr claim, so that primary_api_addr is asked.
	issued := func(w *fakeWorld) string {
		jwt := makeJWT(t0, t0.Add(time.Hour), "")
		w.tokenIDs[jwt], w.issuers[jwt] = "us-east-1", "us-east-2"
		return jwt
	}
	t.Run("another Vault at primary_api_addr", func(t *testing.T) {
		w := primaryWorld()
		d := activate(t, w, issued(w), w.get("eu-west-1").addr)
		d.wantFlat("status code is 403", "did not sign this token",
			"set primary_api_addr to the API address of the primary that issued the token")
	})
	t.Run("a used token", func(t *testing.T) {
		w := primaryWorld()
		jwt := issued(w)
		delete(w.tokenIDs, jwt)
		d := activate(t, w, jwt, w.get("us-east-2").addr)
		d.wantFlat("status code is 400", "no longer accepts this token: it was already used, revoked or has expired",
			"generate a new token and activate with that one")
	})
}

func TestDownPrimary(t *testing.T) {
	t.Run("caught by the pre-flight", func(t *testing.T) {
		w := primaryWorld()
		w.get("us-east-2").down = true
		d := newDriver(t, w.deps(), Start{Flow: FlowActivateSecondary, TypeKnown: true, Secondary: "us-east-1"})
		d.paste(makeJWT(t0, t0.Add(time.Hour), "http://127.0.0.1:8200"))
		d.keys("enter")
		d.wantPhase(stActivate, phChecks)
		d.wantFlat("primary us-east-2", "connection refused", "the secondary unwraps the token by calling the primary's API")
	})
	t.Run("down when the activation is sent", func(t *testing.T) {
		w := primaryWorld()
		d := newDriver(t, w.deps(), Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2", Secondary: "us-east-1"})
		d.keys("enter", "enter", "enter") // id, ttl, review
		d.wantPhase(stToken, phToken)
		d.keys("enter", "enter", "enter") // activate: TLS options, review → purge warning
		d.wantPhase(stActivate, phConfirm)
		w.get("us-east-2").down = true
		d.typeText("us-east-1")
		d.keys("enter")
		d.wantPhase(stActivate, phResult)
		d.wantFlat("activate performance secondary failed", "error unwrapping secondary token",
			"Likely cause: the primary us-east-2 did not answer", "Nothing is retried automatically",
			"us-east-1 read again; the pre-flight now finds:", "r: re-check")
		n := len(w.wrote())
		// The 5xx left open whether the write happened: us-east-1 was read
		// again, and the pre-flight found the primary down, so r re-checks.
		d.keys("r")
		d.wantPhase(stActivate, phChecks)
		if len(w.wrote()) != n {
			t.Fatal("a re-check wrote")
		}
		w.get("us-east-2").down = false
		d.keys("r")
		d.wantPhase(stActivate, phForm) // TLS options
		d.keys("enter")
		d.wantPhase(stActivate, phReview)
		if len(w.wrote()) != n {
			t.Fatal("retry sent without confirmation")
		}
		d.keys("enter")
		d.typeText("us-east-1")
		d.keys("enter")
		d.wantPhase(stActivate, phResult)
		d.wantView("us-east-1 accepted the token")
	})
}

func TestProtectedClusterNeedsTypedName(t *testing.T) {
	w := newWorld("prod", "b")
	deps := w.deps()
	deps.Clusters[0].Protected = true
	d := newDriver(t, deps, Start{Flow: FlowEnablePrimary, TypeKnown: true, Type: ops.DR, Primary: "prod"})
	d.keys("enter") // no primary_cluster_addr
	d.wantPhase(stPrimary, phReview)
	d.wantView("vault write -f sys/replication/dr/primary/enable", "prod is PROTECTED")
	d.keys("enter")
	d.wantPhase(stPrimary, phConfirm)
	d.typeText("prd")
	d.keys("enter")
	if len(w.wrote()) != 0 {
		t.Fatal("wrote with a mistyped name")
	}
	d.keys("esc")
	d.wantView("Cancelled: nothing was sent to prod.")
	d.keys("enter")
	d.typeText("prod")
	d.keys("enter")
	d.wantPhase(stPrimary, phResult)
	if got := w.wrote(); len(got) != 1 || got[0] != "prod: enable dr primary" {
		t.Fatalf("writes %v", got)
	}
}

func TestFailedWriteIsNeverRetriedAutomatically(t *testing.T) {
	w := newWorld("a", "b")
	w.get("a").perf.mode = ops.ModeDisabled
	d := newDriver(t, w.deps(), Start{Flow: FlowEnablePrimary, TypeKnown: true, Primary: "a"})
	d.keys("enter")
	d.wantPhase(stPrimary, phReview)
	// Another operator enables it between the review and the write.
	w.get("a").perf.mode = ops.ModePrimary
	d.keys("enter")
	d.wantPhase(stPrimary, phResult)
	d.wantView("enable performance primary failed", "rejected by Vault", "already enabled (simulated)", "r: review and retry")
	d.send(clockMsg{}, clockMsg{})
	if got := len(w.wrote()); got != 1 {
		t.Fatalf("%d writes, want exactly 1", got)
	}
	d.keys("r")
	d.wantPhase(stPrimary, phReview)
	if got := len(w.wrote()); got != 1 {
		t.Fatalf("r sent a write: %d", got)
	}
}

// The default copy only sends an OSC 52 sequence: the note says so, and
// never "copied".
func TestOSC52CopySaysWhatWasDone(t *testing.T) {
	for _, tc := range []struct {
		term   string
		inTmux bool
		want   string
	}{
		{"xterm-256color", false, "the terminal may refuse it"},
		{"screen", true, "through tmux (it needs set-clipboard on)"},
		{"tmux-256color", false, "through tmux"},
	} {
		did := osc52Did(tc.term, tc.inTmux)
		if !strings.Contains(did, tc.want) || !strings.Contains(did, "sent to the terminal") || strings.Contains(did, "copied") {
			t.Errorf("%s tmux=%v: %q", tc.term, tc.inTmux, did)
		}
	}
	m, _ := New(Deps{}, Start{}).onCopied(copiedMsg{did: osc52Did("xterm", false)})
	if !strings.Contains(m.note, "Activation token sent to the terminal as an OSC 52") {
		t.Errorf("note %q", m.note)
	}
}

// Every typed confirmation says that quitting after enter does not stop
// the write.
func TestConfirmSaysQuitDoesNotStopTheWrite(t *testing.T) {
	m := New(Deps{}, Start{})
	f := m.confirmForm("us-east-1", "Type us-east-1")
	f.Init()
	if v := ansi.Strip(f.View()); !strings.Contains(flat(v), "After enter, ctrl+c does not stop it") {
		t.Fatalf("confirmation:\n%s", v)
	}
}

func TestTokenCopyAndSave(t *testing.T) {
	w := primaryWorld()
	deps := w.deps()
	var copied string
	deps.Copy = func(s string) error { copied = s; return nil }
	deps.SaveDir = t.TempDir()
	d := newDriver(t, deps, Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2", Secondary: "us-east-1"})
	d.keys("enter", "enter", "enter")
	d.wantPhase(stToken, phToken)
	tok := d.m.tok.Token
	d.keys("y")
	if copied != tok {
		t.Fatal("copy did not get the token")
	}
	d.wantView("Activation token copied to the clipboard.")
	d.keys("s")
	d.wantPhase(stToken, phForm)
	want := filepath.Join(deps.SaveDir, "vaultrepl-activation-us-east-1.token")
	if d.m.v.savePath != want {
		t.Fatalf("default path %q", d.m.v.savePath)
	}
	d.keys("enter")
	d.wantPhase(stToken, phToken)
	d.wantView("(mode 0600)")
	fi, err := os.Stat(want)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("saved file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(want)
	if strings.TrimSpace(string(b)) != tok {
		t.Fatal("file does not hold the token")
	}
	// Never overwritten.
	d.keys("s")
	d.keys("enter")
	d.wantView("that file exists")
	d.keys("esc")
	d.wantPhase(stToken, phToken)
}

func TestLeavingWithAnUnusedTokenAsks(t *testing.T) {
	w := primaryWorld()
	d := newDriver(t, w.deps(), Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2", Secondary: "us-east-1"})
	d.keys("enter", "enter", "enter")
	d.wantPhase(stToken, phToken)
	d.keys("q")
	d.wantFlat("Leave the wizard?", `has not been used and will be lost`,
		`vault write sys/replication/performance/primary/revoke-secondary id="us-east-1"`)
	if strings.Contains(d.view(), d.m.tok.Token[:30]) {
		t.Fatal("token on the close prompt")
	}
	d.keys("n")
	d.wantPhase(stToken, phToken)
	if len(d.sent("ClosedMsg")) != 0 {
		t.Fatal("closed after n")
	}
	d.keys("esc", "y")
	if len(d.sent("ClosedMsg")) != 1 || !d.m.Closed() || d.m.View() != "" {
		t.Fatal("did not close")
	}
}

func TestCloseAtTheStartNeedsNoConfirmation(t *testing.T) {
	d := newDriver(t, newWorld("a", "b").deps(), Start{})
	d.wantPhase(stType, phForm)
	d.keys("esc")
	if len(d.sent("ClosedMsg")) != 1 {
		t.Fatalf("esc at the first screen should close:\n%s", d.view())
	}
}

func TestExplainToggle(t *testing.T) {
	w := primaryWorld()
	deps := w.deps()
	deps.Explain = true
	d := newDriver(t, deps, Start{Flow: FlowEnablePrimary, TypeKnown: true, Primary: "us-east-2"})
	d.wantView("training mode", "Training:")
	d.wantFlat("Step 1 of the seed's setup")
	d.keys("e")
	if strings.Contains(d.view(), "Training:") || d.m.explain {
		t.Fatal("e did not turn training mode off")
	}
	d.keys("e", "?")
	d.wantView("Keys", "copy the activation token")
}

func TestStuckWatchSaysWhy(t *testing.T) {
	w := primaryWorld()
	w.get("us-east-1").stall = true
	d := newDriver(t, w.deps(), Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2", Secondary: "us-east-1"})
	d.maxPolls = 12
	d.keys("enter", "enter", "enter", "enter", "enter", "enter")
	d.typeText("us-east-1")
	d.keys("enter", "enter")
	d.wantPhase(stWatch, phWatching)
	if d.m.watch.Done || !d.m.watch.Stuck {
		t.Fatalf("want stuck:\n%s", d.view())
	}
	d.wantFlat("Stuck: merkle-diff has made no progress for", "Still polling")
}

func TestDRSetupFake(t *testing.T) {
	w := primaryWorld()
	d := newDriver(t, w.deps(), Start{Flow: FlowSetup})
	d.keys("down", "enter") // DR
	d.wantPhase(stPrimary, phForm)
	d.wantView("Which cluster becomes the DR primary?")
	if d.m.v.cluster != "us-east-2" {
		t.Fatalf("default DR primary %q: the performance primary is the usual choice", d.m.v.cluster)
	}
	d.keys("enter", "enter", "enter", "enter")
	d.wantPhase(stToken, phForm)
	// us-east-1 is the first unconfigured cluster; pick us-east-2-dr.
	d.keys("down", "down", "enter")
	if d.m.secondary != "us-east-2-dr" {
		t.Fatalf("secondary %q", d.m.secondary)
	}
	d.keys("enter", "enter", "enter") // id, ttl, review
	d.keys("enter", "enter", "enter") // token → activate: TLS, review
	d.wantPhase(stActivate, phConfirm)
	d.wantFlat("tokens, leases all of them, replaced by the primary's")
	d.typeText("us-east-2-dr")
	d.keys("enter")
	d.wantFlat("answers only status requests until promoted")
	d.keys("enter")
	d.wantPhase(stWatch, phWatching)
	if !d.m.watch.Done {
		t.Fatalf("DR watch not done:\n%s", d.view())
	}
	d.keys("enter")
	d.wantPhase(stNext, phForm) // no login for DR
	d.keys("enter")
	d.wantPhase(stVerify, phReview)
	d.wantFlat("path disabled in replication DR secondary mode", "last_dr_wal")
	d.keys("enter")
	d.wantPhase(stVerify, phCleanup)
	d.wantView("us-east-2-dr", "arrived after", "last_remote_wal")
	d.keys("n")
	d.wantPhase(stVerify, phDone)
	d.wantView("The canary stays on us-east-2")
}

func TestVerifyAsksToLogInWhenTheTokenIsGone(t *testing.T) {
	w := primaryWorld()
	sec := w.get("us-east-1")
	sec.perf = fakeRole{mode: ops.ModeSecondary, clusterID: "perf-set", primary: "us-east-2", secondaryID: "us-east-1", progress: 10}
	sec.badToken = true
	d := newDriver(t, w.deps(), Start{Flow: FlowVerify, TypeKnown: true, Primary: "us-east-2"})
	d.wantPhase(stVerify, phChecks)
	d.wantFlat("us-east-1: cannot list auth methods (invalid token", "log in (l)")
	d.keys("l")
	d.wantPhase(stLogin, phForm)
	d.keys("enter")
	d.typeText("secret")
	d.keys("enter")
	d.wantPhase(stVerify, phReview)
	if len(d.sent("ClientChangedMsg")) != 1 {
		t.Fatal("no ClientChangedMsg")
	}
	d.keys("enter")
	d.wantPhase(stVerify, phCleanup)
	d.wantView("the change reached the secondary")
}

func TestNoOtherClusterToActivate(t *testing.T) {
	w := primaryWorld()
	deps := w.deps()
	deps.Clusters = deps.Clusters[:1]
	d := newDriver(t, deps, Start{Flow: FlowActivateSecondary, TypeKnown: true, Primary: "us-east-2"})
	d.wantPhase(stActivate, phChecks)
	d.wantFlat("no cluster other than us-east-2 is configured", "--cluster name=address")
}

func TestLettersOnChoicesAndInputs(t *testing.T) {
	w := primaryWorld()
	d := newDriver(t, w.deps(), Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2"})
	d.wantPhase(stToken, phForm) // a list of clusters
	if d.m.InputFocused() {
		t.Fatal("a list of choices is not a text field")
	}
	d.keys("e")
	if !d.m.explain {
		t.Fatal("e on a list should toggle training mode")
	}
	d.keys("enter")
	if !d.m.InputFocused() {
		t.Fatal("the id field is a text field")
	}
	d.keys("q", "e")
	if d.m.closing || !strings.HasSuffix(d.m.v.id, "qe") {
		t.Fatalf("letters in a text field are text: id %q closing %v", d.m.v.id, d.m.closing)
	}
}

func TestWatchOnItsOwn(t *testing.T) {
	w := primaryWorld()
	sec := w.get("eu-west-1")
	sec.perf = fakeRole{mode: ops.ModeSecondary, clusterID: "perf-set", primary: "us-east-2", secondaryID: "eu-west-1"}
	d := newDriver(t, w.deps(), Start{Flow: FlowWatch, TypeKnown: true, Secondary: "eu-west-1"})
	d.wantPhase(stWatch, phWatching)
	if d.m.primary != "us-east-2" {
		t.Fatalf("primary found from the replication set: %q", d.m.primary)
	}
	if !d.m.watch.Done || d.m.watch.ID != "eu-west-1" {
		t.Fatalf("watch: %+v", d.m.watch)
	}
	d.wantView("Done: eu-west-1 reached stream-wals")
	if len(w.wrote()) != 0 {
		t.Fatal("watching wrote")
	}
}
