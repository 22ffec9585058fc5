package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/ops/sim/simtest"
)

// encodeWhole is how `status --json` wrote its document before
// writeStatusJSON: the whole document through one indenting Encoder.
func encodeWhole(t *testing.T, doc statusDoc) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writeStatusJSON writes, byte for byte, what one indenting json.Encoder
// writes: for a read of fleet:16, and for documents with no, an empty and
// one cluster, and strings that look like the document's own keys.
func TestWriteStatusJSONEqualsEncoder(t *testing.T) {
	isolate(t)
	lab := simtest.Start(t, sim.Options{Topology: "fleet:16", Seed: 3})
	cfg := fleetConfig(t, lab)
	r := execute(t, context.Background(), testDeps(), "status", "--json", "--config", cfg)
	var fleet statusDoc
	if err := json.Unmarshal([]byte(r.out), &fleet); err != nil {
		t.Fatalf("not a status document: %v (exit %d)\n%s", err, r.code, r.out)
	}
	if len(fleet.Clusters) != 16 || len(fleet.Links) == 0 {
		t.Fatalf("%d clusters, %d links", len(fleet.Clusters), len(fleet.Links))
	}
	tricky := clusterDoc{Name: "a\n  \"clusters\": []", Address: "<http://x&y>", Severity: "ok", Reasons: []reasonDoc{}}
	docs := map[string]statusDoc{
		"fleet:16":       fleet,
		"nil clusters":   {SchemaVersion: 1, Worst: "ok"},
		"empty clusters": {SchemaVersion: 1, Worst: "ok", Clusters: []clusterDoc{}},
		"one cluster":    {SchemaVersion: 1, Worst: "ok", Clusters: []clusterDoc{tricky}, Links: fleet.Links[:1]},
		"two clusters":   {SchemaVersion: 1, Clusters: []clusterDoc{fleet.Clusters[0], tricky}},
	}
	for name, doc := range docs {
		var got bytes.Buffer
		if err := writeStatusJSON(&got, doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := encodeWhole(t, doc); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: writeStatusJSON differs from json.Encoder\n got: %s\nwant: %s", name, got.Bytes(), want)
		}
	}
}

// A writer that fails is reported, as an Encoder reports it.
func TestWriteStatusJSONWriteError(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "closed")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	doc := statusDoc{SchemaVersion: 1, Clusters: []clusterDoc{{Name: "a"}}}
	if err := writeStatusJSON(f, doc); err == nil {
		t.Error("writing to a closed file: no error")
	}
}
