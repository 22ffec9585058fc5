package sim

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// vault token create through the official client: the token store's rules
// for policies, orphans, batch tokens and TTLs.
func TestTokenCreate(t *testing.T) {
	l := startLab(t, "global")
	ctx := context.Background()
	root := rootClient(t, l, "us-east-2")
	// Vault's default policy does not let a token create others.
	policy := `path "sys/health" { capabilities = ["read"] }
path "auth/token/create" { capabilities = ["update"] }`
	if err := root.Sys().PutPolicyWithContext(ctx, "reader", policy); err != nil {
		t.Fatal(err)
	}

	s, err := root.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Policies: []string{"reader"}, TTL: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	a := s.Auth
	if !strings.HasPrefix(a.ClientToken, "hvs.") || len(a.ClientToken) < 90 || a.Accessor == "" || a.LeaseDuration != 3600 ||
		!a.Renewable || a.Orphan || strings.Join(a.Policies, ",") != "default,reader" {
		t.Errorf("service token: %+v", a)
	}
	reader := client(t, info(t, l, "us-east-2").Addr, a.ClientToken)

	// A token without sudo may only hand out its own policies, and no orphans.
	_, err = reader.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Policies: []string{"operator-only"}})
	respErr(t, err, 400, "child policies must be subset of parent")
	_, err = reader.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{NoParent: true})
	respErr(t, err, 400, "root or sudo privileges required to create orphan token")
	// With sudo the subset rule is lifted, but only root makes root.
	if err := root.Sys().PutPolicyWithContext(ctx, "minter", `path "auth/token/create" { capabilities = ["update", "sudo"] }`); err != nil {
		t.Fatal(err)
	}
	m, err := root.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Policies: []string{"minter"}})
	if err != nil {
		t.Fatal(err)
	}
	minter := client(t, info(t, l, "us-east-2").Addr, m.Auth.ClientToken)
	_, err = minter.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Policies: []string{"root"}})
	respErr(t, err, 400, "root tokens may not be created without parent token being root")
	if o, err := minter.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Policies: []string{"reader"}, NoParent: true}); err != nil || !o.Auth.Orphan {
		t.Errorf("orphan from a sudo token: %v %v", o, err)
	}

	b, err := root.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Type: "batch", NoParent: true, Policies: []string{"reader"}})
	if err != nil {
		t.Fatal(err)
	}
	if a := b.Auth; !strings.HasPrefix(a.ClientToken, "hvb.") || a.Accessor != "" || a.Renewable || !a.Orphan ||
		a.LeaseDuration != int((768*time.Hour).Seconds()) {
		t.Errorf("batch token: %+v", a)
	}
	_, err = client(t, info(t, l, "us-east-2").Addr, b.Auth.ClientToken).Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{})
	respErr(t, err, 400, "batch tokens cannot create more tokens")
	_, err = root.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Type: "batch"})
	respErr(t, err, 400, "batch tokens cannot be root tokens")

	self, err := client(t, info(t, l, "us-east-2").Addr, b.Auth.ClientToken).Auth().Token().LookupSelfWithContext(ctx)
	if err != nil || self.Data["type"] != "batch" {
		t.Errorf("lookup-self of a batch token: %v %v", self, err)
	}
}

// A batch DR operation token (PromoteDRSecondaryWithBatchToken in Vault's
// sdk/helper/testcluster/replication.go): created on the primary before
// the disaster with a policy that allows update on promote, it reaches the
// DR secondary through replication and promotes it; a batch token without
// that policy, or a service token, does not.
func TestBatchDROperationToken(t *testing.T) {
	l := startLab(t, "global")
	ctx := context.Background()
	root := rootClient(t, l, "us-east-2")
	if err := root.Sys().PutPolicyWithContext(ctx, "dr-promote", `path "sys/replication/dr/secondary/promote" { capabilities = ["update"] }`); err != nil {
		t.Fatal(err)
	}
	create := func(typ, policy string) string {
		s, err := root.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Type: typ, NoParent: true, Policies: []string{policy}, TTL: "8h"})
		if err != nil {
			t.Fatal(err)
		}
		return s.Auth.ClientToken
	}
	good, service := create("batch", "dr-promote"), create("service", "dr-promote")
	if err := root.Sys().PutPolicyWithContext(ctx, "other", `path "sys/health" { capabilities = ["read"] }`); err != nil {
		t.Fatal(err)
	}
	wrongPolicy := create("batch", "other")
	l.Advance(5 * time.Second) // replication carries the tokens and policies to the DR secondary

	anon := client(t, info(t, l, "us-east-2-dr").Addr, "")
	promote := func(tok string) error {
		_, err := anon.Logical().WriteWithContext(ctx, "sys/replication/dr/secondary/promote", map[string]any{"dr_operation_token": tok})
		return err
	}
	respErr(t, promote(service), 400, "invalid DR operation token (simulated)")
	respErr(t, promote(wrongPolicy), 400, "invalid DR operation token (simulated)")
	if err := promote(good); err != nil {
		t.Fatalf("promote with the batch DR operation token: %v", err)
	}
}
