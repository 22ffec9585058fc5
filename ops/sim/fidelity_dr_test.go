package sim

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// TestWalkthroughDR does for DR what the seed does for performance
// replication, then fails over: DR operation token, demote, promote.
func TestWalkthroughDR(t *testing.T) {
	l := startLab(t, "fresh")
	ctx := context.Background()
	primary := rootClient(t, l, "vault-a")
	drInfo := info(t, l, "vault-c")
	drSec := client(t, drInfo.Addr, drInfo.Token)

	s, err := primary.Logical().WriteWithContext(ctx, "sys/replication/dr/primary/enable", nil)
	if err != nil || !slices.Equal(s.Warnings, []string{warnEnablePrimary}) {
		t.Fatalf("enable DR primary: %v %v", s, err)
	}
	l.Advance(3 * time.Second)
	s, err = primary.Logical().WriteWithContext(ctx, "sys/replication/dr/primary/secondary-token", map[string]any{"id": "vault-c", "ttl": "1h"})
	if err != nil || s.WrapInfo == nil || s.WrapInfo.TTL != 3600 || s.WrapInfo.CreationPath != "sys/replication/dr/primary/secondary-token" {
		t.Fatalf("DR secondary-token: %+v %v", s, err)
	}
	s, err = drSec.Logical().WriteWithContext(ctx, "sys/replication/dr/secondary/enable", map[string]any{"token": s.WrapInfo.Token})
	if err != nil || !slices.Equal(s.Warnings, []string{warnEnableSecondary}) {
		t.Fatalf("enable DR secondary: %v %v", s, err)
	}
	advanceUntil(t, l, 2*time.Minute, "DR secondary streaming", func() bool {
		return drStatus(t, drSec).State == "stream-wals"
	})
	pd, sd := drStatus(t, primary), drStatus(t, drSec)
	if pd.ClusterID != sd.ClusterID || sd.LastRemoteWAL != pd.LastDRWAL || sd.MerkleRoot != pd.MerkleRoot || sd.SecondaryID != "vault-c" {
		t.Errorf("DR not in sync:\nprimary %+v\nsecondary %+v", pd, sd)
	}
	checkPrimaryJSON(t, info(t, l, "vault-a").Addr+"/v1/sys/replication/dr/status", "last_dr_wal")
	checkSecondaryJSON(t, drInfo.Addr+"/v1/sys/replication/dr/status")
	code, body, _ := raw(t, "GET", drInfo.Addr+"/v1/sys/replication/status", "", "")
	if d, _ := body["data"].(map[string]any); code != 200 || !jsonEqual(d["performance"], map[string]any{"mode": "disabled"}) {
		t.Errorf("combined status on a DR secondary: %d %v", code, body)
	}

	// A DR secondary answers nothing outside the allow-list: 400 and the exact text.
	_, err = drSec.Logical().ReadWithContext(ctx, "sys/mounts")
	respErr(t, err, 400, errDRSecondary)
	_, err = client(t, drInfo.Addr, info(t, l, "vault-a").Token).Sys().ListMountsWithContext(ctx)
	respErr(t, err, 400, errDRSecondary)
	if code, _, _ := raw(t, "GET", drInfo.Addr+"/v1/sys/health", "", ""); code != 472 {
		t.Errorf("health of a DR secondary = %d, want 472", code)
	}
	h, err := drSec.Sys().HealthWithContext(ctx)
	if err != nil || h.ReplicationDRMode != "secondary" || h.ReplicationPerformanceMode != "disabled" || !h.Enterprise {
		t.Errorf("Sys().Health of a DR secondary: %+v %v", h, err)
	}

	// Changes on the primary reach the DR secondary: WAL and merkle root follow.
	if err := primary.Sys().EnableAuthWithOptionsWithContext(ctx, "canary", &api.EnableAuthOptions{Type: "approle"}); err != nil {
		t.Fatal(err)
	}
	l.Advance(time.Second)
	pd, sd = drStatus(t, primary), drStatus(t, drSec)
	if sd.LastRemoteWAL != pd.LastDRWAL || sd.MerkleRoot != pd.MerkleRoot {
		t.Errorf("after a write: primary wal %d root %s, secondary wal %d root %s", pd.LastDRWAL, pd.MerkleRoot, sd.LastRemoteWAL, sd.MerkleRoot)
	}

	// Fail over: demote the primary, then promote the DR secondary with a DR
	// operation token generated from the (shared) unseal key.
	s, err = primary.Logical().WriteWithContext(ctx, "sys/replication/dr/primary/demote", nil)
	if err != nil || !slices.Equal(s.Warnings, []string{warnDemote}) {
		t.Fatalf("demote: %v %v", s, err)
	}
	anon := client(t, drInfo.Addr, "")
	init, err := anon.Sys().GenerateDROperationTokenInitWithContext(ctx, "", "")
	if err != nil || !init.Started || init.Required != 1 || init.OTPLength != len(init.OTP) || init.Nonce == "" {
		t.Fatalf("generate-operation-token start: %+v %v", init, err)
	}
	code, body, _ = raw(t, "GET", drInfo.Addr+"/v1/sys/replication/dr/secondary/generate-operation-token/attempt", "", "")
	if code != 200 || body["data"] != nil || body["started"] != true || body["otp"] != "" {
		t.Errorf("attempt status is top-level JSON without the OTP: %d %v", code, body)
	}
	upd, err := anon.Sys().GenerateDROperationTokenUpdateWithContext(ctx, l.UnsealKey(), init.Nonce)
	if err != nil || !upd.Complete || upd.EncodedToken == "" {
		t.Fatalf("generate-operation-token update: %+v %v", upd, err)
	}
	dec, err := anon.Logical().WriteWithContext(ctx, "sys/decode-token", map[string]any{"encoded_token": upd.EncodedToken, "otp": init.OTP})
	if err != nil {
		t.Fatalf("decode-token: %v", err)
	}
	opToken := dec.Data["token"].(string)

	_, err = anon.Logical().WriteWithContext(ctx, "sys/replication/dr/secondary/promote", map[string]any{"dr_operation_token": "hvs.wrong"})
	respErr(t, err, 400, "invalid DR operation token (simulated)")
	s, err = anon.Logical().WriteWithContext(ctx, "sys/replication/dr/secondary/promote", map[string]any{"dr_operation_token": opToken})
	if err != nil || !slices.Equal(s.Warnings, []string{warnPromote}) {
		t.Fatalf("promote: %v %v", s, err)
	}
	l.Advance(3 * time.Second)
	if st := drStatus(t, drSec); st.Mode != "primary" || st.State != "running" || st.ClusterID != pd.ClusterID {
		t.Errorf("promoted DR status: %+v", st)
	}
	// DR replicated the tokens: the old primary's root token works on the new primary,
	// and the replicated auth method is there.
	auths, err := client(t, drInfo.Addr, info(t, l, "vault-a").Token).Sys().ListAuthWithContext(ctx)
	if err != nil || auths["canary/"] == nil {
		t.Errorf("after promotion: %v %v", auths, err)
	}
	// The demoted primary is now a DR secondary with no primary.
	if st := drStatus(t, primary); st.Mode != "secondary" || st.State != "idle" {
		t.Errorf("demoted primary: %+v", st)
	}
	_, err = primary.Sys().ListAuthWithContext(ctx)
	respErr(t, err, 400, errDRSecondary)
}
