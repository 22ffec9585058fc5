package tui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// fleetModel is n clusters in replication sets of eight (one primary with
// six performance secondaries and a DR secondary: every primary has eight
// peers listed), all read once, at width×height.
func fleetModel(b testing.TB, n, width, height int) Model {
	m, _ := fleetModelClock(b, n, width, height)
	return m
}

// fleetModelClock is fleetModel with its clock.
func fleetModelClock(b testing.TB, n, width, height int) (Model, *testClock) {
	clk := newTestClock()
	specs := make([]ClusterSpec, n)
	snaps := make([]ops.Snapshot, n)
	for i := range n {
		set, pos := i/8, i%8
		name := fmt.Sprintf("set%02d-c%d", set, pos)
		perfSet := fmt.Sprintf("%08x-0000-4000-8000-%012x", set, set)
		drSet := fmt.Sprintf("%08x-0000-4000-9000-%012x", set, set)
		switch pos {
		case 0:
			s := primarySnap(uint64(1000 + i))
			s.Replication.Performance.ClusterID, s.Replication.DR.ClusterID = perfSet, drSet
			var known []string
			var peers []ops.Peer
			for j := 1; j <= 8; j++ {
				id := fmt.Sprintf("set%02d-token-%d", set, j)
				known = append(known, id)
				peers = append(peers, peer(id, fmt.Sprintf("https://10.%d.%d.1:8200", set, j), time.Duration(j)*time.Second))
			}
			s.Replication.Performance.KnownSecondaries, s.Replication.Performance.Secondaries = known[:7], peers[:7]
			s.Replication.DR.KnownSecondaries, s.Replication.DR.Secondaries = known[7:], peers[7:]
			snaps[i] = s
		case 7:
			s := drSecondarySnap(uint64(1000 + set*8))
			s.Replication.DR.ClusterID = drSet
			s.Replication.DR.SecondaryID = fmt.Sprintf("set%02d-token-8", set)
			snaps[i] = s
		default:
			s := perfSecondarySnap(fmt.Sprintf("set%02d-token-%d", set, pos), uint64(1000+set*8-pos))
			s.Replication.Performance.ClusterID = perfSet
			snaps[i] = s
		}
		specs[i] = ClusterSpec{Name: name, Address: fmt.Sprintf("https://10.%d.%d.1:8200", set, pos), Reader: &fakeReader{snap: snaps[i]}}
	}
	m := newTestModel(specs, clk, width, height)
	m = pollAll(m, clk)
	clk.Advance(time.Second)
	return send(m, clockMsg{}), clk
}

// BenchmarkDashboardView measures one frame of the dashboard at 160×48.
// Budget: under 1 ms for 4 clusters, under 16 ms for 128 (one frame at
// 60 frames a second is 16.7 ms).
func BenchmarkDashboardView(b *testing.B) {
	for _, n := range []int{4, 128} {
		b.Run(fmt.Sprintf("clusters=%d", n), func(b *testing.B) {
			m := fleetModel(b, n, 160, 48)
			if v := m.View(); !strings.Contains(v, "set00-c0") {
				b.Fatalf("fleet not drawn:\n%s", v)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkStatusUpdate measures handling one poll result (record, assess
// every cluster, re-arm), which runs once per cluster per interval. Results
// are a second apart, so each one is assessed (no throttling).
func BenchmarkStatusUpdate(b *testing.B) {
	for _, n := range []int{4, 128} {
		b.Run(fmt.Sprintf("clusters=%d", n), func(b *testing.B) {
			m := fleetModel(b, n, 160, 48)
			snap := *m.clusters[1].snap
			b.ReportAllocs()
			b.ResetTimer()
			at := t0
			for b.Loop() {
				at = at.Add(time.Second)
				nm, _ := m.Update(statusMsg{id: 1, gen: m.clusters[1].gen, snap: snap, at: at})
				m = nm.(Model)
			}
		})
	}
}

// BenchmarkDashboardViewCold draws a frame after new data arrived (every
// pane misses the cache): what the first frame of each second costs.
func BenchmarkDashboardViewCold(b *testing.B) {
	for _, n := range []int{4, 128} {
		b.Run(fmt.Sprintf("clusters=%d", n), func(b *testing.B) {
			m := fleetModel(b, n, 160, 48)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				for i := range m.clusters {
					m.clusters[i].version++
				}
				_ = m.View()
			}
		})
	}
}

// BenchmarkIdlePollResult is what an idle dashboard does per poll result:
// record it (and assess, unless throttled), then draw the frame bubbletea
// asks for. 32 clusters polled every 2 s deliver sixteen a second, with the
// 1 s clock tick between them; colours as on a 256-colour terminal. Idle
// CPU (budget: 2% of one core, goal 1%, make bench-idle) is about sixteen
// of these a second plus the reads.
func BenchmarkIdlePollResult(b *testing.B) {
	for _, n := range []int{32, 128} {
		b.Run(fmt.Sprintf("clusters=%d", n), func(b *testing.B) {
			m, clk := fleetModelClock(b, n, 160, 48)
			m.fixed.st = ansi256Styles()
			m.fixed.ink = newInks(m.fixed.st)
			snaps := make([]ops.Snapshot, n)
			for i := range m.clusters {
				snaps[i] = *m.clusters[i].snap
			}
			step := time.Second / 16
			i, sinceTick := 0, time.Duration(0)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				clk.Advance(step)
				if sinceTick += step; sinceTick >= time.Second {
					sinceTick = 0
					nm, _ := m.Update(clockMsg{})
					m = nm.(Model)
					_ = m.View()
				}
				nm, _ := m.Update(statusMsg{id: ClusterID(i), gen: m.clusters[i].gen, snap: snaps[i], at: clk.Now()})
				m = nm.(Model)
				_ = m.View()
				i = (i + 1) % n
			}
		})
	}
}

func ansi256Styles() theme.Styles {
	r := lipgloss.NewRenderer(&bytes.Buffer{})
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	return theme.New(r, theme.DefaultPalette())
}
