package sim

import (
	"context"
	"encoding/base64"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// drOperationToken runs the generate-operation-token flow on a DR secondary
// and returns the decoded token.
func drOperationToken(t *testing.T, l *Lab, addr string) string {
	t.Helper()
	anon := client(t, addr, "")
	init, err := anon.Sys().GenerateDROperationTokenInit("", "")
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	upd, err := anon.Sys().GenerateDROperationTokenUpdate(l.UnsealKey(), init.Nonce)
	if err != nil || !upd.Complete {
		t.Fatalf("update: %+v %v", upd, err)
	}
	s, err := anon.Logical().Write("sys/decode-token", map[string]any{"encoded_token": upd.EncodedToken, "otp": init.OTP})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return s.Data["token"].(string)
}

// TestGlobalDRFailover loses the global primary, promotes its DR secondary
// (which takes over the performance primary role) and re-points the
// performance secondaries at it with update_primary_addrs.
func TestGlobalDRFailover(t *testing.T) {
	l := startLabOpts(t, Options{Topology: "global", WriteRate: 5})
	ctx := context.Background()
	l.Advance(5 * time.Second)
	if err := l.Stop("us-east-2"); err != nil {
		t.Fatal(err)
	}
	l.Advance(5 * time.Second)
	drAddr := info(t, l, "us-east-2-dr").Addr
	op := drOperationToken(t, l, drAddr)
	anon := client(t, drAddr, "")
	if _, err := anon.Logical().Write("sys/replication/dr/secondary/promote", map[string]any{"dr_operation_token": op}); err != nil {
		t.Fatalf("promote: %v", err)
	}
	l.Advance(3 * time.Second)
	newPrimary := client(t, drAddr, info(t, l, "us-east-2").Token) // DR replicated the root token
	np := perfStatus(t, newPrimary)
	if np.Mode != "primary" || !slices.Equal(np.KnownSecondaries, []string{"us-east-1", "eu-west-1"}) {
		t.Fatalf("promoted cluster's performance role: %+v", np)
	}
	if dr := drStatus(t, newPrimary); dr.Mode != "primary" {
		t.Fatalf("promoted cluster's DR role: %+v", dr)
	}
	for _, name := range []string{"us-east-1", "eu-west-1"} {
		c := rootClient(t, l, name)
		if st := perfStatus(t, c); st.Primaries[0].ConnectionStatus != "disconnected" {
			t.Fatalf("%s still connected to the stopped primary", name)
		}
		_, err := c.Logical().Write("sys/replication/performance/secondary/update-primary",
			map[string]any{"update_primary_addrs": []string{"https://nowhere:8201", "https://us-east-2-dr-node-1:8201"}})
		if err != nil {
			t.Fatalf("update-primary on %s: %v", name, err)
		}
	}
	advanceUntil(t, l, 2*time.Minute, "performance secondaries streaming from the new primary", func() bool {
		for _, name := range []string{"us-east-1", "eu-west-1"} {
			st := perfStatus(t, rootClient(t, l, name))
			if st.State != "stream-wals" || st.Primaries[0].APIAddr != drAddr || st.Primaries[0].ConnectionStatus != "connected" {
				return false
			}
		}
		return true
	})
	if err := newPrimary.Sys().EnableAuthWithOptionsWithContext(ctx, "after-failover", &api.EnableAuthOptions{Type: "approle"}); err != nil {
		t.Fatal(err)
	}
	l.Advance(time.Second)
	user, pass := l.Userpass()
	login, err := client(t, info(t, l, "eu-west-1").Addr, "").Logical().Write("auth/userpass/login/"+user, map[string]any{"password": pass})
	if err != nil {
		t.Fatal(err)
	}
	auths, err := client(t, info(t, l, "eu-west-1").Addr, login.Auth.ClientToken).Sys().ListAuth()
	if err != nil || auths["after-failover/"] == nil {
		t.Errorf("write on the new primary did not reach eu-west-1: %v %v", auths, err)
	}
	// A wrong address list is refused.
	_, err = rootClient(t, l, "us-east-1").Logical().Write("sys/replication/performance/secondary/update-primary",
		map[string]any{"update_primary_addrs": "https://nowhere:8201"})
	respErr(t, err, 400, "none of update_primary_addrs answered as a performance primary of this replication set (simulated)")
}

// TestDRFailback demotes the primary, promotes the DR secondary, then makes
// the old primary a DR secondary of the new one with update-primary.
func TestDRFailback(t *testing.T) {
	l := startLab(t, "global")
	a, b := info(t, l, "us-east-2"), info(t, l, "us-east-2-dr")
	old := client(t, a.Addr, a.Token)
	if _, err := old.Logical().Write("sys/replication/dr/primary/demote", nil); err != nil {
		t.Fatal(err)
	}
	// Demoting the DR primary takes its performance primary role away too.
	l.Advance(3 * time.Second)
	if st := perfStatus(t, rootClient(t, l, "us-east-1")); st.Primaries[0].ConnectionStatus != "disconnected" {
		t.Errorf("performance secondary still connected to a demoted primary")
	}
	op := drOperationToken(t, l, b.Addr)
	if _, err := client(t, b.Addr, "").Logical().Write("sys/replication/dr/secondary/promote", map[string]any{"dr_operation_token": op}); err != nil {
		t.Fatal(err)
	}
	l.Advance(3 * time.Second)
	newPrimary := client(t, b.Addr, a.Token)
	s, err := newPrimary.Logical().Write("sys/replication/dr/primary/secondary-token", map[string]any{"id": "us-east-2"})
	if err != nil {
		t.Fatal(err)
	}
	oldOp := drOperationToken(t, l, a.Addr)
	_, err = client(t, a.Addr, "").Logical().Write("sys/replication/dr/secondary/update-primary",
		map[string]any{"dr_operation_token": oldOp, "token": s.WrapInfo.Token, "update_primary_addrs": "x"})
	respErr(t, err, 400, `"token" and "update_primary_addrs" are mutually exclusive (simulated)`)
	// A newly demoted cluster must use a token (update-primary in
	// https://developer.hashicorp.com/vault/api-docs/system/replication/replication-dr).
	_, err = client(t, a.Addr, "").Logical().Write("sys/replication/dr/secondary/update-primary",
		map[string]any{"dr_operation_token": oldOp, "update_primary_addrs": "https://us-east-2-dr-node-1:8201"})
	respErr(t, err, 400, `update_primary_addrs cannot be used by a cluster demoted from primary; supply a new activation token in "token" (simulated)`)
	if _, err := client(t, a.Addr, "").Logical().Write("sys/replication/dr/secondary/update-primary",
		map[string]any{"dr_operation_token": oldOp, "token": s.WrapInfo.Token}); err != nil {
		t.Fatalf("update-primary: %v", err)
	}
	advanceUntil(t, l, 2*time.Minute, "old primary streaming as a DR secondary", func() bool {
		st := drStatus(t, old)
		return st.Mode == "secondary" && st.State == "stream-wals" && st.SecondaryID == "us-east-2"
	})
	// The operation token can be revoked; then it no longer works.
	anon := client(t, a.Addr, "")
	if _, err := anon.Logical().Write("sys/replication/dr/secondary/operation-token/delete", map[string]any{"dr_operation_token": oldOp}); err != nil {
		t.Fatal(err)
	}
	_, err = anon.Logical().Write("sys/replication/dr/secondary/promote", map[string]any{"dr_operation_token": oldOp})
	respErr(t, err, 400, "invalid DR operation token (simulated)")
	// Disabling DR on the secondary makes it an ordinary cluster again.
	op2 := drOperationToken(t, l, a.Addr)
	s, err = anon.Logical().Write("sys/replication/dr/secondary/disable", map[string]any{"dr_operation_token": op2})
	if err != nil || !slices.Equal(s.Warnings, []string{warnDisable}) {
		t.Fatalf("disable DR secondary: %v %v", s, err)
	}
	l.Advance(3 * time.Second)
	if _, err := old.Sys().ListAuth(); err != nil {
		t.Errorf("after disabling DR the cluster serves requests again: %v", err)
	}
}

func TestPublicKeyActivation(t *testing.T) {
	l := startLab(t, "fresh")
	p, _ := primaryWithToken(t, l, "unused", "")
	b := rootClient(t, l, "vault-b")
	k, err := b.Logical().Write("sys/replication/performance/secondary/generate-public-key", nil)
	if err != nil {
		t.Fatal(err)
	}
	pub := k.Data["secondary_public_key"].(string)
	s, err := p.Logical().Write("sys/replication/performance/primary/secondary-token", map[string]any{"id": "vault-b", "secondary_public_key": pub})
	if err != nil || s.WrapInfo != nil || s.Data["token"] == nil {
		t.Fatalf("public-key token: %+v %v", s, err)
	}
	enc := s.Data["token"].(string)
	// No unwrap call: the primary may even be unreachable from the secondary.
	if err := l.Partition("vault-a", "vault-b"); err != nil {
		t.Fatal(err)
	}
	if err := enableSecondary(b, enc); err != nil {
		t.Fatalf("enable with the encrypted token: %v", err)
	}
	// Activated but unable to reach its primary: never a heartbeat yet.
	l.Advance(4 * time.Second)
	sec, err := b.Logical().Read("sys/replication/performance/status")
	if err != nil {
		t.Fatal(err)
	}
	prim := sec.Data["primaries"].([]any)[0].(map[string]any)
	if cs := sec.Data["connection_state"]; (cs != "connecting" && cs != "transient_failure") || sec.Data["state"] != "idle" ||
		prim["last_heartbeat"] != "0001-01-01T00:00:00Z" || prim["connection_status"] != "disconnected" {
		t.Errorf("unreachable primary after activation: %v", sec.Data)
	}
	if err := l.Heal("vault-a", "vault-b"); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, l, time.Minute, "streaming", func() bool { return perfStatus(t, b).State == "stream-wals" })
	// Single use: another cluster cannot decrypt it, and it is spent anyway.
	c := rootClient(t, l, "vault-c")
	if _, err := c.Logical().Write("sys/replication/performance/secondary/generate-public-key", nil); err != nil {
		t.Fatal(err)
	}
	respErr(t, enableSecondary(c, enc), 400, "the activation token could not be decrypted with this cluster's public key (simulated)")
}

