package wizard

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// snap builds a reachable, unsealed Enterprise snapshot with the given roles.
func snap(perf, dr ops.TypeStatus) ops.Snapshot {
	perf.Type, dr.Type = ops.Performance, ops.DR
	return ops.Snapshot{
		Health:      &ops.Health{Initialized: true, Enterprise: true, Version: "1.17.0+ent"},
		Replication: &ops.Replication{Performance: perf, DR: dr},
	}
}

func role(m ops.Mode) ops.TypeStatus { return ops.TypeStatus{Mode: m, RawMode: m.String()} }

var disabled = role(ops.ModeDisabled)

func rootCaps(paths ...string) map[string][]string {
	out := map[string][]string{}
	for _, p := range paths {
		out[p] = []string{"root"}
	}
	return out
}

// failed returns the first failing check, or nil.
func failed(cs []check) *check {
	for i := range cs {
		if cs[i].Level == lvFail {
			return &cs[i]
		}
	}
	return nil
}

func TestCheckEnablePrimary(t *testing.T) {
	p := opPath(ops.OpEnablePrimary, ops.Performance)
	unreachable := &ops.Error{Class: ops.ErrUnreachable, Op: "read status", Cluster: "a", Messages: []string{"connection refused"}}
	sealed := snap(disabled, disabled)
	sealed.Health.Sealed = true
	ce := ops.Snapshot{Health: &ops.Health{Initialized: true, Version: "1.17.0"}, Replication: &ops.Replication{CommunityEdition: true}}
	unsupported := snap(disabled, disabled)
	unsupported.Replication.Unsupported = true
	tests := []struct {
		name     string
		f        facts
		c        Cluster
		wantFail string // title of the failing check, "" for none
		wantText string // in its detail or fix
		wantDone bool
	}{
		{name: "ok", f: facts{Snap: snap(disabled, disabled), Caps: rootCaps(p)}},
		{name: "unreachable", f: facts{Err: unreachable}, wantFail: "reachable", wantText: "check the address and port"},
		{name: "sealed", f: facts{Snap: sealed}, wantFail: "unsealed", wantText: "vault operator unseal"},
		{name: "community edition", f: facts{Snap: ce}, wantFail: "Enterprise", wantText: "Enterprise feature"},
		{name: "unsupported licence", f: facts{Snap: unsupported}, wantFail: "replication licence", wantText: "sys/license/status"},
		{name: "already primary", f: facts{Snap: snap(ops.TypeStatus{Mode: ops.ModePrimary, ClusterID: "00616ea0-3094"}, disabled)}, wantDone: true},
		{name: "secondary", f: facts{Snap: snap(role(ops.ModeSecondary), disabled)}, wantFail: "mode", wantText: "promote it"},
		{name: "DR secondary", f: facts{Snap: snap(disabled, role(ops.ModeSecondary))}, wantFail: "mode", wantText: "only status endpoints"},
		{name: "bootstrapping", f: facts{Snap: snap(role(ops.ModeBootstrapping), disabled)}, wantFail: "mode", wantText: "re-check"},
		{name: "read-only", f: facts{Snap: snap(disabled, disabled)}, c: Cluster{ReadOnly: true}, wantFail: "writable", wantText: "read_only"},
		{name: "no update capability", f: facts{Snap: snap(disabled, disabled), Caps: map[string][]string{p: {"read"}}}, wantFail: "capabilities", wantText: `"update"`},
		{name: "invalid token", f: facts{Snap: snap(disabled, disabled), CapsErr: &ops.Error{Class: ops.ErrInvalidToken}}, wantFail: "token", wantText: "log in again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.Name = "a"
			cs, done := checkEnablePrimary(tt.f, ops.Performance, tt.c)
			if done != tt.wantDone {
				t.Errorf("done = %v, want %v", done, tt.wantDone)
			}
			f := failed(cs)
			switch {
			case tt.wantFail == "" && f != nil:
				t.Fatalf("unexpected failure %+v", *f)
			case tt.wantFail != "" && f == nil:
				t.Fatalf("no failure, want %q: %+v", tt.wantFail, cs)
			case f != nil && (f.Title != tt.wantFail || !strings.Contains(f.Detail+" "+f.Fix, tt.wantText)):
				t.Fatalf("failure %+v, want %q containing %q", *f, tt.wantFail, tt.wantText)
			}
		})
	}
}

