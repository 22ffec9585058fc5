package ops_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
)

// advanceUntil moves the lab's clock a second at a time until cond holds,
// and fails when limit of simulated time has passed first.
func advanceUntil(t *testing.T, lab *sim.Lab, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for waited := time.Duration(0); ; waited += time.Second {
		if cond() {
			return
		}
		if waited >= limit {
			t.Fatalf("after %v of simulated time: %s never happened", limit, what)
		}
		lab.Advance(time.Second)
	}
}

func replicationOf(t *testing.T, c *ops.Client, typ ops.ReplicationType) (ops.TypeStatus, bool) {
	t.Helper()
	snap, err := c.Status(context.Background())
	if err != nil || snap.Replication == nil {
		return ops.TypeStatus{}, false
	}
	return snap.Replication.Of(typ), true
}

func labInfo(t *testing.T, lab *sim.Lab, name string) sim.ClusterInfo {
	t.Helper()
	for _, ci := range lab.Clusters() {
		if ci.Name == name {
			return ci
		}
	}
	t.Fatalf("no cluster %s", name)
	return sim.ClusterInfo{}
}

func readOnly(t *testing.T, lab *sim.Lab, name string) *ops.Client {
	t.Helper()
	ci := labInfo(t, lab, name)
	c, err := ops.NewClient(ops.ClusterConfig{Name: ci.Name, Address: ci.Addr, Token: ops.TokenSource{Inline: ci.Token}, ReadOnly: true},
		ops.ClientOptions{Timeout: 10 * time.Second, MaxBodyBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// drOperationToken runs the whole key-share flow on a DR secondary.
func drOperationToken(t *testing.T, lab *sim.Lab, c *ops.Client) string {
	t.Helper()
	ctx := context.Background()
	start, err := c.StartDROperationToken(ctx)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	done, err := c.UpdateDROperationToken(ctx, start.Nonce, lab.UnsealKey())
	if err != nil || !done.Complete {
		t.Fatalf("update: %+v %v", done, err)
	}
	tok, err := ops.DecodeOperationToken(done.EncodedToken, start.OTP)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return tok
}

func TestDROperationTokenFlowOnLab(t *testing.T) {
	lab, clients := startGlobalLab(t)
	ctx := context.Background()
	dr := clients["us-east-2-dr"]

	idle, err := dr.DROperationTokenStatus(ctx)
	if err != nil || idle.Started || idle.Nonce != "" {
		t.Fatalf("before any attempt: %+v %v", idle, err)
	}
	start, err := dr.StartDROperationToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !start.Started || start.Nonce == "" || len(start.OTP) != start.OTPLength || start.OTPLength == 0 ||
		!start.HasProgress || start.Progress != 0 || start.Required != 1 || start.Complete {
		t.Fatalf("started: %+v", start)
	}
	// The OTP is returned once: the status does not repeat it.
	st, err := dr.DROperationTokenStatus(ctx)
	if err != nil || !st.Started || st.Nonce != start.Nonce || st.OTP != "" {
		t.Fatalf("status during the attempt: %+v %v", st, err)
	}
	if _, err := dr.StartDROperationToken(ctx); ops.ClassOf(err) != ops.ErrBadRequest {
		t.Errorf("a second start while one is in progress: %v", err)
	}

	// A share of another seal is refused, and never echoed.
	wrong := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0"))
	_, err = dr.UpdateDROperationToken(ctx, start.Nonce, wrong)
	if ops.ClassOf(err) != ops.ErrBadRequest || strings.Contains(err.Error(), wrong) {
		t.Errorf("wrong key share: %v", err)
	}
	_, err = dr.UpdateDROperationToken(ctx, "not-the-nonce", lab.UnsealKey())
	if ops.ClassOf(err) != ops.ErrBadRequest || strings.Contains(err.Error(), lab.UnsealKey()) {
		t.Errorf("wrong nonce: %v", err)
	}

	done, err := dr.UpdateDROperationToken(ctx, start.Nonce, lab.UnsealKey())
	if err != nil || !done.Complete || done.EncodedToken == "" || done.Progress != done.Required {
		t.Fatalf("last share: %+v %v", done, err)
	}
	tok, err := ops.DecodeOperationToken(done.EncodedToken, start.OTP)
	if err != nil || len(tok) != len(start.OTP) {
		t.Fatalf("decode: %q %v", tok, err)
	}
	// The decoded token is what the server minted: it authorises a DR write
	// (revoking it is one, and leaves the cluster as it was).
	if _, err := dr.RevokeDROperationToken(ctx, tok); err != nil {
		t.Fatalf("revoke the decoded token: %v", err)
	}
	_, err = dr.Promote(ctx, ops.DR, ops.PromoteRequest{DROperationToken: tok})
	if ops.ClassOf(err) != ops.ErrBadRequest || strings.Contains(err.Error(), tok) {
		t.Errorf("promote with a revoked operation token: %v", err)
	}

	// Cancel deletes the attempt.
	if _, err := dr.StartDROperationToken(ctx); err != nil {
		t.Fatal(err)
	}
	if err := dr.CancelDROperationToken(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := dr.DROperationTokenStatus(ctx); err != nil || st.Started {
		t.Errorf("after cancel: %+v %v", st, err)
	}

	// Not a DR secondary: the flow is refused by the server.
	if _, err := clients["us-east-1"].StartDROperationToken(ctx); ops.ClassOf(err) != ops.ErrBadRequest {
		t.Errorf("start on a performance secondary: %v", err)
	}
	// Read-only: refused before anything is sent; the status is a read.
	ro := readOnly(t, lab, "us-east-2-dr")
	if _, err := ro.StartDROperationToken(ctx); ops.ClassOf(err) != ops.ErrReadOnly {
		t.Errorf("read-only start: %v", err)
	}
	if err := ro.CancelDROperationToken(ctx); ops.ClassOf(err) != ops.ErrReadOnly {
		t.Errorf("read-only cancel: %v", err)
	}
	if _, err := ro.UpdateDROperationToken(ctx, "n", lab.UnsealKey()); ops.ClassOf(err) != ops.ErrReadOnly {
		t.Errorf("read-only update: %v", err)
	}
	if _, err := ro.DROperationTokenStatus(ctx); err != nil {
		t.Errorf("read-only status: %v", err)
	}
}

func TestDecodeOperationToken(t *testing.T) {
	otp := "ABCDEFGHIJKLMNOPQRSTUVWXYZ01"
	token := "hvs.abcdefghijklmnopqrstuvwx"
	b := []byte(token)
	for i := range b {
		b[i] ^= otp[i]
	}
	enc := base64.RawStdEncoding.EncodeToString(b)
	if got, err := ops.DecodeOperationToken(enc, otp); err != nil || got != token {
		t.Errorf("decode: %q %v", got, err)
	}
	// Padded input (a copy from a tool that pads) decodes the same.
	if got, err := ops.DecodeOperationToken(base64.StdEncoding.EncodeToString(b), otp); err != nil || got != token {
		t.Errorf("padded: %q %v", got, err)
	}
	for name, in := range map[string][2]string{
		"no OTP":       {enc, ""},
		"other length": {enc, otp[:24]},
		"not base64":   {"!!!" + enc, otp},
	} {
		_, err := ops.DecodeOperationToken(in[0], in[1])
		if ops.ClassOf(err) != ops.ErrBadRequest {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if (in[1] != "" && strings.Contains(err.Error(), in[1])) || strings.Contains(err.Error(), enc) {
			t.Errorf("%s: the error repeats a secret: %v", name, err)
		}
	}
}

func TestLooksLikeBatchToken(t *testing.T) {
	for tok, want := range map[string]bool{
		"hvb.AAAAAQJx": true, "b.AAAAAQJxxxxxxxxxxxxxxxxxxxxxxxx": true,
		"hvs.CAESIJ": false, "b.short": false, "": false,
	} {
		if got := ops.LooksLikeBatchToken(tok); got != want {
			t.Errorf("%q: %v", tok, got)
		}
	}
	cmds := ops.BatchDROperationTokenCommands("dr-operation", "8h")
	if len(cmds) != 2 || !strings.Contains(cmds[1], "-type=batch") || !strings.Contains(cmds[1], "-policy=dr-operation") {
		t.Errorf("commands: %q", cmds)
	}
}

// A batch DR operation token made on the primary before the disaster
// replicates to the DR secondary and promotes it: no key holders needed.
func TestBatchDROperationTokenPromotes(t *testing.T) {
	lab, clients := startGlobalLab(t)
	ctx := context.Background()
	p := labInfo(t, lab, "us-east-2")
	root, err := api.NewClient(&api.Config{Address: p.Addr})
	if err != nil {
		t.Fatal(err)
	}
	root.SetToken(p.Token)
	if err := root.Sys().PutPolicy("dr-operation", ops.BatchDROperationTokenPolicy); err != nil {
		t.Fatal(err)
	}
	sec, err := root.Auth().Token().CreateOrphan(&api.TokenCreateRequest{Type: "batch", Policies: []string{"dr-operation"}, TTL: "8h"})
	if err != nil {
		t.Fatal(err)
	}
	batch := sec.Auth.ClientToken
	if !ops.LooksLikeBatchToken(batch) {
		t.Errorf("the lab's batch token %q does not look like one", batch[:4])
	}
	lab.Advance(3 * time.Second) // DR replication carries the token over
	if err := lab.Stop("us-east-2"); err != nil {
		t.Fatal(err)
	}
	dr := clients["us-east-2-dr"]
	if _, err := dr.Promote(ctx, ops.DR, ops.PromoteRequest{DROperationToken: batch}); err != nil {
		t.Fatalf("promote with the batch token: %v", err)
	}
	advanceUntil(t, lab, time.Minute, "the DR secondary became primary", func() bool {
		ts, ok := replicationOf(t, dr, ops.DR)
		return ok && ts.Mode == ops.ModePrimary
	})
}

func TestPathsFilterOnLab(t *testing.T) {
	lab, clients := startGlobalLab(t)
	ctx := context.Background()
	p := clients["us-east-2"]
	if _, found, err := p.PathsFilter(ctx, "us-east-1"); err != nil || found {
		t.Fatalf("before: found=%v %v", found, err)
	}
	if _, err := p.SetPathsFilter(ctx, "us-east-1", ops.PathsFilter{Mode: ops.FilterDeny, Paths: []string{"secret/", " "}}); err != nil {
		t.Fatal(err)
	}
	f, found, err := p.PathsFilter(ctx, "us-east-1")
	if err != nil || !found || f.Mode != ops.FilterDeny || !slices.Equal(f.Paths, []string{"secret/"}) {
		t.Fatalf("after set: %+v %v %v", f, found, err)
	}
	// A mount that does not exist is refused by the server (1.15+).
	if _, err := p.SetPathsFilter(ctx, "us-east-1", ops.PathsFilter{Mode: ops.FilterAllow, Paths: []string{"nowhere/"}}); ops.ClassOf(err) != ops.ErrBadRequest {
		t.Errorf("missing mount: %v", err)
	}
	if _, err := p.DeletePathsFilter(ctx, "us-east-1"); err != nil {
		t.Fatal(err)
	}
	if _, found, err := p.PathsFilter(ctx, "us-east-1"); err != nil || found {
		t.Errorf("after delete: found=%v %v", found, err)
	}
	// Refused locally: no mode, no paths, an id that leaves the path.
	for name, call := range map[string]func() error{
		"no mode": func() error {
			_, err := p.SetPathsFilter(ctx, "us-east-1", ops.PathsFilter{Paths: []string{"secret/"}})
			return err
		},
		"no paths": func() error {
			_, err := p.SetPathsFilter(ctx, "us-east-1", ops.PathsFilter{Mode: ops.FilterAllow})
			return err
		},
		"slash id": func() error { _, _, err := p.PathsFilter(ctx, "../x"); return err },
		"empty id": func() error { _, err := p.DeletePathsFilter(ctx, ""); return err },
		"query id": func() error {
			_, err := p.SetPathsFilter(ctx, "a?b", ops.PathsFilter{Mode: ops.FilterAllow, Paths: []string{"x/"}})
			return err
		},
		"percentid": func() error { _, err := p.DeletePathsFilter(ctx, "a%2Fb"); return err },
	} {
		if err := call(); ops.ClassOf(err) != ops.ErrBadRequest || !strings.Contains(err.Error(), "nothing was sent") {
			t.Errorf("%s: %v", name, err)
		}
	}
	ro := readOnly(t, lab, "us-east-2")
	if _, err := ro.SetPathsFilter(ctx, "us-east-1", ops.PathsFilter{Mode: ops.FilterAllow, Paths: []string{"secret/"}}); ops.ClassOf(err) != ops.ErrReadOnly {
		t.Errorf("read-only set: %v", err)
	}
	if _, err := ro.DeletePathsFilter(ctx, "us-east-1"); ops.ClassOf(err) != ops.ErrReadOnly {
		t.Errorf("read-only delete: %v", err)
	}
	if _, _, err := ro.PathsFilter(ctx, "us-east-1"); err != nil {
		t.Errorf("read-only read: %v", err)
	}
	// Only a performance primary keeps filters.
	if _, _, err := clients["us-east-1"].PathsFilter(ctx, "x"); ops.ClassOf(err) != ops.ErrBadRequest {
		t.Errorf("on a secondary: %v", err)
	}
}

func TestFilterModeParse(t *testing.T) {
	for _, m := range []ops.FilterMode{ops.FilterAllow, ops.FilterDeny} {
		if ops.ParseFilterMode(m.String()) != m {
			t.Errorf("%v", m)
		}
	}
	if ops.ParseFilterMode("whitelist") != ops.FilterUnknown || ops.FilterUnknown.String() != "unknown" {
		t.Error("a legacy mount-filter mode is unknown")
	}
}

// Revoking a token that was never used removes its id from
// known_secondaries.
func TestRevokeSecondaryOnLab(t *testing.T) {
	_, clients := startGlobalLab(t)
	ctx := context.Background()
	p := clients["us-east-2"]
	if _, err := p.SecondaryToken(ctx, ops.Performance, ops.SecondaryTokenRequest{ID: "never-used"}); err != nil {
		t.Fatal(err)
	}
	ts, _ := replicationOf(t, p, ops.Performance)
	if !slices.Contains(ts.KnownSecondaries, "never-used") {
		t.Fatalf("known: %v", ts.KnownSecondaries)
	}
	if _, err := p.RevokeSecondary(ctx, ops.Performance, "never-used"); err != nil {
		t.Fatal(err)
	}
	ts, _ = replicationOf(t, p, ops.Performance)
	if slices.Contains(ts.KnownSecondaries, "never-used") || !slices.Contains(ts.KnownSecondaries, "us-east-1") {
		t.Errorf("after revoke: %v", ts.KnownSecondaries)
	}
	if _, err := p.RevokeSecondary(ctx, ops.Performance, "never-used"); ops.ClassOf(err) != ops.ErrBadRequest {
		t.Errorf("revoke twice: %v", err)
	}
}

// Performance promote and demote, and disable on each side.
func TestPerformanceLifecycleOnLab(t *testing.T) {
	lab, clients := startGlobalLab(t)
	ctx := context.Background()
	if _, err := clients["us-east-2"].DemotePrimary(ctx, ops.Performance); err != nil {
		t.Fatal(err)
	}
	res, err := clients["us-east-1"].Promote(ctx, ops.Performance, ops.PromoteRequest{PrimaryClusterAddr: "https://lb.us-east-1:8201"})
	if err != nil || len(res.Warnings) == 0 {
		t.Fatalf("promote: %v %v", res, err)
	}
	advanceUntil(t, lab, time.Minute, "roles swapped", func() bool {
		a, ok1 := replicationOf(t, clients["us-east-2"], ops.Performance)
		b, ok2 := replicationOf(t, clients["us-east-1"], ops.Performance)
		if !ok1 || !ok2 || a.Mode != ops.ModeSecondary || b.Mode != ops.ModePrimary || b.PrimaryClusterAddr != "https://lb.us-east-1:8201" {
			return false
		}
		// Both role changes' brief outages are over.
		_, err1 := clients["us-east-1"].ListAuth(ctx)
		_, err2 := clients["eu-west-1"].ListAuth(ctx)
		return err1 == nil && err2 == nil
	})
	if _, err := clients["eu-west-1"].DisableSecondary(ctx, ops.Performance, ops.DRTokenRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := clients["us-east-1"].DisablePrimary(ctx, ops.Performance); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, lab, time.Minute, "performance replication off", func() bool {
		a, ok1 := replicationOf(t, clients["eu-west-1"], ops.Performance)
		b, ok2 := replicationOf(t, clients["us-east-1"], ops.Performance)
		return ok1 && ok2 && a.Mode == ops.ModeDisabled && b.Mode == ops.ModeDisabled
	})
}

// Disabling a DR secondary needs a DR operation token.
func TestDisableDRSecondaryOnLab(t *testing.T) {
	lab, clients := startGlobalLab(t)
	ctx := context.Background()
	dr := clients["us-east-2-dr"]
	if _, err := dr.DisableSecondary(ctx, ops.DR, ops.DRTokenRequest{}); ops.ClassOf(err) != ops.ErrBadRequest {
		t.Errorf("without a token: %v", err)
	}
	tok := drOperationToken(t, lab, dr)
	if _, err := dr.DisableSecondary(ctx, ops.DR, ops.DRTokenRequest{DROperationToken: tok}); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, lab, time.Minute, "DR disabled", func() bool {
		ts, ok := replicationOf(t, dr, ops.DR)
		return ok && ts.Mode == ops.ModeDisabled
	})
}

func TestLeaderOnLab(t *testing.T) {
	_, clients := startGlobalLab(t)
	for _, name := range []string{"us-east-2", "us-east-2-dr"} {
		l, err := clients[name].Leader(context.Background())
		if err != nil || !l.IsSelf || !strings.HasPrefix(l.LeaderClusterAddress, "https://"+name+"-node-") || l.LeaderAddress == "" {
			t.Errorf("%s: %+v %v", name, l, err)
		}
	}
}

func TestUpdatePrimaryAddrsAllowed(t *testing.T) {
	sec := ops.TypeStatus{Type: ops.Performance, Mode: ops.ModeSecondary, ClusterID: "set-1", SecondaryID: "us-east-1"}
	prim := ops.TypeStatus{Type: ops.Performance, Mode: ops.ModePrimary, ClusterID: "set-1"}
	if ok, why := ops.UpdatePrimaryAddrsAllowed(sec, prim); !ok {
		t.Errorf("same set: %s", why)
	}
	demoted := sec
	demoted.SecondaryID = ""
	other := prim
	other.ClusterID = "set-2"
	unknown := prim
	unknown.ClusterID = ""
	drPrim := prim
	drPrim.Type = ops.DR
	for name, c := range map[string][2]ops.TypeStatus{
		"demoted primary": {demoted, prim}, "other set": {sec, other}, "unknown set": {sec, unknown},
		"other type": {sec, drPrim}, "not a secondary": {prim, prim}, "not a primary": {sec, sec},
	} {
		if ok, why := ops.UpdatePrimaryAddrsAllowed(c[0], c[1]); ok || why == "" {
			t.Errorf("%s: allowed", name)
		}
	}
}

// TestDisasterFailoverOnGlobal is the disaster of the global topology at
// the ops level: the primary us-east-2 is lost; its DR secondary is
// promoted with a DR operation token generated from the key share; the new
// primary issues new activation tokens to the performance secondaries,
// which follow it with update-primary and stream again.
func TestDisasterFailoverOnGlobal(t *testing.T) {
	lab, clients := startGlobalLab(t)
	ctx := context.Background()
	if err := lab.Stop("us-east-2"); err != nil {
		t.Fatal(err)
	}
	lab.Advance(5 * time.Second)
	if _, err := clients["us-east-2"].Status(ctx); ops.ClassOf(err) != ops.ErrUnreachable {
		t.Fatalf("the stopped primary: %v", err)
	}
	dr := clients["us-east-2-dr"]
	tok := drOperationToken(t, lab, dr)
	if _, err := dr.Promote(ctx, ops.DR, ops.PromoteRequest{DROperationToken: tok}); err != nil {
		t.Fatalf("promote: %v", err)
	}
	var perfPrimary ops.TypeStatus
	advanceUntil(t, lab, time.Minute, "us-east-2-dr primary of both types", func() bool {
		snap, err := dr.Status(ctx)
		if err != nil || snap.Replication == nil {
			return false
		}
		perfPrimary = snap.Replication.Performance
		if snap.Replication.DR.Mode != ops.ModePrimary || perfPrimary.Mode != ops.ModePrimary {
			return false
		}
		// The role change's brief outage is over when a token is served again.
		_, err = dr.Capabilities(ctx, "sys/replication/performance/primary/secondary-token")
		return err == nil
	})
	// It took over the performance set: its ids are the old primary's.
	if !slices.Contains(perfPrimary.KnownSecondaries, "us-east-1") || !slices.Contains(perfPrimary.KnownSecondaries, "eu-west-1") {
		t.Fatalf("inherited known secondaries: %v", perfPrimary.KnownSecondaries)
	}
	drAddr := labInfo(t, lab, "us-east-2-dr").Addr
	for _, name := range []string{"us-east-1", "eu-west-1"} {
		// Ids are unique on a primary: the inherited registration is
		// revoked before a new token is issued under the same id.
		if _, err := dr.RevokeSecondary(ctx, ops.Performance, name); err != nil {
			t.Fatalf("revoke %s: %v", name, err)
		}
		at, err := dr.SecondaryToken(ctx, ops.Performance, ops.SecondaryTokenRequest{ID: name})
		if err != nil {
			t.Fatalf("token for %s: %v", name, err)
		}
		if at.Addr != drAddr {
			t.Errorf("token for %s names %q", name, at.Addr)
		}
		if _, err := clients[name].UpdatePrimary(ctx, ops.Performance, ops.UpdatePrimaryRequest{Token: at.Token}); err != nil {
			t.Fatalf("update-primary %s: %v", name, err)
		}
	}
	advanceUntil(t, lab, 2*time.Minute, "both performance secondaries streaming from us-east-2-dr", func() bool {
		for _, name := range []string{"us-east-1", "eu-west-1"} {
			ts, ok := replicationOf(t, clients[name], ops.Performance)
			if !ok || ts.State != ops.StateStreamWALs || len(ts.Primaries) == 0 || ts.Primaries[0].APIAddress != drAddr {
				return false
			}
		}
		return true
	})
	ts, _ := replicationOf(t, dr, ops.Performance)
	for _, name := range []string{"us-east-1", "eu-west-1"} {
		i := slices.IndexFunc(ts.Secondaries, func(p ops.Peer) bool { return p.NodeID == name })
		if i < 0 || ts.Secondaries[i].Status != ops.PeerConnected {
			t.Errorf("the new primary does not see %s connected: %+v", name, ts.Secondaries)
		}
	}
}

// The same failover with update_primary_addrs: allowed because the
// secondaries still hold credentials for the set the new primary leads.
func TestDisasterFailoverWithUpdatePrimaryAddrs(t *testing.T) {
	lab, clients := startGlobalLab(t)
	ctx := context.Background()
	if err := lab.Stop("us-east-2"); err != nil {
		t.Fatal(err)
	}
	dr := clients["us-east-2-dr"]
	if _, err := dr.Promote(ctx, ops.DR, ops.PromoteRequest{DROperationToken: drOperationToken(t, lab, dr)}); err != nil {
		t.Fatal(err)
	}
	var np ops.TypeStatus
	advanceUntil(t, lab, time.Minute, "promoted", func() bool {
		var ok bool
		np, ok = replicationOf(t, dr, ops.Performance)
		return ok && np.Mode == ops.ModePrimary
	})
	leader, err := dr.Leader(ctx)
	if err != nil || leader.LeaderClusterAddress == "" {
		t.Fatalf("leader: %+v %v", leader, err)
	}
	sec, _ := replicationOf(t, clients["us-east-1"], ops.Performance)
	if ok, why := ops.UpdatePrimaryAddrsAllowed(sec, np); !ok {
		t.Fatalf("not allowed: %s", why)
	}
	if _, err := clients["us-east-1"].UpdatePrimary(ctx, ops.Performance,
		ops.UpdatePrimaryRequest{UpdatePrimaryAddrs: []string{leader.LeaderClusterAddress}}); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, lab, 2*time.Minute, "us-east-1 streaming", func() bool {
		ts, ok := replicationOf(t, clients["us-east-1"], ops.Performance)
		return ok && ts.State == ops.StateStreamWALs
	})
}
