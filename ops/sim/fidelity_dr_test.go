package sim

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
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

// TestOperationTokenFlowOnTheWire pins the generate-operation-token and
// generate-root responses (api/sys_generate_root.go decodes them from the
// top level): top-level JSON, otp_length 28 as
// Vault's shared code reports it, the OTP only on a server-generated start,
// encoded_root_token only for root tokens, and the verbatim errors of
// vault/generate_root.go; then sys/decode-token as roottoken.DecodeToken.
func TestOperationTokenFlowOnTheWire(t *testing.T) {
	l := startLab(t, "global")
	dr, p := info(t, l, "us-east-2-dr"), info(t, l, "us-east-1")
	attempt := dr.Addr + "/v1/sys/replication/dr/secondary/generate-operation-token/attempt"
	update := dr.Addr + "/v1/sys/replication/dr/secondary/generate-operation-token/update"
	kinds := map[string]string{"nonce": "string", "started": "bool", "progress": "number", "required": "number",
		"complete": "bool", "encoded_token": "string", "encoded_root_token": "string", "pgp_fingerprint": "string",
		"otp": "string", "otp_length": "number"}

	code, st, _ := raw(t, "GET", attempt, "", "")
	checkKinds(t, "status", st, kinds)
	if code != 200 || len(st) != len(kinds) || st["otp_length"] != json.Number("28") || st["started"] != false {
		t.Errorf("status: %d %v", code, st)
	}
	// A client's own OTP must be 28 characters, is used as given and is not echoed.
	code, hdr, body, _ := do(t, "PUT", attempt, "", `{"otp":"tooshort"}`)
	wantError(t, "short OTP", code, hdr, body, 400, "OTP string is wrong length")
	otp := strings.Repeat("x", 28)
	code, st, _ = raw(t, "PUT", attempt, "", `{"otp":"`+otp+`"}`)
	if code != 200 || st["otp"] != "" || st["started"] != true {
		t.Errorf("start with a client OTP: %d %v", code, st)
	}
	nonce := st["nonce"].(string)
	code, hdr, body, _ = do(t, "PUT", attempt, "", "")
	wantError(t, "second start", code, hdr, body, 400, "root generation already in progress")
	for body, want := range map[string]string{
		`{"nonce":"` + nonce + `"}`:                                          "'key' must be specified in request body as JSON",
		`{"nonce":"` + nonce + `","key":"%%%"}`:                              "'key' must be a valid hex or base64 string",
		`{"nonce":"` + nonce + `","key":"AAAA"}`:                             "invalid key: key is shorter than minimum 16 bytes",
		`{"nonce":"n","key":"` + l.UnsealKey() + `"}`:                        `incorrect nonce supplied; nonce for this root generation operation is "` + nonce + `"`,
		`{"nonce":"` + nonce + `","key":"` + strings.Repeat("00", 32) + `"}`: "root generation aborted: unable to authenticate: the key share does not belong to this cluster's seal (simulated)",
	} {
		code, hdr, b, _ := do(t, "PUT", update, "", body)
		wantError(t, "update "+body, code, hdr, b, 400, want)
	}
	code, st, _ = raw(t, "PUT", update, "", `{"nonce":"`+nonce+`","key":"`+l.UnsealKey()+`"}`)
	// The update's answer leaves otp_length 0, as a real 1.17.6 does.
	if code != 200 || st["complete"] != true || st["encoded_root_token"] != "" || st["progress"] != json.Number("1") || st["otp_length"] != json.Number("0") {
		t.Fatalf("update: %d %v", code, st)
	}
	enc := st["encoded_token"].(string)
	// The attempt is over; a further update finds none.
	code, hdr, body, _ = do(t, "PUT", update, "", `{"nonce":"`+nonce+`","key":"`+l.UnsealKey()+`"}`)
	wantError(t, "update after completion", code, hdr, body, 400, "no root generation in progress")

	// sys/decode-token: the server-side decode, 500 on a decoding error (the
	// handler returns the error without a response object).
	tok := decodeOTP(t, enc, otp)
	code, body2, _ := raw(t, "PUT", dr.Addr+"/v1/sys/decode-token", "", `{"encoded_token":"`+enc+`","otp":"`+otp+`"}`)
	if d, _ := body2["data"].(map[string]any); code != 200 || d["token"] != tok || len(tok) != 28 || !strings.HasPrefix(tok, "hvs.") {
		t.Errorf("decode-token: %d %v (want %q)", code, body2, tok)
	}
	for body, want := range map[string]string{
		`{"encoded_token":"` + enc + `","otp":"short"}`: "error xoring token: length of byte slices is not equivalent: 28 != 5",
		`{"encoded_token":"!!","otp":"` + otp + `"}`:    "error decoding base64'd token: illegal base64 data at input byte 0",
		`{"encoded_token":"AAAA"}`:                      "error xoring token: decoded second base64 value is nil or empty",
		// Without an OTP the pre-1.10 path decodes padded base64.
		`{"encoded_token":"AAA"}`: "error xoring token: error decoding first base64 value: illegal base64 data at input byte 0",
		`{}`:                      "error xoring token: decoded first base64 value is nil or empty",
	} {
		code, hdr, b, _ := do(t, "PUT", dr.Addr+"/v1/sys/decode-token", "", body)
		wantError(t, "decode-token "+body, code, hdr, b, 500, want)
	}

	// generate-root is the standard root-token strategy: it fills
	// encoded_root_token too.
	_, st, _ = raw(t, "PUT", p.Addr+"/v1/sys/generate-root/attempt", "", "")
	genOTP := st["otp"].(string)
	if len(genOTP) != 28 {
		t.Fatalf("generate-root start: %v", st)
	}
	_, st, _ = raw(t, "PUT", p.Addr+"/v1/sys/generate-root/update", "", `{"nonce":"`+st["nonce"].(string)+`","key":"`+l.UnsealKey()+`"}`)
	if st["complete"] != true || st["encoded_root_token"] != st["encoded_token"] {
		t.Fatalf("generate-root update: %v", st)
	}
	root := decodeOTP(t, st["encoded_token"].(string), genOTP)
	if code, _, _ := raw(t, "GET", p.Addr+"/v1/sys/auth", root, ""); code != 200 {
		t.Errorf("the generated root token does not work: %d", code)
	}
}