func TestCapCheckWarnsWhenUnknown(t *testing.T) {
	f := facts{Name: "a", CapsErr: &ops.Error{Class: ops.ErrServer}}
	c := capCheck(f, "sys/x", "update")
	if c.Level != lvWarn {
		t.Fatalf("a failed capabilities lookup must warn, not block: %+v", c)
	}
	if !hasCaps(map[string][]string{"p": {"create", "sudo"}}, "p", "update", "sudo") {
		t.Fatal("create should satisfy update")
	}
	if hasCaps(map[string][]string{"p": {"update"}}, "p", "update", "sudo") {
		t.Fatal("update without sudo must not pass a sudo path")
	}
}

func TestCheckSecondaryToken(t *testing.T) {
	p := opPath(ops.OpSecondaryToken, ops.DR)
	ok := facts{Name: "a", Snap: snap(disabled, ops.TypeStatus{Mode: ops.ModePrimary, KnownSecondaries: []string{"x"}}), Caps: map[string][]string{p: {"update", "sudo"}}}
	if f := failed(checkSecondaryToken(ok, ops.DR)); f != nil {
		t.Fatalf("unexpected failure %+v", *f)
	}
	noSudo := ok
	noSudo.Caps = map[string][]string{p: {"update"}}
	f := failed(checkSecondaryToken(noSudo, ops.DR))
	if f == nil || !strings.Contains(f.Fix, "sudo") {
		t.Fatalf("missing sudo not caught: %+v", f)
	}
	notPrimary := ok
	notPrimary.Snap = snap(disabled, disabled)
	if f := failed(checkSecondaryToken(notPrimary, ops.DR)); f == nil || !strings.Contains(f.Fix, "enable it as a primary first") {
		t.Fatalf("not a primary: %+v", f)
	}
}

func TestValidateSecondaryID(t *testing.T) {
	known := []string{"us-east-1"}
	for id, want := range map[string]string{
		"":          "enter an id",
		"   ":       "enter an id",
		"a b":       "no spaces",
		"us-east-1": "already a known secondary",
		"eu-west-1": "",
	} {
		err := validateSecondaryID(id, known)
		if (err == nil) != (want == "") || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("validateSecondaryID(%q) = %v, want %q", id, err, want)
		}
	}
	if got := suggestID("us-east-1", known); got != "us-east-1-2" {
		t.Errorf("suggestID = %q", got)
	}
	for ttl, ok := range map[string]bool{"": true, "30m": true, "1h": true, "10s": false, "48h": false, "soon": false} {
		if err := validateTTL(ttl); (err == nil) != ok {
			t.Errorf("validateTTL(%q) = %v", ttl, err)
		}
	}
}

