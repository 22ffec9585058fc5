package sim

import (
	"context"
	"strings"
	"testing"
	"time"
)

func progressOf(t *testing.T, l *Lab) ExerciseProgress {
	t.Helper()
	p, err := l.Progress("")
	if err != nil || len(p) != 1 {
		t.Fatalf("progress: %v %v", p, err)
	}
	return p[0]
}

// (b) DR replication by CLI: the four steps complete in order.
func TestExerciseDRSetup(t *testing.T) {
	l := startLabOpts(t, Options{Exercise: "dr-setup"})
	a, b := rootClient(t, l, "vault-a"), rootClient(t, l, "vault-b")
	write(t, a, "sys/replication/dr/primary/enable", nil)
	l.Advance(3 * time.Second)
	tok := write(t, a, "sys/replication/dr/primary/secondary-token", map[string]any{"id": "vault-b"}).WrapInfo.Token
	if p := progressOf(t, l); doneSteps(p) != 2 {
		t.Fatalf("after the token: %d steps", doneSteps(p))
	}
	write(t, b, "sys/replication/dr/secondary/enable", map[string]any{"token": tok})
	advanceUntil(t, l, 2*time.Minute, "vault-b streaming", func() bool { return l.Summaries()[1].DR.State == stateStreamWALs })
	// A DR secondary answers its status with no token.
	drStatus(t, client(t, info(t, l, "vault-b").Addr, ""))
	p := progressOf(t, l)
	if !p.Complete || !strings.Contains(p.Steps[2].Explain, purgeWarning) || !strings.HasPrefix(p.Summary, "1. Enable DR replication on vault-a") {
		t.Errorf("dr-setup = %+v", p)
	}
}

// (c) The diagnosis: each hidden fault is there at the start, named for
// the instructor, and the checklist completes once it is fixed and every
// secondary streams again.
func TestExerciseDiagnoseEveryHiddenFault(t *testing.T) {
	for seed := int64(1); seed <= int64(len(hiddenFaults)); seed++ {
		l := startLabOpts(t, Options{Exercise: "diagnose", Seed: seed})
		if l.Topology() != "global" {
			t.Fatalf("diagnose runs on %s", l.Topology())
		}
		p := progressOf(t, l)
		if p.HiddenFault == "" || doneSteps(p) != 0 {
			t.Fatalf("seed %d: %+v", seed, p)
		}
		var faulted int
		for _, s := range l.Summaries() {
			faulted += len(s.Faults)
		}
		if faulted == 0 {
			t.Fatalf("seed %d: no fault in effect for %q", seed, p.HiddenFault)
		}
		switch {
		case strings.HasPrefix(p.HiddenFault, "corrupted"):
			// The trainee's fix: a reindex on the corrupted secondary.
			write(t, rootClient(t, l, "us-east-1"), "sys/replication/reindex", nil)
			l.Advance(reindexTime + time.Second)
			if progressOf(t, l).Steps[0].Done {
				break
			}
			// The lab's own repair, as the lab menu's "clear" does.
			if err := l.ClearFaults("us-east-1"); err != nil {
				t.Fatal(err)
			}
		case strings.Contains(p.HiddenFault, "sealed"):
			if err := l.Unseal("eu-west-1"); err != nil {
				t.Fatal(err)
			}
		default:
			for _, s := range l.Summaries() {
				if err := l.ClearFaults(s.Name); err != nil {
					t.Fatal(err)
				}
			}
		}
		advanceUntil(t, l, 2*time.Minute, "the diagnosis complete", func() bool { return progressOf(t, l).Complete })
	}
}

// (d) The DR failover drill by CLI.
func TestExerciseDRFailover(t *testing.T) {
	l := startLabOpts(t, Options{Exercise: "dr-failover"})
	ctx := context.Background()
	write(t, rootClient(t, l, "us-east-2"), "sys/replication/dr/primary/demote", nil)
	anon := client(t, info(t, l, "us-east-2-dr").Addr, "")
	init, err := anon.Sys().GenerateDROperationTokenInitWithContext(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	upd, err := anon.Sys().GenerateDROperationTokenUpdateWithContext(ctx, l.UnsealKey(), init.Nonce)
	if err != nil {
		t.Fatal(err)
	}
	dec := write(t, anon, "sys/decode-token", map[string]any{"encoded_token": upd.EncodedToken, "otp": init.OTP})
	if p := progressOf(t, l); doneSteps(p) != 2 {
		t.Fatalf("after the operation token: %+v", p)
	}
	write(t, anon, "sys/replication/dr/secondary/promote", map[string]any{"dr_operation_token": dec.Data["token"]})
	l.Advance(3 * time.Second)
	drStatus(t, rootClient(t, l, "us-east-2"))
	if p := progressOf(t, l); !p.Complete {
		t.Errorf("dr-failover = %+v", p)
	}
}

func TestUnknownExercise(t *testing.T) {
	if _, err := New(Options{Exercise: "juggling"}); err == nil || !strings.Contains(err.Error(), "perf-setup") {
		t.Errorf("err = %v", err)
	}
	if _, err := New(Options{Exercise: "diagnose", Topology: "datacenter"}); err == nil {
		t.Error("diagnose accepted the datacenter topology")
	}
}

// Secrets across replication, with vault/api's KVv2 helpers (what `vault kv`
// sends): each step completes only on what the lab's state shows.
func TestExerciseKVReplication(t *testing.T) {
	l := startLabOpts(t, Options{Exercise: "kv-replication"})
	ctx := context.Background()
	a := rootClient(t, l, "us-east-2").KVv2("secret")
	b := rootClient(t, l, "us-east-1").KVv2("secret")
	c := rootClient(t, l, "eu-west-1").KVv2("secret")
	if _, err := a.Put(ctx, "app/db", map[string]any{"password": "s3cret"}); err != nil {
		t.Fatal(err)
	}
	if p := progressOf(t, l); doneSteps(p) != 1 {
		t.Fatalf("after the write on the primary: %+v", p)
	}
	// A read before the WAL has crossed finds nothing and does not count.
	if _, err := c.Get(ctx, "app/db"); err == nil {
		t.Fatal("eu-west-1 has the secret before any time passed")
	}
	if p := progressOf(t, l); doneSteps(p) != 1 {
		t.Fatalf("a read that found nothing completed a step: %+v", p)
	}
	advanceUntil(t, l, time.Minute, "eu-west-1 reads the secret", func() bool {
		_, err := c.Get(ctx, "app/db")
		return err == nil
	})
	if p := progressOf(t, l); doneSteps(p) != 2 {
		t.Fatalf("after the read on eu-west-1: %+v", p)
	}
	if _, err := b.Put(ctx, "app/db", map[string]any{"password": "rotated"}); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, l, time.Minute, "the forwarded write back on us-east-1", func() bool { return doneSteps(progressOf(t, l)) == 3 })
	dr := rootClient(t, l, "us-east-2-dr").KVv2("secret")
	if _, err := dr.Get(ctx, "app/db"); err == nil || !strings.Contains(err.Error(), errDRSecondary) {
		t.Fatalf("kv get on the DR secondary: %v", err)
	}
	p := progressOf(t, l)
	if !p.Complete || !strings.HasPrefix(p.Summary, "1. Write a secret on the primary us-east-2") {
		t.Errorf("kv-replication = %+v", p)
	}
}
