package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/ops/sim/simtest"
)

// labNow is the simulated lab's stopped clock in the golden test: every
// timestamp the clusters report (server time, heartbeats) derives from it.
var labNow = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// The two fields that come from the client's wall clock, not from the lab:
// when a snapshot was fetched and how long the reads took.
var (
	fetchedAtRe = regexp.MustCompile(`"fetched_at": "[^"]+"`)
	tookMSRe    = regexp.MustCompile(`"took_ms": [0-9]+`)
)

// `status --json` over the global lab on a stopped clock with a fixed seed
// is the golden file, byte for byte, once the loopback addresses (ports
// change each run) and the two wall-clock fields are replaced by markers.
// Regenerate with `go test ./cmd/vaultrepl -run TestStatusJSONGolden -update`
// and read the diff: a change is a change of the documented schema.
func TestStatusJSONGolden(t *testing.T) {
	isolate(t)
	lab := simtest.Start(t, sim.Options{Topology: "global", Seed: 11, Clock: sim.NewManualClock(labNow)})
	var cfg strings.Builder
	cfg.WriteString("clusters:\n")
	for _, c := range lab.Clusters() {
		fmt.Fprintf(&cfg, "  - name: %s\n    address: %s\n    token: %s\n", c.Name, c.Addr, c.Token)
	}
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	deps := testDeps()
	deps.now = func() time.Time { return labNow.Add(2 * time.Second) }
	r := execute(t, context.Background(), deps, "status", "--json", "--config", path)
	if r.code != exitOK {
		t.Fatalf("exit %d: %v\n%s", r.code, r.err, r.out)
	}
	var doc statusDoc
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("not a status document: %v\n%s", err, r.out)
	}
	// The markers replace values that must be there: a snapshot read now
	// has a fetch time and a duration.
	for _, c := range doc.Clusters {
		if c.FetchedAt == nil || c.TookMS == nil || *c.TookMS < 0 {
			t.Errorf("%s: fetched_at %v took_ms %v", c.Name, c.FetchedAt, c.TookMS)
		}
	}
	out := r.out
	if n := len(fetchedAtRe.FindAllString(out, -1)); n != len(doc.Clusters) {
		t.Errorf("%d fetched_at fields for %d clusters", n, len(doc.Clusters))
	}
	out = fetchedAtRe.ReplaceAllString(out, `"fetched_at": "<wall clock>"`)
	out = tookMSRe.ReplaceAllString(out, `"took_ms": "<elapsed>"`)
	for _, c := range lab.Clusters() {
		out = strings.ReplaceAll(out, c.Addr, "http://"+c.Name+".lab")
	}
	if strings.Contains(out, "127.0.0.1") {
		t.Errorf("a loopback address is left in the document:\n%s", out)
	}
	golden.RequireEqual(t, []byte(out))
}
