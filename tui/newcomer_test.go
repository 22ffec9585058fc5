package tui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/vaultrepl/vaultrepl/ops"
)

func plainText(s string) string { return ansi.Strip(s) }

// footer is the last line of the screen, as plain text.
func footer(m Model) string {
	lines := strings.Split(plain(m), "\n")
	return lines[len(lines)-1]
}

// The help line keeps the demo's reasons to exist (w and L) at every
// width, ends with "? more" when it had to leave keys out, and never cuts a
// key in the middle.
func TestHelpLineKeepsWizardAndLab(t *testing.T) {
	for _, w := range []int{80, 120, 160, 240} {
		clk := newTestClock()
		specs, _ := globalSpecs()
		m := newTestModel(specs, clk, w, 40, demoTweak)
		m = pollAll(m, clk)
		f := footer(m)
		for _, want := range []string{"enter details", "w setup wizard", "L lab faults", "q quit"} {
			if !strings.Contains(f, want) {
				t.Errorf("%d columns: help line lacks %q: %q", w, want, f)
			}
		}
		all := strings.Contains(f, "p pause")
		if more := strings.Contains(f, "? more"); more == all || (!more && !strings.Contains(f, "? help")) {
			t.Errorf("%d columns: \"? more\" must show exactly when keys are left out: %q", w, f)
		}
		if strings.Contains(f, "…") || strings.Contains(f, "⋯") {
			t.Errorf("%d columns: a key was cut: %q", w, f)
		}
	}
}

// A pane too short for its lines says how many it left out, in its border.
func TestPaneSaysWhenLinesAreCut(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 120, 40)
	partitionPrimary(readers)
	m = pollAll(m, clk)
	v := plain(m)
	if !strings.Contains(v, "3 more lines: enter") {
		t.Fatalf("no marker for the primary's lines that did not fit:\n%s", v)
	}
	// A pane with room for everything has no marker.
	m = send(m, keyMsg("/"))
	for _, r := range "us-east-1" {
		m = send(m, keyMsg(string(r)))
	}
	m = send(m, keyMsg("enter"))
	if v := plain(m); strings.Contains(v, "more line") {
		t.Fatalf("marker on a pane that shows every line:\n%s", v)
	}
}

// At 80 columns a compact title gives up its age, label and the end of its
// reason before any cluster name is cut.
func TestTitleNeverCutsAName(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	specs[0].Label = "production primary in the eu-west-1 building"
	m := newTestModel(specs, clk, 80, 24)
	partitionPrimary(readers)
	m = pollAll(m, clk)
	title := strings.Split(plain(m), "\n")[2]
	if !strings.Contains(title, "us-east-2") || !strings.Contains(title, "PROTECTED") {
		t.Fatalf("name or tag cut: %q", title)
	}
	if strings.Contains(title, "building") {
		t.Errorf("the label should give way before the reason: %q", title)
	}
	// The reason ends in a whole word: a name in it is whole or absent.
	reason := title[strings.Index(title, "critical"):]
	for _, name := range []string{"us-east-1", "eu-west-1", "us-east-2-dr"} {
		for i := 3; i < len(name); i++ {
			if strings.Contains(reason, " "+name[:i]+"…") || strings.HasSuffix(strings.TrimRight(reason, " |#"), " "+name[:i]) {
				t.Errorf("name %s cut to %q: %q", name, name[:i], title)
			}
		}
	}
}

// The peers table leaves out whole columns, and says which, rather than
// cutting its last column off at the screen's edge.
func TestPeerTableSaysWhatItLeftOut(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 80, 24)
	m = pollAll(m, clk)
	out := m.detailContentFor(0)
	if !strings.Contains(out, "not shown at this width: CLUSTER ADDRESS") {
		t.Fatalf("no note of the left-out columns:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "ID ") && strings.Contains(l, "STATUS") && !strings.Contains(l, "CANARY") {
			t.Errorf("header cut: %q", l)
		}
	}
	m = send(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	if out := m.detailContentFor(0); strings.Contains(out, "not shown at this width") {
		t.Errorf("a wide screen left columns out:\n%s", out)
	}
}

// detailContentFor is the detail text of cluster id, unstyled.
func (m Model) detailContentFor(id ClusterID) string {
	m.focus = id
	return plainText(m.detailContent(m.deps.Now()))
}

// sys/health's canary age says where it comes from: it is not the link's.
func TestDetailLabelsHealthCanary(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 80, 24)
	m = pollAll(m, clk)
	if out := m.detailContentFor(1); !strings.Contains(out, "replication_primary_canary_age  0ms (always 0 on an active node)") {
		t.Fatalf("health canary unlabelled:\n%s", out)
	}
}

