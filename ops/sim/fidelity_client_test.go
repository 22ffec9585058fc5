package sim

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"testing"

	"github.com/hashicorp/vault/api"
)

// The vault CLI is a thin layer over github.com/hashicorp/vault/api: every
// call here is one a CLI command makes. Each must decode without error and
// carry the values the lab's model holds.

// userpassLogin is the AuthMethod github.com/hashicorp/vault/api/auth/userpass
// implements (a separate module): a write to auth/<mount>/login/<user>.
type userpassLogin struct{ mount, user, pass string }

func (u userpassLogin) Login(ctx context.Context, c *api.Client) (*api.Secret, error) {
	return c.Logical().WriteWithContext(ctx, "auth/"+u.mount+"/login/"+u.user, map[string]any{"password": u.pass})
}

func TestOfficialClientCalls(t *testing.T) {
	l := startLab(t, "global")
	ctx := context.Background()
	p := rootClient(t, l, "us-east-2")
	sec := rootClient(t, l, "us-east-1")

	t.Run("health", func(t *testing.T) {
		h, err := p.Sys().HealthWithContext(ctx)
		if err != nil || !h.Initialized || h.Sealed || h.Standby || h.ReplicationPerformanceMode != "primary" ||
			h.ReplicationDRMode != "primary" || !h.Enterprise || h.ClusterName != "us-east-2" || h.ClusterID == "" ||
			h.LastWAL == 0 || h.Version != defaultVersion || h.ServerTimeUTC != t0.Unix() {
			t.Errorf("Sys().Health: %+v %v", h, err)
		}
	})
	t.Run("replication status", func(t *testing.T) {
		rs, err := p.Sys().ReplicationStatusWithContext(ctx, "/v1/sys/replication/status")
		if err != nil || rs.DR.Mode != "primary" || rs.Performance.Mode != "primary" ||
			!slices.Equal(rs.Performance.KnownSecondaries, []string{"us-east-1", "eu-west-1"}) || len(rs.DR.Secondaries) != 1 {
			t.Errorf("ReplicationStatus: %+v %v", rs, err)
		}
		ps := perfStatus(t, sec)
		if ps.Mode != "secondary" || ps.State != "stream-wals" || ps.SecondaryID != "us-east-1" ||
			len(ps.KnownPrimaryClusterAddrs) != 3 || len(ps.Primaries) != 1 || ps.Primaries[0].ConnectionStatus != "connected" {
			t.Errorf("performance status on a secondary: %+v", ps)
		}
		ds := drStatus(t, rootClient(t, l, "us-east-2-dr"))
		if ds.Mode != "secondary" || ds.SecondaryID != "us-east-2-dr" {
			t.Errorf("DR status on the DR secondary: %+v", ds)
		}
	})
	t.Run("seal status and leader", func(t *testing.T) {
		ss, err := p.Sys().SealStatusWithContext(ctx)
		if err != nil || ss.Sealed || !ss.Initialized || ss.ClusterName != "us-east-2" || ss.Version != defaultVersion {
			t.Errorf("SealStatus: %+v %v", ss, err)
		}
		ld, err := p.Sys().LeaderWithContext(ctx)
		if err != nil || !ld.IsSelf || !ld.HAEnabled || ld.LeaderAddress != info(t, l, "us-east-2").Addr || ld.LastWAL == 0 || ld.ActiveTime.IsZero() {
			t.Errorf("Leader: %+v %v", ld, err)
		}
	})
	t.Run("mounts and auth", func(t *testing.T) {
		mounts, err := p.Sys().ListMountsWithContext(ctx)
		if err != nil || mounts["secret/"] == nil || mounts["secret/"].Type != "kv" || mounts["secret/"].Options["version"] != "2" || mounts["sys/"] == nil {
			t.Errorf("ListMounts: %v %v", mounts, err)
		}
		if err := p.Sys().MountWithContext(ctx, "transit", &api.MountInput{Type: "transit", Description: "t"}); err != nil {
			t.Errorf("Mount: %v", err)
		}
		m, err := p.Sys().GetMountWithContext(ctx, "transit")
		if err != nil || m.Type != "transit" || m.Description != "t" {
			t.Errorf("GetMount: %+v %v", m, err)
		}
		if err := p.Sys().EnableAuthWithOptionsWithContext(ctx, "approle", &api.EnableAuthOptions{Type: "approle", Description: "apps"}); err != nil {
			t.Fatalf("EnableAuthWithOptions: %v", err)
		}
		auths, err := p.Sys().ListAuthWithContext(ctx)
		if err != nil || auths["approle/"] == nil || auths["approle/"].Description != "apps" || auths["userpass/"] == nil {
			t.Errorf("ListAuth: %v %v", auths, err)
		}
		am, err := p.Sys().GetAuthWithContext(ctx, "approle")
		if err != nil || am.Type != "approle" {
			t.Errorf("GetAuth: %+v %v", am, err)
		}
		// Vault gives every auth method a token_type (vault auth list
		// -detailed shows it) and no secrets engine one.
		for path, a := range auths {
			if a.Config.TokenType != "default-service" {
				t.Errorf("auth %s: config.token_type %q, want default-service", path, a.Config.TokenType)
			}
		}
		if m.Config.TokenType != "" {
			t.Errorf("secrets engine transit: config.token_type %q, want none", m.Config.TokenType)
		}
	})
	t.Run("policies", func(t *testing.T) {
		if err := p.Sys().PutPolicyWithContext(ctx, "zeta", `path "sys/health" { capabilities = ["read"] }`); err != nil {
			t.Fatal(err)
		}
		names, err := p.Sys().ListPoliciesWithContext(ctx)
		// Vault lists the stored policies, then appends "root".
		if err != nil || !slices.Equal(names, []string{"default", operatorPolicyName, "zeta", "root"}) {
			t.Errorf("ListPolicies: %q %v", names, err)
		}
		text, err := p.Sys().GetPolicyWithContext(ctx, "zeta")
		if err != nil || text == "" {
			t.Errorf("GetPolicy: %q %v", text, err)
		}
		if text, err := p.Sys().GetPolicyWithContext(ctx, "nope"); err != nil || text != "" {
			t.Errorf("GetPolicy of a missing policy: %q %v", text, err)
		}
		caps, err := p.Sys().CapabilitiesSelfWithContext(ctx, "sys/replication/dr/primary/secondary-token")
		if err != nil || !slices.Equal(caps, []string{"root"}) {
			t.Errorf("CapabilitiesSelf: %q %v", caps, err)
		}
	})
	t.Run("userpass login", func(t *testing.T) {
		user, pass := l.Userpass()
		c := client(t, info(t, l, "eu-west-1").Addr, "")
		s, err := c.Auth().Login(ctx, userpassLogin{"userpass", user, pass})
		if err != nil || s.Auth == nil || c.Token() != s.Auth.ClientToken {
			t.Fatalf("Auth().Login: %+v %v", s, err)
		}
		self, err := c.Auth().Token().LookupSelfWithContext(ctx)
		if err != nil || self.Data["display_name"] != "userpass-operator" {
			t.Errorf("lookup-self: %+v %v", self, err)
		}
		_, err = client(t, info(t, l, "eu-west-1").Addr, "").Auth().Login(ctx, userpassLogin{"userpass", user, "wrong"})
		respErr(t, err, 400, "invalid username or password")
	})
	t.Run("unwrap an activation token", func(t *testing.T) {
		s, err := p.Logical().WriteWithContext(ctx, "sys/replication/performance/primary/secondary-token", map[string]any{"id": "unwrapped"})
		if err != nil || s.WrapInfo == nil {
			t.Fatalf("secondary-token: %v %v", s, err)
		}
		// vault unwrap <token>: the body carries the token, X-Vault-Token the caller's.
		u, err := p.Logical().UnwrapWithContext(ctx, s.WrapInfo.Token)
		if err != nil || u == nil || u.Data == nil {
			t.Fatalf("Unwrap: %+v %v", u, err)
		}
		// Single use: a second unwrap fails as Vault's does.
		_, err = p.Logical().UnwrapWithContext(ctx, s.WrapInfo.Token)
		respErr(t, err, 400, errInvalidWrapping)
	})
	t.Run("DR operation token helpers", func(t *testing.T) {
		dr := client(t, info(t, l, "us-east-2-dr").Addr, "")
		st, err := dr.Sys().GenerateDROperationTokenStatusWithContext(ctx)
		if err != nil || st.Started || st.Required != 1 || st.OTPLength == 0 {
			t.Fatalf("status: %+v %v", st, err)
		}
		init, err := dr.Sys().GenerateDROperationTokenInitWithContext(ctx, "", "")
		if err != nil || !init.Started || len(init.OTP) != st.OTPLength {
			t.Fatalf("init: %+v %v", init, err)
		}
		_, err = dr.Sys().GenerateDROperationTokenInitWithContext(ctx, "", "")
		respErr(t, err, 400, "root generation already in progress")
		_, err = dr.Sys().GenerateDROperationTokenUpdateWithContext(ctx, l.UnsealKey(), "wrong-nonce")
		respErr(t, err, 400, `incorrect nonce supplied; nonce for this root generation operation is "`+init.Nonce+`"`)
		if err := dr.Sys().GenerateDROperationTokenCancelWithContext(ctx); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		_, err = dr.Sys().GenerateDROperationTokenUpdateWithContext(ctx, l.UnsealKey(), init.Nonce)
		respErr(t, err, 400, "no root generation in progress")
		init, err = dr.Sys().GenerateDROperationTokenInitWithContext(ctx, "", "")
		if err != nil {
			t.Fatal(err)
		}
		upd, err := dr.Sys().GenerateDROperationTokenUpdateWithContext(ctx, l.UnsealKey(), init.Nonce)
		if err != nil || !upd.Complete || upd.EncodedToken == "" || upd.EncodedRootToken != "" || upd.Progress != 1 {
			t.Fatalf("update: %+v %v", upd, err)
		}
		// The CLI decodes locally: vault operator generate-root -dr-token -decode=… -otp=…
		tok := decodeOTP(t, upd.EncodedToken, init.OTP)
		s, err := dr.Logical().WriteWithContext(ctx, "sys/replication/dr/secondary/operation-token/delete", map[string]any{"dr_operation_token": tok})
		if err != nil || s != nil {
			t.Errorf("operation-token/delete: %v %v", s, err)
		}
	})
	t.Run("errors are ResponseErrors", func(t *testing.T) {
		_, err := client(t, info(t, l, "us-east-2").Addr, "hvs.bogus").Sys().ListMountsWithContext(ctx)
		var re *api.ResponseError
		if !errors.As(err, &re) || re.StatusCode != 403 || re.HTTPMethod != "GET" {
			t.Errorf("invalid token: %#v", err)
		}
	})
}

// decodeOTP is roottoken.DecodeToken for the OTP flow: base64 (raw, no
// padding), then XOR with the OTP.
func decodeOTP(t *testing.T, encoded, otp string) string {
	t.Helper()
	b, err := base64.RawStdEncoding.DecodeString(encoded)
	if err != nil || len(b) != len(otp) {
		t.Fatalf("encoded token %q does not decode with an OTP of %d characters: %v", encoded, len(otp), err)
	}
	for i := range b {
		b[i] ^= otp[i]
	}
	return string(b)
}
