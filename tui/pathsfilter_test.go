package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/vaultrepl/vaultrepl/ops"
)

// secondaryIDOf is the performance secondary id the primary knows the
// named cluster by (the lab's ids are not always the names).
func secondaryIDOf(t *testing.T, e *labEnv, primary, name string) string {
	t.Helper()
	c := &e.m.clusters[e.id(primary)]
	for _, id := range c.snap.Replication.Performance.KnownSecondaries {
		if e.m.named(id) == name {
			return id
		}
	}
	t.Fatalf("%s knows no secondary named %s: %v", primary, name, c.snap.Replication.Performance.KnownSecondaries)
	return ""
}

func filterReads(e *labEnv, name string) int {
	f, _ := filterRequests(e.lab.RequestCounts(name))
	return f
}

// A filter written by this process (the wizard's client) shows on the
// perf primary's pane at the next poll, one line per filtered secondary,
// cut with an ellipsis at 80×24; the detail view lists every secondary:
// mode and all paths, or "none". Every frame equals one drawn from an
// empty cache.
func TestPathsFilterOnPrimaryPane(t *testing.T) {
	e := newLabEnv(t, labEnvOptions{topology: "global"})
	e.cycle()
	if p := e.pane("us-east-2"); strings.Contains(p, "paths filter") {
		t.Fatalf("a filter shown before any was set:\n%s", p)
	}
	if n := filterReads(e, "us-east-2"); n != 2 {
		t.Fatalf("first poll read %d filters, want 2 (one per known secondary)", n)
	}
	for _, name := range []string{"us-east-1", "eu-west-1", "us-east-2-dr"} {
		if n := filterReads(e, name); n != 0 {
			t.Errorf("%s is no performance primary but %d filters were read on it", name, n)
		}
	}
	id := secondaryIDOf(t, e, "us-east-2", "eu-west-1")
	if _, err := e.readers["us-east-2"].normal.SetPathsFilter(context.Background(), id,
		ops.PathsFilter{Mode: ops.FilterDeny, Paths: []string{"secret/", "auth/userpass/"}}); err != nil {
		t.Fatal(err)
	}
	e.cycle() // the snapshot's write counter moved: read again
	if n := filterReads(e, "us-east-2"); n != 5 {
		t.Fatalf("after the write %d requests to the filter paths in all, want 5 (2 reads, the POST, 2 reads)", n)
	}
	want := "paths filter: eu-west-1 deny secret/, auth/userpass/"
	if p := e.pane("us-east-2"); !strings.Contains(p, want) || strings.Count(p, "paths filter:") != 1 {
		t.Fatalf("pane lacks %q (once):\n%s", want, p)
	}
	checkFreshCache(t, e.m)

	// The x screen shows the reads, from the table of operations.
	xm := send(e.m, keyMsg("x"))
	if x := plainText(xm.commandsContent()); !strings.Contains(x, "vault read -format=json sys/replication/performance/primary/paths-filter/"+id) {
		t.Errorf("x screen lacks the paths-filter read of %s:\n%s", id, x)
	}

	// 80×24: the line is there, cut to the pane with an ellipsis.
	m := send(e.m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m.focus = e.id("us-east-2")
	v := plain(m)
	found := false
	for _, l := range strings.Split(v, "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("line wider than 80: %q", l)
		}
		if i := strings.Index(l, "paths filter:"); i >= 0 {
			found = true
			if !strings.Contains(l, "paths filter: eu-west-1 deny secret/, auth/userpass/") {
				t.Errorf("the filter line at 80×24: %q", l)
			}
		}
	}
	if !found {
		t.Errorf("no paths filter line at 80×24:\n%s", v)
	}
	// A narrow pane cuts the line with the ellipsis.
	narrow := plainText(strings.Join(m.paneView(e.id("us-east-2"), 0, 40, 14, false, e.clk.Now(), nil), "\n"))
	if !strings.Contains(narrow, "paths filter: eu-west-1 deny secr") || !strings.Contains(narrow, m.st.Glyphs.Ellipsis+" ") {
		t.Errorf("40-wide pane:\n%s", narrow)
	}
	checkFreshCache(t, m)

	// The detail view: every secondary, all paths or "none".
	m = send(m, keyMsg("enter"))
	d := plainText(m.detailContent(e.clk.Now()))
	other := secondaryIDOf(t, e, "us-east-2", "us-east-1")
	for _, w := range []string{"Paths filters", "eu-west-1", "deny secret/, auth/userpass/", e.m.named(other), "none (everything replicates to it)"} {
		if !strings.Contains(d, w) {
			t.Errorf("detail view lacks %q:\n%s", w, d)
		}
	}

	// Deleting it (the wizard's "none") clears the line at the next poll.
	if _, err := e.readers["us-east-2"].normal.DeletePathsFilter(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	e.cycle()
	if p := e.pane("us-east-2"); strings.Contains(p, "paths filter") {
		t.Errorf("a deleted filter is still shown:\n%s", p)
	}
	checkFreshCache(t, e.m)
}

// checkFreshCache: the frame drawn through the cache is the frame drawn
// from nothing.
func checkFreshCache(t *testing.T, m Model) {
	t.Helper()
	got := m.View()
	fresh := m
	fresh.cache = newPaneCache()
	if want := fresh.View(); got != want {
		t.Errorf("cached frame differs from a fresh one:\n%s\n---\n%s", ansi.Strip(got), ansi.Strip(want))
	}
}

// When the cadence reads: the first poll, a change in the set of
// secondaries, this process's write, r on the cluster, and otherwise once
// PathsFilterEvery has passed on the injected clock; never in between.
func TestPathsFilterReadCadence(t *testing.T) {
	e := newLabEnv(t, labEnvOptions{topology: "global"})
	reads := func() int { return filterReads(e, "us-east-2") }
	e.cycle()
	if n := reads(); n != 2 {
		t.Fatalf("first poll: %d reads, want 2", n)
	}
	for range 5 {
		e.cycle()
	}
	if n := reads(); n != 2 {
		t.Fatalf("five quiet polls read filters: %d in all", n)
	}
	// r on the primary reads them again.
	e.m.focus = e.id("us-east-2")
	e.m, _, _ = update(e.m, keyMsg("r"))
	if n := reads(); n != 4 {
		t.Fatalf("r: %d reads in all, want 4", n)
	}
	// r on another cluster does not.
	e.m.focus = e.id("us-east-1")
	e.m, _, _ = update(e.m, keyMsg("r"))
	if n := reads(); n != 4 {
		t.Fatalf("r on us-east-1 read us-east-2's filters: %d", n)
	}
	// A new secondary id (a token generated elsewhere) changes the set.
	root := e.readers["us-east-2"].normal
	if _, err := root.SecondaryToken(context.Background(), ops.Performance, ops.SecondaryTokenRequest{ID: "ap-south-1", TTL: 30 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	e.cycle()
	if n := reads(); n != 7 {
		t.Fatalf("after a new secondary id: %d reads in all, want 7 (3 ids)", n)
	}
	// A minute on the dashboard's clock: read once more, at the poll that
	// crosses it, and not at the next.
	every := e.m.deps.PathsFilterEvery
	start := e.m.clusters[e.id("us-east-2")].filtersAt
	for e.clk.Now().Sub(start) < every-e.m.deps.Interval {
		e.cycle()
		if n := reads(); n != 7 {
			t.Fatalf("read before a minute had passed (%s): %d", e.clk.Now().Sub(start), n)
		}
	}
	e.cycle()
	if n := reads(); n != 10 {
		t.Fatalf("a minute later: %d reads in all, want 10", n)
	}
	e.cycle()
	if n := reads(); n != 10 {
		t.Fatalf("the poll after: %d reads in all, want 10", n)
	}
}

// A token that may not read the filters: the pane and the detail view
// say "can't read (permission)" for each secondary, never "none".
func TestPathsFilterForbiddenIsUnknown(t *testing.T) {
	e := newLabEnv(t, labEnvOptions{topology: "global"})
	ci := e.lab.Clusters()[0]
	for _, c := range e.lab.Clusters() {
		if c.Name == "us-east-2" {
			ci = c
		}
	}
	post := func(path, body string) map[string]any {
		t.Helper()
		rq, err := http.NewRequest(http.MethodPost, ci.Addr+"/v1/"+path, bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		rq.Header.Set("X-Vault-Token", ci.Token)
		cl := &http.Client{Timeout: 10 * time.Second}
		rs, err := cl.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Body.Close()
		if rs.StatusCode/100 != 2 {
			t.Fatalf("%s: %s", path, rs.Status)
		}
		var out map[string]any
		_ = json.NewDecoder(rs.Body).Decode(&out)
		return out
	}
	post("sys/policies/acl/health-only", `{"policy":"path \"sys/health\" { capabilities = [\"read\"] }"}`)
	tok := post("auth/token/create", `{"policies":["health-only"],"no_parent":true,"ttl":"1h"}`)
	auth, _ := tok["auth"].(map[string]any)
	weakToken, _ := auth["client_token"].(string)
	if weakToken == "" {
		t.Fatalf("no token created: %v", tok)
	}
	r := e.readers["us-east-2"]
	weak, err := r.normal.WithToken(weakToken)
	if err != nil {
		t.Fatal(err)
	}
	r.normal = weak
	e.cycle()
	p := e.pane("us-east-2")
	for _, name := range []string{"us-east-1", "eu-west-1"} {
		if !strings.Contains(p, "paths filter: "+name+" can't read (permission)") {
			t.Errorf("pane lacks %s as unreadable:\n%s", name, p)
		}
	}
	e.m.focus = e.id("us-east-2")
	m := send(e.m, keyMsg("enter"))
	d := plainText(m.detailContent(e.clk.Now()))
	i := strings.Index(d, "Paths filters")
	if i < 0 {
		t.Fatalf("no Paths filters section:\n%s", d)
	}
	sec := d[i:]
	if j := strings.Index(sec, "Health"); j > 0 {
		sec = sec[:j]
	}
	if strings.Count(sec, "can't read (permission)") != 2 || strings.Contains(sec, "none") {
		t.Errorf("forbidden filters shown as known:\n%s", sec)
	}
}