// In a 2×2 grid, j from the bottom row stays put; k goes back up the same
// column; in a short last row, j from above lands on its last pane.
func TestGridRowMovesStayInColumn(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 160, 48)
	m = pollAll(m, clk)
	if c := m.gridLayout(4).cols; c != 2 {
		t.Fatalf("want a 2×2 grid, have %d columns", c)
	}
	for _, step := range []struct {
		key  string
		want string
	}{{"3", "eu-west-1"}, {"j", "eu-west-1"}, {"k", "us-east-2"}, {"l", "us-east-1"}, {"j", "us-east-2-dr"}, {"j", "us-east-2-dr"}, {"k", "us-east-1"}} {
		m = send(m, keyMsg(step.key))
		if got := m.Focused(); got != step.want {
			t.Fatalf("after %s: focus %s, want %s", step.key, got, step.want)
		}
	}
	// Three panes: from pane 2 (top right) j goes to pane 3, the last.
	m = newTestModel(specs[:3], clk, 160, 48)
	m = pollAll(m, clk)
	m = send(m, keyMsg("2"))
	m = send(m, keyMsg("j"))
	if got := m.Focused(); got != "eu-west-1" {
		t.Fatalf("j from pane 2 of 3: focus %s", got)
	}
}

// "! !" leaves no flash claiming that only unhealthy clusters are shown.
func TestUnhealthyToggleClearsItsFlash(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 80, 24)
	m = pollAll(m, clk)
	m = send(m, keyMsg("!"))
	if !strings.Contains(footer(m), "showing only unhealthy") {
		t.Fatalf("no flash after !: %q", footer(m))
	}
	m = send(m, keyMsg("!"))
	if strings.Contains(plain(m), "showing only unhealthy") {
		t.Fatalf("flash stayed after ! !:\n%s", plain(m))
	}
}

// The lab menu offers exactly the number keys it has (ten: 1-9 and 0);
// "clear every fault" clears every cluster.
func TestLabMenuNumbersAndClearAll(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	lab := &fakeLab{}
	m := newTestModel(specs, clk, 80, 24, func(d *Deps) { d.Lab = lab })
	m = pollAll(m, clk)
	m = send(m, keyMsg("2"))
	m = send(m, keyMsg("L"))
	acts := m.labActions()
	if len(acts) != 10 {
		t.Fatalf("menu has %d entries; this test expects 10", len(acts))
	}
	if f := footer(m); !strings.Contains(f, "1-9,0 apply") {
		t.Errorf("help does not name the tenth entry's key 0: %q", f)
	}
	// The tenth, on 0, is the half-done failover (promote without demote).
	if !strings.HasPrefix(acts[9].title, "promote without demoting") {
		t.Errorf("entry 0 is %q", acts[9].title)
	}
	m, _, _ = update(m, keyMsg("9"))
	want := []string{"clear us-east-2", "clear us-east-1", "clear eu-west-1", "clear us-east-2-dr"}
	if !slices.Equal(lab.calls, want) {
		t.Fatalf("clear every fault: calls %v, want %v", lab.calls, want)
	}
	if f := footer(m); !strings.Contains(f, "lab: clear every fault on every cluster") || strings.Contains(f, "cluster on") {
		t.Errorf("flash: %q", f)
	}
	if got := labNumbers(9); got != "1-9" {
		t.Errorf("nine entries: %q", got)
	}
}

// A long entry wraps at spaces: us-east-2-dr is never split at a hyphen.
func TestLabMenuWrapsWholeNames(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 80, 24, func(d *Deps) { d.Lab = &fakeLab{} })
	m = pollAll(m, clk)
	m = send(m, keyMsg("L")) // us-east-2: peers us-east-1, eu-west-1, us-east-2-dr
	box := plainText(m.labBox(80))
	if !strings.Contains(box, "us-east-2-dr") {
		t.Fatalf("a peer's name was split:\n%s", box)
	}
	for _, l := range strings.Split(box, "\n") {
		if strings.HasSuffix(strings.TrimRight(strings.Trim(l, "│ "), " "), "us-east-") {
			t.Errorf("wrapped inside a name: %q", l)
		}
	}
}