func TestCheckActivate(t *testing.T) {
	now := t0
	p := opPath(ops.OpEnableSecondary, ops.Performance)
	primaryFacts := &facts{Name: "pri", Snap: snap(role(ops.ModePrimary), disabled)}
	good := activation{Token: makeJWT(now, now.Add(30*time.Minute), "http://pri:8200"), PrimaryRef: "pri", Primary: primaryFacts}
	good.Info, good.InfoErr = decodeToken(good.Token)
	target := facts{Name: "sec", Snap: snap(disabled, disabled), Caps: rootCaps(p, opPath(ops.OpEnableSecondary, ops.DR))}

	t.Run("ok", func(t *testing.T) {
		cs, need := checkActivate(target, ops.Performance, Cluster{}, good, now)
		if f := failed(cs); f != nil || need {
			t.Fatalf("failure %+v, needAddr %v", f, need)
		}
	})
	t.Run("expired token is caught before sending", func(t *testing.T) {
		a := good
		a.Token = makeJWT(now.Add(-time.Hour), now.Add(-time.Minute), "http://pri:8200")
		a.Info, a.InfoErr = decodeToken(a.Token)
		f := failed(mustChecks(checkActivate(target, ops.Performance, Cluster{}, a, now)))
		if f == nil || !strings.Contains(f.Detail, "expired 1m 00s ago") || !strings.Contains(f.Fix, "generate a new token") {
			t.Fatalf("got %+v", f)
		}
	})
	t.Run("garbage token", func(t *testing.T) {
		a := good
		a.Token = "not-a-jwt"
		a.Info, a.InfoErr = decodeToken(a.Token)
		if f := failed(mustChecks(checkActivate(target, ops.Performance, Cluster{}, a, now))); f == nil || f.Title != "activation token" {
			t.Fatalf("got %+v", f)
		}
	})
	t.Run("no addr claim asks for primary_api_addr", func(t *testing.T) {
		a := good
		a.Token = makeJWT(now, now.Add(time.Hour), "")
		a.Info, a.InfoErr = decodeToken(a.Token)
		a.Primary, a.PrimaryRef = nil, ""
		cs, need := checkActivate(target, ops.Performance, Cluster{}, a, now)
		if f := failed(cs); f != nil || !need {
			t.Fatalf("failure %+v, needAddr %v", f, need)
		}
	})
	t.Run("unknown addr asks too", func(t *testing.T) {
		a := good
		a.Primary, a.PrimaryRef = nil, ""
		_, need := checkActivate(target, ops.Performance, Cluster{}, a, now)
		if !need {
			t.Fatal("an addr that is no configured cluster should be confirmed")
		}
	})
	t.Run("primary down", func(t *testing.T) {
		a := good
		a.Primary = &facts{Name: "pri", Err: &ops.Error{Class: ops.ErrUnreachable, Messages: []string{"connection refused"}}}
		f := failed(mustChecks(checkActivate(target, ops.Performance, Cluster{}, a, now)))
		if f == nil || f.Title != "primary pri" || !strings.Contains(f.Fix, "unwraps the token") {
			t.Fatalf("got %+v", f)
		}
	})
	t.Run("DR while performance is enabled", func(t *testing.T) {
		tf := target
		tf.Snap = snap(role(ops.ModeSecondary), disabled)
		f := failed(mustChecks(checkActivate(tf, ops.DR, Cluster{}, good, now)))
		if f == nil || f.Fix != "Disable Performance Replication in order to enable this cluster as a DR secondary." {
			t.Fatalf("got %+v", f)
		}
	})
	t.Run("target is a primary", func(t *testing.T) {
		tf := target
		tf.Snap = snap(ops.TypeStatus{Mode: ops.ModePrimary, KnownSecondaries: []string{"x", "y"}}, disabled)
		f := failed(mustChecks(checkActivate(tf, ops.Performance, Cluster{}, good, now)))
		if f == nil || !strings.Contains(f.Detail, "2 known secondaries") {
			t.Fatalf("got %+v", f)
		}
	})
	t.Run("target is the token's primary", func(t *testing.T) {
		tf := target
		tf.Name = "pri"
		if f := failed(mustChecks(checkActivate(tf, ops.Performance, Cluster{}, good, now))); f == nil || f.Title != "target" {
			t.Fatalf("got %+v", f)
		}
	})
	t.Run("already a secondary", func(t *testing.T) {
		tf := target
		tf.Snap = snap(ops.TypeStatus{Mode: ops.ModeSecondary, SecondaryID: "old"}, disabled)
		if f := failed(mustChecks(checkActivate(tf, ops.Performance, Cluster{}, good, now))); f == nil || !strings.Contains(f.Fix, "update-primary") {
			t.Fatalf("got %+v", f)
		}
	})
}

func mustChecks(cs []check, _ bool) []check { return cs }

func TestErrTextUsesClassification(t *testing.T) {
	e := &ops.Error{Class: ops.ErrSealed, Op: "read status", Cluster: "a"}
	what, fix := errText(e)
	if what != e.Summary() || fix != e.Hint() {
		t.Fatalf("errText = %q, %q", what, fix)
	}
	what, fix = errText(errors.New("boom"))
	if what != "boom" || fix != "" {
		t.Fatalf("plain error: %q, %q", what, fix)
	}
}