// vault operator raft list-peers: a token reads sys/storage/raft/configuration
// on an ordinary cluster; on a DR secondary only -dr-token works (an update
// with dr_operation_token, as NewSystemBackend in vault/logical_system.go
// sets up), and a Vault token gets the DR refusal.
func TestRaftConfiguration(t *testing.T) {
	l := startLab(t, "global")
	pri, dr := info(t, l, "us-east-2"), info(t, l, "us-east-2-dr")
	check := func(what string, code int, body map[string]any) {
		t.Helper()
		if code != 200 {
			t.Fatalf("%s: %d %v", what, code, body)
		}
		cfg := body["data"].(map[string]any)["config"].(map[string]any)
		servers := cfg["servers"].([]any)
		if len(servers) != 3 {
			t.Fatalf("%s: servers %v", what, servers)
		}
		for i, s := range servers {
			srv := s.(map[string]any)
			if srv["leader"] != (i == 0) || srv["voter"] != true || srv["protocol_version"] != "3" || srv["node_id"] == "" ||
				strings.Contains(srv["address"].(string), "://") {
				t.Errorf("%s: server %d: %v", what, i, srv)
			}
		}
	}
	code, body, _ := raw(t, "GET", pri.Addr+"/v1/sys/storage/raft/configuration", pri.Token, "")
	check("primary, with a token", code, body)
	if code, body, _ := raw(t, "GET", pri.Addr+"/v1/sys/storage/raft/configuration", "", ""); code != 403 {
		t.Errorf("primary, without a token: %d %v", code, body)
	}
	code, body, _ = raw(t, "GET", dr.Addr+"/v1/sys/storage/raft/configuration", dr.Token, "")
	if code != 400 || !jsonEqual(body, map[string]any{"errors": []string{errDRSecondary}}) {
		t.Errorf("DR secondary, with a Vault token: %d %v", code, body)
	}
	if code, body, _ := raw(t, "PUT", dr.Addr+"/v1/sys/storage/raft/configuration", "", `{"dr_operation_token":"hvs.wrong"}`); code != 400 {
		t.Errorf("DR secondary, with a wrong DR operation token: %d %v", code, body)
	}
	op := drOperationToken(t, l, dr.Addr)
	code, body, _ = raw(t, "PUT", dr.Addr+"/v1/sys/storage/raft/configuration", "", `{"dr_operation_token":"`+op+`"}`)
	check("DR secondary, with a DR operation token", code, body)
}