func TestPerformancePromoteAndDisable(t *testing.T) {
	l := startLab(t, "global")
	e1, eu := rootClient(t, l, "us-east-1"), rootClient(t, l, "eu-west-1")
	s, err := e1.Logical().Write("sys/replication/performance/secondary/promote", nil)
	if err != nil || !slices.Equal(s.Warnings, []string{warnPromote}) {
		t.Fatalf("promote: %v %v", s, err)
	}
	l.Advance(3 * time.Second)
	if st := perfStatus(t, e1); st.Mode != "primary" || st.State != "running" || len(st.KnownSecondaries) != 0 {
		t.Errorf("promoted: %+v", st)
	}
	for _, peer := range perfStatus(t, rootClient(t, l, "us-east-2")).Secondaries {
		if peer.NodeID == "us-east-1" && peer.ConnectionStatus != "disconnected" {
			t.Errorf("old primary still sees the promoted cluster as its secondary")
		}
	}
	s, err = eu.Logical().Write("sys/replication/performance/secondary/disable", nil)
	if err != nil || !slices.Equal(s.Warnings, []string{warnDisable}) {
		t.Fatalf("disable: %v %v", s, err)
	}
	l.Advance(3 * time.Second)
	if st := perfStatus(t, eu); st.Mode != "disabled" {
		t.Errorf("disabled secondary: %+v", st)
	}
	_, err = eu.Logical().Write("sys/replication/performance/secondary/promote", nil)
	respErr(t, err, 400, "cluster is not a performance secondary (simulated)")
	// Disabling the primary turns the type off entirely.
	s, err = rootClient(t, l, "us-east-2").Logical().Write("sys/replication/performance/primary/disable", nil)
	if err != nil || !slices.Equal(s.Warnings, []string{warnDisable}) {
		t.Fatalf("disable primary: %v %v", s, err)
	}
	l.Advance(3 * time.Second)
	code, body, _ := raw(t, "GET", info(t, l, "us-east-2").Addr+"/v1/sys/replication/performance/status", "", "")
	if code != 200 || !jsonEqual(body["data"], map[string]any{"mode": "disabled"}) {
		t.Errorf("disabled primary: %d %v", code, body)
	}
}