func TestCommandsInTheSeedForm(t *testing.T) {
	for got, want := range map[string]string{
		cmdEnablePrimary(ops.Performance, ""):                                               "vault write -f sys/replication/performance/primary/enable",
		cmdEnablePrimary(ops.DR, "https://lb:8201"):                                         `vault write sys/replication/dr/primary/enable primary_cluster_addr="https://lb:8201"`,
		cmdSecondaryToken(ops.Performance, "us-east-1", 0):                                  `vault write sys/replication/performance/primary/secondary-token id="us-east-1"`,
		cmdSecondaryToken(ops.DR, "dr", defaultTTL):                                         `vault write sys/replication/dr/primary/secondary-token id="dr"`,
		cmdSecondaryToken(ops.DR, "dr", time.Hour):                                          `vault write sys/replication/dr/primary/secondary-token id="dr" ttl="1h"`,
		cmdAuthDisable("vaultrepl-canary-abc/"):                                             "vault auth disable vaultrepl-canary-abc",
		cmdStatus(ops.DR):                                                                   "vault read -format=json sys/replication/dr/status",
		cmdRevokeSecondary(ops.Performance, "x"):                                            `vault write sys/replication/performance/primary/revoke-secondary id="x"`,
		cmdEnableSecondary(ops.Performance, ops.EnableSecondaryRequest{Token: "eyJsecret"}): `vault write sys/replication/performance/secondary/enable token="********"`,
	} {
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	got := cmdEnableSecondary(ops.DR, ops.EnableSecondaryRequest{Token: "eyJsecret", PrimaryAPIAddr: "https://p:8200", CAFile: "/etc/ca.pem"})
	if strings.Contains(got, "eyJsecret") || !strings.Contains(got, `primary_api_addr="https://p:8200" ca_file="/etc/ca.pem"`) {
		t.Errorf("got %s", got)
	}
	if s := maskedToken("abcdef"); strings.Contains(s, "abc") {
		t.Errorf("masked token shows its content: %s", s)
	}
}

func TestNormAddr(t *testing.T) {
	if normAddr("HTTPS://Vault.example.com/") != normAddr("https://vault.example.com:443") {
		t.Error("default port and case should not matter")
	}
	if normAddr("http://127.0.0.1:8200") == normAddr("http://127.0.0.1:8201") {
		t.Error("ports matter")
	}
}

func TestWrapArgsKeepsQuotedArgumentsWhole(t *testing.T) {
	got := wrapArgs(`vault auth enable -path=x -description="a b c d e f" userpass`, 20)
	want := []string{"vault auth enable", "-path=x", `-description="a b c d e f"`, "userpass"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q", got)
	}
}

func TestOSC52Sequence(t *testing.T) {
	var b strings.Builder
	if err := writeOSC52(&b, "tok", "xterm-256color", false); err != nil {
		t.Fatal(err)
	}
	if b.String() != "\x1b]52;c;dG9r\x07" {
		t.Fatalf("plain: %q", b.String())
	}
	b.Reset()
	_ = writeOSC52(&b, "tok", "screen", true)
	if !strings.HasPrefix(b.String(), "\x1bPtmux;\x1b\x1b]52;c;dG9r") {
		t.Fatalf("tmux: %q", b.String())
	}
}

func TestPrimaryAddrAskedWhenTheTokenNamesAnotherAddress(t *testing.T) {
	now := t0
	a := activation{Token: makeJWT(now, now.Add(time.Hour), "https://vault-a.internal:8200"), PrimaryRef: "pri",
		PrimaryAddr: "http://127.0.0.1:8200", Primary: &facts{Name: "pri", Snap: snap(role(ops.ModePrimary), disabled)}}
	a.Info, a.InfoErr = decodeToken(a.Token)
	cs, need := primaryChecks(a, ops.Performance)
	if !need || failed(cs) != nil {
		t.Fatalf("need %v, checks %+v", need, cs)
	}
	a.PrimaryAddr = "https://VAULT-A.internal:8200/"
	if _, need := primaryChecks(a, ops.Performance); need {
		t.Fatal("the same address, spelled differently, should not be asked")
	}
}

// A cluster configured without a token says so, instead of the
// "permission denied" Vault would answer the write with.
func TestCapCheckFailsWithoutToken(t *testing.T) {
	f := facts{Name: "a", NoToken: true, CapsErr: &ops.Error{Class: ops.ErrPermissionDenied}}
	c := capCheck(f, "sys/x", "update")
	if c.Level != lvFail || !strings.Contains(c.Detail, "a: no token is configured") || !strings.Contains(c.Fix, "VAULT_TOKEN") {
		t.Fatalf("capCheck without a token = %+v", c)
	}
}
