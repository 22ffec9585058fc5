package sim

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// TestSeedWalkthroughPerformance replays the seed's CLI steps against a fresh
// lab, the way the vault CLI sends them (Logical().Write / Read), and checks
// the documented shapes and JSON types on the way.
func TestSeedWalkthroughPerformance(t *testing.T) {
	l := startLab(t, "fresh")
	ctx := context.Background()
	primary := rootClient(t, l, "vault-a")
	secInfo := info(t, l, "vault-b")
	secondary := client(t, secInfo.Addr, secInfo.Token)

	// vault write -f sys/replication/performance/primary/enable
	s, err := primary.Logical().WriteWithContext(ctx, "sys/replication/performance/primary/enable", nil)
	if err != nil {
		t.Fatalf("enable primary: %v", err)
	}
	if s.Data != nil || !slices.Equal(s.Warnings, []string{warnEnablePrimary}) {
		t.Errorf("enable primary: data %v warnings %q", s.Data, s.Warnings)
	}
	if got := perfStatus(t, primary).Mode; got != "bootstrapping" {
		t.Errorf("mode right after enable = %q, want bootstrapping", got)
	}
	// The brief outage: ordinary requests get 503 for a moment.
	_, err = primary.Sys().ListAuthWithContext(ctx)
	respErr(t, err, 503, errUnavailable)
	l.Advance(3 * time.Second)
	ps := perfStatus(t, primary)
	if ps.Mode != "primary" || ps.State != "running" || ps.ClusterID == "" || len(ps.KnownSecondaries) != 0 {
		t.Fatalf("primary after bootstrap: %+v", ps)
	}

	// vault write sys/replication/performance/primary/secondary-token id=vault-b
	s, err = primary.Logical().WriteWithContext(ctx, "sys/replication/performance/primary/secondary-token", map[string]any{"id": "vault-b"})
	if err != nil {
		t.Fatalf("secondary-token: %v", err)
	}
	if s.WrapInfo == nil || s.Data != nil || s.RequestID != "" {
		t.Fatalf("secondary-token: want a wrapped response, got %+v", s)
	}
	wi := s.WrapInfo
	if wi.TTL != 1800 || wi.CreationPath != "sys/replication/performance/primary/secondary-token" || wi.Accessor == "" {
		t.Errorf("wrap_info = %+v", wi)
	}
	claims, err := parseJWT(wi.Token)
	if err != nil {
		t.Fatalf("activation token is not a JWT: %v", err)
	}
	if claims.Type != "wrapping" || claims.Accessor != "" || claims.Addr != info(t, l, "vault-a").Addr ||
		claims.Exp-claims.Iat != 1800 || claims.Iat-claims.Nbf != 5 || claims.JTI == "" {
		t.Errorf("claims = %+v", claims)
	}
	if got := perfStatus(t, primary).KnownSecondaries; !slices.Equal(got, []string{"vault-b"}) {
		t.Errorf("known_secondaries at token time = %q", got)
	}

	// vault write sys/replication/performance/secondary/enable token=…
	s, err = secondary.Logical().WriteWithContext(ctx, "sys/replication/performance/secondary/enable", map[string]any{"token": wi.Token})
	if err != nil {
		t.Fatalf("enable secondary: %v", err)
	}
	if !slices.Equal(s.Warnings, []string{warnEnableSecondary}) {
		t.Errorf("enable secondary warnings = %q", s.Warnings)
	}

	// Watch it go through the documented states to stream-wals.
	seen := map[string]bool{}
	advanceUntil(t, l, 2*time.Minute, "secondary streaming", func() bool {
		st := perfStatus(t, secondary)
		seen[st.Mode+"/"+st.State] = true
		return st.Mode == "secondary" && st.State == "stream-wals"
	})
	for _, want := range []string{"bootstrapping/", "secondary/merkle-diff", "secondary/merkle-sync"} {
		if !seen[want] {
			t.Errorf("never saw mode/state %s (saw %v)", want, seen)
		}
	}

	// vault read sys/replication/status, …/performance/status, …/dr/status
	pst, sst := perfStatus(t, primary), perfStatus(t, secondary)
	if pst.ClusterID != sst.ClusterID {
		t.Errorf("cluster_id differs: primary %s secondary %s", pst.ClusterID, sst.ClusterID)
	}
	if sst.SecondaryID != "vault-b" || sst.LastRemoteWAL != pst.LastPerformanceWAL || sst.MerkleRoot != pst.MerkleRoot {
		t.Errorf("secondary not in sync: primary %+v\nsecondary %+v", pst, sst)
	}
	if len(pst.Secondaries) != 1 || pst.Secondaries[0].NodeID != "vault-b" || pst.Secondaries[0].ConnectionStatus != "connected" ||
		pst.Secondaries[0].APIAddr != secInfo.Addr {
		t.Errorf("primary's secondaries = %+v", pst.Secondaries)
	}
	if len(sst.Primaries) != 1 || sst.Primaries[0].APIAddr != info(t, l, "vault-a").Addr || sst.Primaries[0].ConnectionStatus != "connected" {
		t.Errorf("secondary's primaries = %+v", sst.Primaries)
	}
	rs, err := secondary.Sys().ReplicationStatus()
	if err != nil || rs.Performance.Mode != "secondary" || rs.DR.Mode != "disabled" {
		t.Errorf("combined status on the secondary: %+v, %v", rs, err)
	}
	checkPrimaryJSON(t, info(t, l, "vault-a").Addr+"/v1/sys/replication/performance/status", "last_performance_wal")
	// The combined endpoint nests the same objects; the unused type is exactly {"mode":"disabled"}.
	code, combined, _ := raw(t, "GET", info(t, l, "vault-a").Addr+"/v1/sys/replication/status", "", "")
	cd := checkEnvelope(t, combined)
	if code != 200 || !jsonEqual(cd["dr"], map[string]any{"mode": "disabled"}) {
		t.Errorf("combined status: %d %v", code, combined)
	}
	checkPrimaryObject(t, cd["performance"].(map[string]any), "last_performance_wal")
	checkSecondaryJSON(t, secInfo.Addr+"/v1/sys/replication/performance/status")
	code, body, _ := raw(t, "GET", secInfo.Addr+"/v1/sys/replication/dr/status", "", "")
	if code != 200 || !jsonEqual(body["data"], map[string]any{"mode": "disabled"}) {
		t.Errorf("dr/status on a perf secondary: %d %v", code, body)
	}
	// The CLI's read path returns the raw map, fields the typed helper drops.
	sec, err := secondary.Logical().ReadWithContext(ctx, "sys/replication/performance/status")
	if err != nil || sec.Data["connection_state"] != "ready" || sec.Data["corrupted_merkle_tree"] != false {
		t.Errorf("Logical().Read performance status: %v %v", sec, err)
	}

	// Tokens are local: the secondary's old root token is gone…
	_, err = secondary.Sys().ListAuthWithContext(ctx)
	respErr(t, err, 403, multiError("permission denied", "invalid token"))
	// …and the operator logs in through the replicated userpass method.
	user, pass := l.Userpass()
	anon := client(t, secInfo.Addr, "")
	login, err := anon.Logical().WriteWithContext(ctx, "auth/userpass/login/"+user, map[string]any{"password": pass})
	if err != nil {
		t.Fatalf("userpass login on the secondary: %v", err)
	}
	if login.Auth == nil || login.Auth.ClientToken == "" || !slices.Equal(login.Auth.Policies, []string{"default", operatorPolicyName}) ||
		login.Auth.LeaseDuration != 2764800 || !login.Auth.Renewable || login.Auth.Metadata["username"] != "operator" {
		t.Fatalf("login auth = %+v", login.Auth)
	}
	opSecondary := client(t, secInfo.Addr, login.Auth.ClientToken)
	// The secondary's token does not work on the primary: tokens are local.
	_, err = client(t, info(t, l, "vault-a").Addr, login.Auth.ClientToken).Sys().ListAuthWithContext(ctx)
	respErr(t, err, 403, multiError("permission denied", "invalid token"))

	// Verify: a new auth method enabled on the primary appears on the secondary.
	if err := primary.Sys().EnableAuthWithOptionsWithContext(ctx, "canary", &api.EnableAuthOptions{Type: "approle"}); err != nil {
		t.Fatalf("enable auth on the primary: %v", err)
	}
	walBefore := sst.LastRemoteWAL
	advanceUntil(t, l, 10*time.Second, "canary/ on the secondary", func() bool {
		auths, err := opSecondary.Sys().ListAuthWithContext(ctx)
		if err != nil {
			t.Fatalf("list auth on the secondary: %v", err)
		}
		return auths["canary/"] != nil && auths["canary/"].Type == "approle"
	})
	if got := perfStatus(t, secondary).LastRemoteWAL; got <= walBefore {
		t.Errorf("last_remote_wal did not move with the write: %d → %d", walBefore, got)
	}
	// A write on the secondary is forwarded to the primary and comes back.
	if err := opSecondary.Sys().DisableAuthWithContext(ctx, "canary"); err != nil {
		t.Fatalf("disable auth via the secondary: %v", err)
	}
	if auths, _ := primary.Sys().ListAuthWithContext(ctx); auths["canary/"] != nil {
		t.Errorf("forwarded disable did not reach the primary")
	}
	advanceUntil(t, l, 10*time.Second, "canary/ gone from the secondary", func() bool {
		auths, _ := opSecondary.Sys().ListAuthWithContext(ctx)
		return auths["canary/"] == nil
	})
	// Capabilities the wizard's pre-flight checks.
	caps, err := opSecondary.Sys().CapabilitiesSelfWithContext(ctx, "sys/replication/performance/primary/secondary-token")
	if err != nil || !slices.Equal(caps, []string{"create", "delete", "list", "read", "sudo", "update"}) {
		t.Errorf("operator capabilities = %q, %v", caps, err)
	}
	caps, err = primary.Sys().CapabilitiesSelfWithContext(ctx, "sys/replication/performance/primary/enable")
	if err != nil || !slices.Equal(caps, []string{"root"}) {
		t.Errorf("root capabilities = %q, %v", caps, err)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

var (
	hexSHA1 = regexp.MustCompile(`^[0-9a-f]{40}$`)
	uuidRE  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$`)
	intStr  = regexp.MustCompile(`^-?\d+$`)
)

// kinds maps each field to the JSON kind it must have: "number", "string",
// "bool", "array", "object".
func checkKinds(t *testing.T, where string, obj map[string]any, kinds map[string]string) {
	t.Helper()
	for k, want := range kinds {
		v, ok := obj[k]
		if !ok {
			t.Errorf("%s: field %q missing", where, k)
			continue
		}
		got := "?"
		switch v.(type) {
		case json.Number:
			got = "number"
		case string:
			got = "string"
		case bool:
			got = "bool"
		case []any:
			got = "array"
		case map[string]any:
			got = "object"
		}
		if got != want {
			t.Errorf("%s: %q is %s (%v), want %s", where, k, got, v, want)
		}
	}
}

func checkEnvelope(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	checkKinds(t, "envelope", body, map[string]string{"request_id": "string", "lease_id": "string", "renewable": "bool",
		"lease_duration": "number", "data": "object", "mount_type": "string"})
	for _, k := range []string{"wrap_info", "warnings", "auth"} {
		if v, ok := body[k]; !ok || v != nil {
			t.Errorf("envelope: %q = %v, want null", k, v)
		}
	}
	// Every caller reads an unauthenticated status path: mount_type "".
	if !uuidRE.MatchString(body["request_id"].(string)) || body["mount_type"] != "" {
		t.Errorf("envelope: request_id %v mount_type %v", body["request_id"], body["mount_type"])
	}
	return body["data"].(map[string]any)
}

func checkPrimaryJSON(t *testing.T, url, walField string) map[string]any {
	t.Helper()
	code, body, hdr := raw(t, "GET", url, "", "")
	if code != 200 || hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("GET %s: %d %s", url, code, hdr.Get("Content-Type"))
	}
	return checkPrimaryObject(t, checkEnvelope(t, body), walField)
}

func checkPrimaryObject(t *testing.T, d map[string]any, walField string) map[string]any {
	t.Helper()
	checkKinds(t, "primary", d, map[string]string{
		"cluster_id": "string", "corrupted_merkle_tree": "bool", "known_secondaries": "array",
		"last_corruption_check_epoch": "string", walField: "number", "last_reindex_epoch": "string",
		"last_wal": "number", "merkle_root": "string", "mode": "string", "primary_cluster_addr": "string",
		"secondaries": "array", "ssct_generation_counter": "number", "state": "string",
	})
	if d["last_corruption_check_epoch"] != "-62135596800" || d["last_reindex_epoch"] != "0" ||
		!hexSHA1.MatchString(d["merkle_root"].(string)) || !uuidRE.MatchString(d["cluster_id"].(string)) {
		t.Errorf("primary values: %v", d)
	}
	for _, p := range d["secondaries"].([]any) {
		checkPeer(t, "secondaries[]", p.(map[string]any), true)
	}
	return d
}

func checkSecondaryJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	code, body, _ := raw(t, "GET", url, "", "")
	if code != 200 {
		t.Fatalf("GET %s: %d", url, code)
	}
	d := checkEnvelope(t, body)
	checkKinds(t, "secondary", d, map[string]string{
		"cluster_id": "string", "connection_state": "string", "corrupted_merkle_tree": "bool",
		"known_primary_cluster_addrs": "array", "last_corruption_check_epoch": "string", "last_reindex_epoch": "string",
		"last_remote_wal": "number", "last_start": "string", "merkle_root": "string", "mode": "string",
		"primaries": "array", "primary_cluster_addr": "string", "secondary_id": "string",
		"ssct_generation_counter": "number", "state": "string",
	})
	if !rfc3339.MatchString(d["last_start"].(string)) || len(d["known_primary_cluster_addrs"].([]any)) == 0 {
		t.Errorf("secondary values: %v", d)
	}
	for _, p := range d["primaries"].([]any) {
		checkPeer(t, "primaries[]", p.(map[string]any), false)
	}
	return d
}

func checkPeer(t *testing.T, where string, p map[string]any, withNode bool) {
	t.Helper()
	kinds := map[string]string{"api_address": "string", "cluster_address": "string", "connection_status": "string",
		"last_heartbeat": "string", "last_heartbeat_duration_ms": "string", "clock_skew_ms": "string",
		"replication_primary_canary_age_ms": "string"}
	if withNode {
		kinds["node_id"] = "string"
	}
	checkKinds(t, where, p, kinds)
	if s, _ := p["last_heartbeat"].(string); !rfc3339.MatchString(s) {
		t.Errorf("%s: last_heartbeat %q is not RFC 3339 with an offset", where, s)
	}
	for _, k := range []string{"last_heartbeat_duration_ms", "clock_skew_ms", "replication_primary_canary_age_ms"} {
		if s, _ := p[k].(string); !intStr.MatchString(s) {
			t.Errorf("%s: %s = %q, want a decimal string", where, k, s)
		}
	}
}