// TestPromoteDuringInitialSync: the secondary is unavailable until its first
// sync completes, except for the endpoints that get an operator out of it.
func TestPromoteDuringInitialSync(t *testing.T) {
	l := startLab(t, "fresh")
	_, tok := primaryWithToken(t, l, "vault-b", "")
	b := rootClient(t, l, "vault-b")
	if err := enableSecondary(b, tok); err != nil {
		t.Fatal(err)
	}
	l.Advance(5 * time.Second)
	_, err := b.Sys().ListAuth()
	respErr(t, err, 503, errInitialSync)
	// The purged root token is gone; generate a new root with the key share.
	_, err = b.Logical().Write("sys/replication/performance/secondary/promote", nil)
	respErr(t, err, 403, multiError(errPermissionDenied, errInvalidToken))
	anon := client(t, info(t, l, "vault-b").Addr, "")
	init, err := anon.Sys().GenerateRootInit("", "")
	if err != nil || init.OTPLength != 28 || len(init.OTP) != 28 {
		t.Fatalf("generate-root start: %+v %v", init, err)
	}
	upd, err := anon.Sys().GenerateRootUpdate(l.UnsealKey(), init.Nonce)
	if err != nil || !upd.Complete {
		t.Fatalf("generate-root update: %+v %v", upd, err)
	}
	// Decode client-side, as `vault operator generate-root -decode` does (the
	// logical sys/decode-token is unavailable during the initial sync).
	raw, err := base64.RawStdEncoding.DecodeString(upd.EncodedToken)
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		raw[i] ^= init.OTP[i]
	}
	b.SetToken(string(raw))
	_, err = b.Logical().Write("sys/replication/performance/secondary/promote", nil)
	respErr(t, err, 503, `replication is still catching up, try again later or provide the "force" argument (simulated)`)
	if _, err := b.Logical().Write("sys/replication/performance/secondary/promote", map[string]any{"force": true}); err != nil {
		t.Fatalf("forced promote: %v", err)
	}
	l.Advance(3 * time.Second)
	if st := perfStatus(t, b); st.Mode != "primary" {
		t.Errorf("after a forced promote: %+v", st)
	}
}

