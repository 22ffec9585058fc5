package ops_test

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/vaultrepl/vaultrepl/ops"
)

// The paths filters of a perf primary, read through the real client on the
// lab: the one set reads back (mode and paths, as Vault normalises them),
// the others are "none" (404), the write moved the snapshot's counter, and
// a token whose policy does not grant read gets "forbidden", never "none".
func TestReadPathsFiltersOnLab(t *testing.T) {
	lab, clients := startGlobalLab(t)
	ctx := context.Background()
	prim := clients["us-east-2"]
	before, err := prim.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := before.Replication.Performance.KnownSecondaries
	if len(ids) != 2 {
		t.Fatalf("known performance secondaries %v, want 2", ids)
	}
	for _, f := range prim.ReadPathsFilters(ctx, ids) {
		if f.Read != ops.FilterReadNone || f.Err != nil {
			t.Errorf("%s before any write: %v (%v), want none", f.ID, f.Read, f.Err)
		}
	}
	target := ids[0]
	if _, err := prim.SetPathsFilter(ctx, target, ops.PathsFilter{Mode: ops.FilterDeny, Paths: []string{"secret/", "auth/userpass"}}); err != nil {
		t.Fatal(err)
	}
	after, err := prim.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.PathsFilterWrites != before.PathsFilterWrites+1 {
		t.Errorf("PathsFilterWrites %d -> %d, want one more", before.PathsFilterWrites, after.PathsFilterWrites)
	}
	got := prim.ReadPathsFilters(ctx, ids)
	if len(got) != 2 {
		t.Fatalf("%d results for 2 ids", len(got))
	}
	f := got[0]
	if f.ID != target || f.Read != ops.FilterReadSet || !f.ModeKnown || f.Mode != ops.FilterDeny || !f.PathsKnown ||
		!slices.Equal(f.Paths, []string{"secret/", "auth/userpass/"}) || f.Err != nil {
		t.Errorf("%s: %+v, want deny [secret/ auth/userpass/]", target, f)
	}
	if got[1].Read != ops.FilterReadNone {
		t.Errorf("%s: %v, want none", got[1].ID, got[1].Read)
	}

	// A token that may read sys/health only.
	ci := labInfo(t, lab, "us-east-2")
	cfg := api.DefaultConfig()
	cfg.Address = ci.Addr
	root, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	root.SetToken(ci.Token)
	if err := root.Sys().PutPolicyWithContext(ctx, "health-only", `path "sys/health" { capabilities = ["read"] }`); err != nil {
		t.Fatal(err)
	}
	s, err := root.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{NoParent: true, Policies: []string{"health-only"}, TTL: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	weak, err := prim.WithToken(s.Auth.ClientToken)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range weak.ReadPathsFilters(ctx, ids) {
		if f.Read != ops.FilterReadForbidden || ops.ClassOf(f.Err) != ops.ErrPermissionDenied || f.ModeKnown || f.PathsKnown {
			t.Errorf("%s with a health-only token: %+v, want forbidden (unknown)", f.ID, f)
		}
	}
	// The derived client shares the write counter.
	if _, err := weak.DeletePathsFilter(ctx, target); err == nil {
		t.Fatal("a health-only token deleted a filter")
	}
	if snap, _ := prim.Status(ctx); snap.PathsFilterWrites != after.PathsFilterWrites+1 {
		t.Errorf("a write through a derived client was not counted: %d", snap.PathsFilterWrites)
	}
}
