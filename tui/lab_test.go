package tui

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeLab records the faults the menu injects.
type fakeLab struct {
	mu    sync.Mutex
	calls []string
	fail  error
}

func (f *fakeLab) rec(format string, args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
	return f.fail
}

func (f *fakeLab) Partition(a, b string) error { return f.rec("partition %s %s", a, b) }
func (f *fakeLab) Heal(a, b string) error      { return f.rec("heal %s %s", a, b) }
func (f *fakeLab) Seal(n string) error         { return f.rec("seal %s", n) }
func (f *fakeLab) Unseal(n string) error       { return f.rec("unseal %s", n) }
func (f *fakeLab) Stop(n string) error         { return f.rec("stop %s", n) }
func (f *fakeLab) Restart(n string) error      { return f.rec("restart %s", n) }
func (f *fakeLab) SetLatency(n string, d time.Duration) error {
	return f.rec("latency %s %v", n, d)
}
func (f *fakeLab) FailRequests(n string, status, count int) error {
	return f.rec("fail %s %d %d", n, status, count)
}
func (f *fakeLab) SkewClock(n string, d time.Duration) error { return f.rec("skew %s %v", n, d) }
func (f *fakeLab) ClearFaults(n string) error                { return f.rec("clear %s", n) }
func (f *fakeLab) PromoteWithoutDemote(n, t string) error {
	return f.rec("promote %s %s", n, t)
}

func TestLabMenuPartitionsFocusedClusterFromItsPeers(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	lab := &fakeLab{}
	m := newTestModel(specs, clk, 160, 48, func(d *Deps) { d.Lab = lab })
	m = pollAll(m, clk)
	m = send(m, keyMsg("tab")) // us-east-1
	m = send(m, keyMsg("L"))
	v := plain(m)
	for _, want := range []string{"Lab faults on us-east-1", "1  partition from us-east-2", "3  seal", "clear every fault"} {
		if !strings.Contains(v, want) {
			t.Fatalf("lab menu lacks %q:\n%s", want, v)
		}
	}
	before := readers[1].calls
	m, _, _ = update(m, keyMsg("enter"))
	if len(lab.calls) != 1 || lab.calls[0] != "partition us-east-1 us-east-2" {
		t.Fatalf("lab calls %v", lab.calls)
	}
	if m.labOpen {
		t.Error("menu stayed open: the trainer should see the panes react")
	}
	if readers[1].calls == before || readers[0].calls == 0 {
		t.Error("the clusters involved were not re-read at once")
	}
	if !strings.Contains(plain(m), "lab: partition from us-east-2 on us-east-1") {
		t.Errorf("no flash:\n%s", plain(m))
	}

	// The primary is partitioned from all three of its secondaries.
	m = send(m, keyMsg("1"))
	m = send(m, keyMsg("L"))
	lab.calls = nil
	m, _, _ = update(m, keyMsg("1"))
	if strings.Join(lab.calls, ";") != "partition us-east-2 us-east-1;partition us-east-2 eu-west-1;partition us-east-2 us-east-2-dr" {
		t.Fatalf("lab calls %v", lab.calls)
	}

	// Numbers pick items directly; failures are reported, not fatal.
	lab.calls, lab.fail = nil, errors.New("no such cluster")
	m = send(m, keyMsg("L"))
	m, _, quit := update(m, keyMsg("3"))
	if quit || lab.calls[0] != "seal us-east-2" {
		t.Fatalf("calls %v quit %v", lab.calls, quit)
	}
	if v := plain(m); !strings.Contains(v, "failed: no such cluster") {
		t.Errorf("failure not shown:\n%s", v)
	}
	// esc closes without acting.
	lab.calls = nil
	m = send(m, keyMsg("L"))
	m = send(m, keyMsg("esc"))
	if m.labOpen || len(lab.calls) != 0 {
		t.Error("esc acted or did not close")
	}
}

func TestLabMenuKeepsNumbersWithoutPeers(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	readers[3].set(ceSnap(), nil)
	m := newTestModel(specs, clk, 160, 48, func(d *Deps) { d.Lab = &fakeLab{} })
	m = pollAll(m, clk)
	m = send(m, keyMsg("4"))
	m = send(m, keyMsg("L"))
	if v := plain(m); !strings.Contains(v, "1  partition (no replication peer known)") || !strings.Contains(v, "3  seal") {
		t.Errorf("menu for an unlinked cluster:\n%s", v)
	}
	// An entry without an action does nothing.
	lab := m.deps.Lab.(*fakeLab)
	m, _, _ = update(m, keyMsg("1"))
	if len(lab.calls) != 0 || !m.labOpen {
		t.Errorf("a disabled entry acted: %v", lab.calls)
	}
}

// A sealed cluster loses its links in the status, but the menu still heals
// the partition with the peers it had.
func TestLabMenuRemembersPeers(t *testing.T) {
	clk := newTestClock()
	specs, readers := globalSpecs()
	lab := &fakeLab{}
	m := newTestModel(specs, clk, 160, 48, func(d *Deps) { d.Lab = lab })
	m = pollAll(m, clk)
	readers[1].set(sealedSnap(), nil)
	m = pollAll(m, clk)
	m = send(m, keyMsg("2"))
	m = send(m, keyMsg("L"))
	if v := plain(m); !strings.Contains(v, "1  unseal") && !strings.Contains(v, "3  unseal") {
		t.Fatalf("sealed cluster menu:\n%s", v)
	}
	_, _, _ = update(m, keyMsg("2"))
	if len(lab.calls) != 1 || lab.calls[0] != "heal us-east-1 us-east-2" {
		t.Fatalf("calls %v", lab.calls)
	}
}

func TestLabMenuPromotesWithoutDemoting(t *testing.T) {
	clk := newTestClock()
	specs, _ := globalSpecs()
	lab := &fakeLab{}
	m := newTestModel(specs, clk, 160, 48, func(d *Deps) { d.Lab = lab })
	m = pollAll(m, clk)
	m = send(m, keyMsg("4")) // us-east-2-dr, the DR secondary
	m = send(m, keyMsg("L"))
	if v := plain(m); !strings.Contains(v, "0  promote without demoting the primary (DR split") {
		t.Fatalf("lab menu:\n%s", v)
	}
	_, _, _ = update(m, keyMsg("0"))
	if len(lab.calls) != 1 || lab.calls[0] != "promote us-east-2-dr dr" {
		t.Fatalf("lab calls %v", lab.calls)
	}
}