// TestCascadedDRFollowsPurge: a DR primary that becomes a performance
// secondary is purged and resynced; its DR secondary must follow both.
func TestCascadedDRFollowsPurge(t *testing.T) {
	l := startLab(t, "fresh")
	a, b, c := rootClient(t, l, "vault-a"), rootClient(t, l, "vault-b"), rootClient(t, l, "vault-c")
	if _, err := a.Logical().Write("sys/replication/dr/primary/enable", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Logical().Write("sys/replication/performance/primary/enable", nil); err != nil {
		t.Fatal(err)
	}
	l.Advance(3 * time.Second)
	s, err := a.Logical().Write("sys/replication/dr/primary/secondary-token", map[string]any{"id": "vault-c"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Logical().Write("sys/replication/dr/secondary/enable", map[string]any{"token": s.WrapInfo.Token}); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, l, time.Minute, "DR streaming", func() bool { return drStatus(t, c).State == "stream-wals" })
	// vault-a (a DR primary) becomes a performance secondary of vault-b.
	if err := enableSecondary(a, issueToken(t, b, "vault-a", "")); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, l, 2*time.Minute, "both layers in sync", func() bool {
		pa := perfStatus(t, a)
		da, dc := drStatus(t, a), drStatus(t, c)
		return pa.State == "stream-wals" && dc.State == "stream-wals" && da.MerkleRoot == dc.MerkleRoot && da.LastDRWAL == dc.LastRemoteWAL
	})
}
