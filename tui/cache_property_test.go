package tui

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
)

// Every frame drawn through the caches (panes, grid, header, help line,
// body) equals the frame drawn with empty caches, after any sequence of
// messages: key presses, poll results (new data, errors, stale ones), poll
// timers, resizes and clock ticks. A difference means a cache key misses
// something its drawing reads, and the screen would show stale text. The
// sequences come from a seeded math/rand, so a failure names its seed and
// step and replays exactly.
func TestViewEqualsFreshCacheView(t *testing.T) {
	const sequences, steps = 40, 30
	for seed := int64(1); seed <= sequences; seed++ {
		rng := rand.New(rand.NewSource(seed))
		clk := newTestClock()
		specs, _ := globalSpecs()
		m := newTestModel(specs, clk, 160, 48)
		m = pollAll(m, clk)
		var trail []string
		for step := range steps {
			msg, what := randomMsg(rng, m, clk)
			trail = append(trail, what)
			m = send(m, msg)
			if m.Quitting() {
				t.Fatalf("seed %d step %d: %s quit the dashboard", seed, step, what)
			}
			got := m.View()
			fresh := m
			fresh.cache = newPaneCache()
			if want := fresh.View(); got != want {
				t.Fatalf("seed %d, after %s: the cached frame differs from a fresh one\n%s\ncached:\n%s\nfresh:\n%s",
					seed, strings.Join(trail, ", "), firstDiff(got, want), got, want)
			}
		}
	}
}

// randomMsg picks one message for the dashboard, and says what it is.
func randomMsg(rng *rand.Rand, m Model, clk *testClock) (tea.Msg, string) {
	n := len(m.clusters)
	id := ClusterID(rng.Intn(n))
	switch r := rng.Intn(100); {
	case r < 45:
		// Every key but q (quit) and the ones needing a lab or a wizard
		// the fixtures do not have; letters also go into the filter.
		keys := []string{"up", "down", "left", "right", "tab", "shift+tab", "1", "2", "3", "4", "g", "G", "j", "k",
			"enter", "esc", "r", "R", "p", "/", "!", "t", "x", "?", "ctrl+l", "e", "u", "s", "w", "L"}
		k := keys[rng.Intn(len(keys))]
		return keyMsg(k), "key " + k
	case r < 75:
		c := &m.clusters[id]
		gen := c.gen
		stale := rng.Intn(10) == 0
		if stale {
			gen-- // a result of a read the model no longer waits for
		}
		snap, what, err := randomResult(rng, c.spec.Name)
		msg := statusMsg{id: id, gen: gen, snap: snap, err: err, took: time.Duration(rng.Intn(200)) * time.Millisecond, at: clk.Now()}
		if ids, known := filterIDs(&snap); err == nil && known && len(ids) > 0 && rng.Intn(2) == 0 {
			msg.filters = randomFilters(rng, ids)
			what += " with paths filters"
		}
		return msg, fmt.Sprintf("result %d %s (stale %v)", id, what, stale)
	case r < 82:
		return pollDueMsg{id: id, gen: m.clusters[id].gen}, fmt.Sprintf("poll due %d", id)
	case r < 90:
		w, h := 60+rng.Intn(140), 16+rng.Intn(44)
		return tea.WindowSizeMsg{Width: w, Height: h}, fmt.Sprintf("resize %dx%d", w, h)
	default:
		d := time.Duration(rng.Intn(2500)) * time.Millisecond
		clk.Advance(d)
		return clockMsg{}, fmt.Sprintf("tick +%s", d)
	}
}

// randomResult is one read of a cluster: fresh data of several shapes, or
// a failure.
func randomResult(rng *rand.Rand, name string) (ops.Snapshot, string, error) {
	switch rng.Intn(7) {
	case 0:
		wal := uint64(1000 + rng.Intn(500))
		return primarySnap(wal), fmt.Sprintf("primary wal %d", wal), nil
	case 1:
		remote := uint64(1000 + rng.Intn(500))
		return perfSecondarySnap(idEast1, remote), fmt.Sprintf("perf secondary remote %d", remote), nil
	case 2:
		remote := uint64(1000 + rng.Intn(500))
		return drSecondarySnap(remote), fmt.Sprintf("dr secondary remote %d", remote), nil
	case 3:
		return sealedSnap(), "sealed", nil
	case 4:
		return ceSnap(), "community edition", nil
	case 5:
		return ops.Snapshot{}, "refused", refused(name)
	}
	return ops.Snapshot{}, "503", &ops.Error{Class: ops.ErrServer, Op: "read replication status", Cluster: name, StatusCode: 503,
		Err: errors.New("service unavailable")}
}

// firstDiff names the first line where two frames differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  cached: %q\n  fresh:  %q", i+1, x, y)
		}
	}
	return "no line differs"
}

// randomFilters is a paths-filter read of ids: each none, set (with or
// without its fields), forbidden or failed.
func randomFilters(rng *rand.Rand, ids []string) *filterResult {
	paths := [][]string{{"secret/"}, {"secret/", "auth/userpass/"}, {}, nil}
	res := &filterResult{ids: ids, writes: uint64(rng.Intn(3))}
	for _, id := range ids {
		f := ops.SecondaryFilter{ID: id}
		switch rng.Intn(4) {
		case 0:
			f.Read = ops.FilterReadNone
		case 1:
			f.Read = ops.FilterReadSet
			f.Mode = []ops.FilterMode{ops.FilterAllow, ops.FilterDeny}[rng.Intn(2)]
			f.RawMode, f.ModeKnown = f.Mode.String(), rng.Intn(4) != 0
			f.Paths = paths[rng.Intn(len(paths))]
			f.PathsKnown = f.Paths != nil
		case 2:
			f.Read, f.Err = ops.FilterReadForbidden, &ops.Error{Class: ops.ErrPermissionDenied, Op: "read paths filter"}
		default:
			f.Err = &ops.Error{Class: ops.ErrServer, Op: "read paths filter"}
		}
		res.list = append(res.list, f)
	}
	return res
}