// In a read-only run, L and w do nothing to the clusters and say why.
func TestReadOnlyRefusesLabAndWizardAloud(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	lab := &fakeLab{}
	m := newTestModel(specs, clk, 80, 24, func(d *Deps) {
		demoTweak(d)
		d.Lab = lab
		d.ReadOnly = true
	})
	m = pollAll(m, clk)
	m = send(m, keyMsg("L"))
	if m.labOpen {
		t.Fatal("the lab menu opened in a read-only run")
	}
	if f := footer(m); !strings.Contains(f, "read-only: lab faults are off") {
		t.Errorf("L gave no feedback: %q", f)
	}
	m, _, _ = update(m, keyMsg("3"))
	if len(lab.calls) != 0 {
		t.Fatalf("lab called: %v", lab.calls)
	}
	m = send(m, keyMsg("w"))
	if m.overlay != nil {
		t.Fatal("the wizard opened in a read-only run")
	}
	if f := footer(m); !strings.Contains(f, "read-only: the setup wizard is off") {
		t.Errorf("w gave no feedback: %q", f)
	}
	if f := footer(m); strings.Contains(f, "w setup") || strings.Contains(f, "L lab") {
		t.Errorf("help offers keys that are off: %q", f)
	}
}

// The x screen's health command carries exactly the query the client sends
// to sys/health: the same parameters with the same values, nothing else.
func TestCommandsScreenShowsTheHealthQuerySent(t *testing.T) {
	sent := make(chan url.Values, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/sys/health" {
			select {
			case sent <- r.URL.Query():
			default:
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"initialized":true,"sealed":false,"standby":false,"version":"1.17.3+ent"}`))
	}))
	defer srv.Close()
	c, err := ops.NewClient(ops.ClusterConfig{Name: "a", Address: srv.URL}, ops.ClientOptions{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Status(context.Background()) // the replication status body is not needed here
	var got url.Values
	select {
	case got = <-sent:
	case <-time.After(5 * time.Second):
		t.Fatal("no sys/health request within 5s")
	}

	// Parse the command off the x screen.
	shown := url.Values{}
	words := strings.Fields(strings.ReplaceAll(healthCurl(srv.URL), "\\", ""))
	for i, w := range words {
		if w == "-d" && i+1 < len(words) {
			k, v, _ := strings.Cut(words[i+1], "=")
			shown.Add(k, v)
		}
	}
	if shown.Encode() != got.Encode() {
		t.Fatalf("x screen shows %s, the client sends %s", shown.Encode(), got.Encode())
	}
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 80, 24)
	m = send(m, keyMsg("x"))
	for k := range got {
		if !strings.Contains(plain(m), k+"=") {
			t.Errorf("x screen lacks %s", k)
		}
	}
}

// fakeClip records what y copies and reports the way the OSC 52 default
// does: as sent, not as copied.
type fakeClip struct{ got []string }

func (f *fakeClip) copy(text string) (string, error) {
	f.got = append(f.got, text)
	return "sent as OSC 52 (the terminal may refuse it)", nil
}

// y copies what is focused and says what it did: the address on the
// dashboard, the field found by a search in the detail view, the commands
// on the x screen.
func TestCopyWhatIsFocused(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	clip := &fakeClip{}
	m := newTestModel(specs, clk, 120, 40, func(d *Deps) { d.Clipboard = clip.copy })
	m = pollAll(m, clk)
	m = send(m, keyMsg("2"))
	m, _, _ = update(m, keyMsg("y"))
	if len(clip.got) != 1 || clip.got[0] != specs[1].Address {
		t.Fatalf("copied %q, want %s", clip.got, specs[1].Address)
	}
	f := footer(m)
	if !strings.Contains(f, "us-east-1 address sent as OSC 52 (the terminal may refuse it)") || strings.Contains(f, "Copied") {
		t.Errorf("feedback: %q", f)
	}

	// In the detail view, a search picks the field y copies.
	m = send(m, keyMsg("enter"))
	m = send(m, keyMsg("/"))
	for _, r := range "merkle_root" {
		m = send(m, keyMsg(string(r)))
	}
	m = send(m, keyMsg("enter"))
	if !strings.Contains(footer(m), "match 1 of") {
		t.Fatalf("no match count: %q", footer(m))
	}
	m, _, _ = update(m, keyMsg("y"))
	want := m.clusters[1].snap.Replication.Performance.MerkleRoot
	if got := clip.got[len(clip.got)-1]; got != want {
		t.Fatalf("copied %q, want the merkle root %q", got, want)
	}
	// esc ends the search, a second esc leaves the view.
	m = send(m, keyMsg("esc"))
	if m.search != "" || m.screen != screenDetail {
		t.Fatalf("esc: search %q screen %v", m.search, m.screen)
	}

	// The x screen copies its commands as a script.
	m = send(m, keyMsg("x"))
	m, _, _ = update(m, keyMsg("y"))
	if got := clip.got[len(clip.got)-1]; !strings.Contains(got, "vault read -format=json sys/replication/status") || strings.Contains(got, "\x1b") {
		t.Fatalf("commands copied: %q", got)
	}
}

// The detail search covers the event timeline too, and n moves on.
func TestDetailSearchFindsTimeline(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	m := newTestModel(specs, clk, 80, 24)
	m = pollAll(m, clk)
	m = send(m, keyMsg("enter"))
	m = send(m, keyMsg("/"))
	for _, r := range "first status" {
		m = send(m, keyMsg(string(r)))
	}
	m = send(m, keyMsg("enter"))
	if v := plain(m); !strings.Contains(v, "› ") || !strings.Contains(v, "first status read") {
		t.Fatalf("timeline entry not found and shown:\n%s", v)
	}
	m = send(m, keyMsg("/"))
	for _, r := range "no such text" {
		m = send(m, keyMsg(string(r)))
	}
	m = send(m, keyMsg("enter"))
	if f := footer(m); !strings.Contains(f, "no match") {
		t.Errorf("no feedback for a miss: %q", f)
	}
}

// s cycles the order: severity puts the broken cluster first, name sorts
// by name, lag puts the largest WAL gap first; the header says which.
func TestSortKey(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 80, 24)
	readers[2].set(ops.Snapshot{}, refused("eu-west-1"))
	m = pollAll(m, clk)
	names := func() []string {
		var out []string
		for _, id := range m.visibleIDs() {
			out = append(out, m.clusters[id].spec.Name)
		}
		return out
	}
	m = send(m, keyMsg("s"))
	if got := names(); got[0] != "eu-west-1" {
		t.Fatalf("by severity: %v", got)
	}
	if h := strings.Split(plain(m), "\n")[0]; !strings.Contains(h, "by severity") {
		t.Errorf("header: %q", h)
	}
	m = send(m, keyMsg("s"))
	if got := names(); !slices.Equal(got, []string{"eu-west-1", "us-east-1", "us-east-2", "us-east-2-dr"}) {
		t.Fatalf("by name: %v", got)
	}
	m = send(m, keyMsg("s"))
	got := names()
	if m.lagOf(m.byName[got[0]]) < m.lagOf(m.byName[got[1]]) {
		t.Fatalf("by lag: %v", got)
	}
	m = send(m, keyMsg("s"))
	if got := names(); !slices.Equal(got, []string{"us-east-2", "us-east-1", "eu-west-1", "us-east-2-dr"}) {
		t.Fatalf("back to configured order: %v", got)
	}
}

// With Deps.Mouse a click focuses the pane under it and the wheel
// scrolls; without it the mouse does nothing.
func TestMouse(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	for _, on := range []bool{false, true} {
		m := newTestModel(specs, clk, 160, 48, func(d *Deps) { d.Mouse = on })
		m = pollAll(m, clk)
		// 2×2 grid: a click in the bottom right pane, the fourth.
		g := m.gridGeometry(m.visibleIDs(), m.bodyHeight(), m.deps.Now())
		m = send(m, tea.MouseMsg{X: 150, Y: 1 + g.rowH[0] + 2, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
		want := "us-east-2"
		if on {
			want = "us-east-2-dr"
		}
		if got := m.Focused(); got != want {
			t.Fatalf("mouse %v: click focused %s, want %s", on, got, want)
		}
	}
	m := newTestModel(specs, clk, 80, 24, func(d *Deps) { d.Mouse = true })
	m = pollAll(m, clk)
	m = send(m, keyMsg("enter"))
	m = send(m, tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if m.viewport.YOffset != 3 {
		t.Fatalf("wheel scrolled the detail view to %d, want 3", m.viewport.YOffset)
	}
}

// At 80 columns timeline entries and long field values wrap rather than
// lose their end.
func TestDetailWrapsInsteadOfCutting(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	m := newTestModel(specs, clk, 80, 24)
	readers[2].set(ops.Snapshot{}, refused("eu-west-1"))
	m = pollAll(m, clk)
	for _, id := range []ClusterID{0, 2} {
		out := m.detailContentFor(id)
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "…") || strings.Contains(l, "⋯") {
				t.Errorf("cluster %d: cut line %q", id, l)
			}
		}
	}
	if out := m.detailContentFor(0); !strings.Contains(strings.Join(strings.Fields(out), " "), "DR primary running)") {
		t.Errorf("timeline entry lost its end:\n%s", out)
	}
}
