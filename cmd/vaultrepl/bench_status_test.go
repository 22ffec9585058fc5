package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/ops/sim/simtest"
)

// fleetConfig writes a 0600 config file naming every lab cluster with its
// token, as an operator's config would.
func fleetConfig(tb testing.TB, lab *sim.Lab) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("clusters:\n")
	for _, c := range lab.Clusters() {
		fmt.Fprintf(&b, "  - name: %s\n    address: %s\n    token: %s\n", c.Name, c.Addr, c.Token)
	}
	path := filepath.Join(tb.TempDir(), "fleet.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkStatusFleet measures `vaultrepl status --json` over fleet:32
// with 100 ms of latency on every response (the clusters are read
// concurrently, so a refresh of N clusters should cost about one round
// trip, not N). Each iteration measures,
// one after another in the same run:
//
//   - rtt: one GET sys/health on one cluster, on a new connection;
//   - status: the status command itself (flags, config file, clients,
//     the concurrent reads, assessment, JSON), through cobra;
//   - sequential: the same 32 clusters read with the same clients one
//     after another (each read is still sys/health and
//     sys/replication/status at once).
//
// It reports the medians (ms) and two ratios: status/rtt (budget ≤ 3,
// ideally ~1) and sequential/status (budget ≥ 10). Run it with
// `make bench-status` (-benchtime Nx sets the number of runs).
func BenchmarkStatusFleet(b *testing.B) {
	isolate(b)
	const latency = 100 * time.Millisecond
	lab := simtest.Start(b, sim.Options{Topology: "fleet:32", Seed: 1, Latency: latency, WriteRate: 2})
	cfg := fleetConfig(b, lab)
	s, err := loadSettings(&globalOptions{configPath: cfg})
	if err != nil {
		b.Fatal(err)
	}
	if len(s.Clusters) != 32 {
		b.Fatalf("%d clusters configured", len(s.Clusters))
	}
	first := lab.Clusters()[0].Addr + "/v1/sys/health"
	ctx := context.Background()

	var rtts, statuses, seqs []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := oneRequest(first); err != nil {
			b.Fatal(err)
		}
		rtts = append(rtts, time.Since(start))

		start = time.Now()
		r := execute(b, ctx, defaultStatusDeps(), "status", "--json", "--config", cfg)
		statuses = append(statuses, time.Since(start))
		checkFleetDoc(b, r)

		clients, err := newClients(s, s.clientOptions(nil))
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		for _, c := range clients {
			if _, err := c.Status(ctx); err != nil {
				b.Fatal(err)
			}
		}
		seqs = append(seqs, time.Since(start))
	}
	rtt, status, seq := median(rtts), median(statuses), median(seqs)
	b.ReportMetric(0, "ns/op") // an iteration is three measurements; the medians below say it all
	b.ReportMetric(ms(rtt), "rtt-ms")
	b.ReportMetric(ms(status), "status-ms")
	b.ReportMetric(ms(seq), "sequential-ms")
	b.ReportMetric(float64(status)/float64(rtt), "status/rtt")
	b.ReportMetric(float64(seq)/float64(status), "sequential/status")
	b.Logf("status --json over fleet:32 at %v latency, medians of %d runs: %.0f ms = %.2f× one round trip (%.0f ms; budget ≤ 3×); "+
		"reading the clusters one after another %.0f ms: %.1f× slower (budget ≥ 10×)",
		latency, len(rtts), ms(status), float64(status)/float64(rtt), ms(rtt), ms(seq), float64(seq)/float64(status))
}

// oneRequest is one round trip on a new connection.
func oneRequest(url string) error {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// checkFleetDoc: the status document lists 32 reachable clusters.
func checkFleetDoc(tb testing.TB, r result) {
	tb.Helper()
	var doc struct {
		Clusters []struct {
			Name      string `json:"name"`
			Reachable bool   `json:"reachable"`
		} `json:"clusters"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		tb.Fatalf("status --json: %v (exit %d)\n%s", err, r.code, r.out)
	}
	for _, c := range doc.Clusters {
		if !c.Reachable {
			tb.Fatalf("%s unreachable (exit %d)", c.Name, r.code)
		}
	}
	if len(doc.Clusters) != 32 {
		tb.Fatalf("%d clusters in the document", len(doc.Clusters))
	}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkStartupProcess measures whole processes of the built binary, as
// cron or a monitoring check runs them: `vaultrepl version` (start-up alone,
// goal ≤ 15 ms) and `vaultrepl status --json` over fleet:32 with 100 ms of
// latency on every response, against one round trip on a new connection
// (goal: status ≤ 1.2 RTT + 15 ms). Stdout is a pipe, as under cron.
// `make bench-startup` runs it with RUNS iterations and reports medians.
func BenchmarkStartupProcess(b *testing.B) {
	bin := vaultreplBinary(b) // before isolate: the build uses the user's Go caches
	isolate(b)
	const latency = 100 * time.Millisecond
	lab := simtest.Start(b, sim.Options{Topology: "fleet:32", Seed: 1, Latency: latency, WriteRate: 2})
	cfg := fleetConfig(b, lab)
	first := lab.Clusters()[0].Addr + "/v1/sys/health"
	run := func(args ...string) (time.Duration, string) {
		start := time.Now()
		out, err := exec.Command(bin, args...).Output()
		d := time.Since(start)
		if err != nil {
			b.Fatalf("vaultrepl %v: %v\n%s", args, err, out)
		}
		return d, string(out)
	}
	var versions, statuses, rtts []time.Duration
	for b.Loop() {
		d, _ := run("version")
		versions = append(versions, d)
		start := time.Now()
		if err := oneRequest(first); err != nil {
			b.Fatal(err)
		}
		rtts = append(rtts, time.Since(start))
		d, out := run("status", "--json", "--config", cfg)
		statuses = append(statuses, d)
		checkFleetDoc(b, result{out: out})
	}
	v, s, rtt := median(versions), median(statuses), median(rtts)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ms(v), "version-ms")
	b.ReportMetric(ms(s), "status-ms")
	b.ReportMetric(ms(rtt), "rtt-ms")
	b.ReportMetric(float64(s)/float64(rtt), "status/rtt")
	b.Logf("medians of %d runs: version process %.1f ms (goal ≤ 15); status --json process over fleet:32 at %v latency %.0f ms = %.2f× one round trip of %.0f ms (goal ≤ 1.2×RTT + 15 ms = %.0f ms)",
		len(versions), ms(v), latency, ms(s), float64(s)/float64(rtt), ms(rtt), 1.2*ms(rtt)+15)
}
