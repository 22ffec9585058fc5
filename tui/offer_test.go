package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
)

// offerCalls records what the dashboard asked the wizard to open.
type offerCalls struct {
	focused []string
	offers  []ops.Offer
}

func (o *offerCalls) open(_ context.Context, focused string, offer ops.Offer, _, _ int) (Overlay, tea.Cmd) {
	o.focused = append(o.focused, focused)
	o.offers = append(o.offers, offer)
	return &fakeOverlay{}, nil
}

// neverUsedLab is the global lab with a performance activation token
// "never-used" generated on us-east-2 by a client other than the
// dashboard's (so of unknown age: the judge warns), polled once.
func neverUsedLab(t *testing.T, tweak func(d *Deps)) *labEnv {
	t.Helper()
	e := newLabEnv(t, labEnvOptions{topology: "global"})
	tweak(&e.m.fixed.deps)
	ci := labCluster(t, e, "us-east-2")
	// Not WithToken of the dashboard's client: that would share its record
	// of issued tokens.
	c, err := ops.NewClient(ops.ClusterConfig{Name: ci.Name, Address: ci.Addr, Token: ops.TokenSource{Inline: ci.Token}}, ops.ClientOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SecondaryToken(context.Background(), ops.Performance, ops.SecondaryTokenRequest{ID: "never-used", TTL: 30 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	e.cycle()
	e.m.focus = e.id("us-east-2")
	e.m = send(e.m, clockMsg{})
	return e
}

func labCluster(t *testing.T, e *labEnv, name string) sim.ClusterInfo {
	t.Helper()
	for _, ci := range e.lab.Clusters() {
		if ci.Name == name {
			return ci
		}
	}
	t.Fatalf("no cluster %s", name)
	return sim.ClusterInfo{}
}

const neverUsed = "secondary never-used has a token but has never connected"

// The finding carries its offer: the pane says "(a: revoke)", the footer
// offers a, and a opens the wizard on the revoke of that id on the focused
// primary. After the revoke (as the wizard does it) and the wizard's
// close, the refresh clears the finding, the hint and the key.
func TestFindingOffersRevoke(t *testing.T) {
	calls := &offerCalls{}
	e := neverUsedLab(t, func(d *Deps) {
		d.Offer = calls.open
		d.Wizard = func(context.Context, string, int, int) (Overlay, tea.Cmd) { return &fakeOverlay{}, nil }
	})
	p := e.pane("us-east-2")
	if !strings.Contains(p, neverUsed) || !strings.Contains(p, "(a: revoke)") {
		t.Fatalf("pane lacks the finding with its key:\n%s", p)
	}
	if f := footer(e.m); !strings.Contains(f, "a revoke unused token") {
		t.Fatalf("footer does not offer a: %q", f)
	}
	// 80×24: the compact pane's title carries the finding, cut, and the key, whole.
	small := send(e.m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := plain(small); !strings.Contains(v, "us-east-2") || !strings.Contains(v, "never-used") || !strings.Contains(v, "(a: revoke) ┃") ||
		!strings.Contains(footer(small), "a revoke unused token") {
		t.Errorf("80×24:\n%s", v)
	}
	// Not on a cluster without the finding.
	e.m.focus = e.id("us-east-1")
	e.m = send(e.m, clockMsg{})
	if f := footer(e.m); strings.Contains(f, "a revoke") {
		t.Errorf("footer offers a on us-east-1: %q", f)
	}
	e.m.focus = e.id("us-east-2")
	e.m, _, _ = update(e.m, keyMsg("a"))
	want := ops.Offer{Kind: ops.OfferRevoke, Type: ops.Performance, SecondaryID: "never-used"}
	if len(calls.offers) != 1 || calls.offers[0] != want || calls.focused[0] != "us-east-2" || e.m.overlay == nil {
		t.Fatalf("a opened %v on %v (overlay %v), want %+v on us-east-2", calls.offers, calls.focused, e.m.overlay != nil, want)
	}
	// The detail view offers it too.
	e.m.overlay = nil
	e.m = send(e.m, keyMsg("enter"))
	if f := footer(e.m); !strings.Contains(f, "a revoke unused token") {
		t.Errorf("detail footer does not offer a: %q", f)
	}
	e.m = send(e.m, keyMsg("esc"))

	// The wizard's revoke, then its close with the cluster it changed.
	if _, err := e.readers["us-east-2"].normal.RevokeSecondary(context.Background(), ops.Performance, "never-used"); err != nil {
		t.Fatal(err)
	}
	e.m.overlay = &fakeOverlay{}
	e.m, _, _ = update(e.m, OverlayClosedMsg{Changed: []string{"us-east-2"}})
	if p := e.pane("us-east-2"); strings.Contains(p, "never-used") || strings.Contains(p, "(a: revoke)") {
		t.Errorf("the finding is still shown after the revoke:\n%s", p)
	}
	if f := footer(e.m); strings.Contains(f, "a revoke") {
		t.Errorf("footer still offers a: %q", f)
	}
	e.m, _, _ = update(e.m, keyMsg("a"))
	if len(calls.offers) != 1 || !strings.Contains(footer(e.m), "a: no unused token on us-east-2") {
		t.Errorf("a after the revoke: %d opens, footer %q", len(calls.offers), footer(e.m))
	}
}

// pressRefusedA presses a and checks that nothing opened and that the
// footer says why (feedback).
func pressRefusedA(t *testing.T, e *labEnv, calls *offerCalls, where, feedback string) {
	t.Helper()
	e.m, _, _ = update(e.m, keyMsg("a"))
	if e.m.overlay != nil || len(calls.offers) != 0 {
		t.Fatal("a opened something " + where)
	}
	if f := footer(e.m); !strings.Contains(f, feedback) {
		t.Errorf("a gave no feedback: %q", f)
	}
}

// a does nothing to the clusters and says why: in a read-only run (no
// hint on the pane either), and on a cluster without the finding.
func TestFindingOfferRefusals(t *testing.T) {
	t.Run("read-only", func(t *testing.T) {
		calls := &offerCalls{}
		e := neverUsedLab(t, func(d *Deps) {
			d.ReadOnly = true // what withDefaults leaves of a read-only run: no wizard
			d.Offer, d.Wizard = nil, nil
		})
		if p := e.pane("us-east-2"); !strings.Contains(p, neverUsed) || strings.Contains(p, "(a: revoke)") {
			t.Fatalf("read-only pane:\n%s", p)
		}
		if f := footer(e.m); strings.Contains(f, "a revoke") {
			t.Errorf("read-only footer offers a: %q", f)
		}
		pressRefusedA(t, e, calls, "in a read-only run", "read-only: revoking is off")
	})
	t.Run("no finding", func(t *testing.T) {
		calls := &offerCalls{}
		e := neverUsedLab(t, func(d *Deps) { d.Offer = calls.open })
		e.m.focus = e.id("eu-west-1")
		pressRefusedA(t, e, calls, "on a cluster without the finding", "a: no unused token on eu-west-1 to revoke")
	})
	t.Run("unreachable", func(t *testing.T) {
		calls := &offerCalls{}
		e := neverUsedLab(t, func(d *Deps) { d.Offer = calls.open })
		if err := e.lab.Stop("us-east-2"); err != nil {
			t.Fatal(err)
		}
		e.cycle()
		e.m, _, _ = update(e.m, keyMsg("a"))
		if len(calls.offers) != 0 {
			t.Error("a acted on a finding from stale data")
		}
	})
}
