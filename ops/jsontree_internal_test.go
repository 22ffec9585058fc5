package ops

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops/sim"
)

// referenceTree is what decodeTree returned before quickTree: encoding/json
// with json.Number, one value and nothing after it.
func referenceTree(raw []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || len(bytes.TrimSpace(raw[dec.InputOffset():])) != 0 {
		return nil, false
	}
	return v, true
}

// quickTreeCases are the recorded Vault bodies of testdata and what the
// simulator serves for each role of a fleet, plus shapes at the edges of
// what quickTree decodes itself.
func quickTreeCases(tb testing.TB) map[string][]byte {
	tb.Helper()
	cases := map[string][]byte{
		"escapes":        []byte(`{"a":"x\"y\\z\/\b\f\n\r\t","b":[]}`),
		"unicode escape": []byte(`{"a":"\u00e9"}`),
		"utf-8":          []byte(`{"a":"é"}`),
		"numbers":        []byte(`[0,-0,1.5,-2e10,3E+2,4e-1,12345678901234567890123]`),
		"bad numbers":    []byte(`[01]`),
		"repeated key":   []byte(`{"a":1,"a":2}`),
		"trailing":       []byte(`{} {}`),
		"deep":           bytes.Repeat([]byte("["), 100),
		"literals":       []byte(` [true,false,null] `),
		"cut":            []byte(`{"a":`),
	}
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no recorded bodies: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		cases[f] = b
	}
	l, err := sim.New(sim.Options{Topology: "fleet:8", Seed: 1, Clock: sim.NewManualClock(time.Date(2024, 3, 4, 15, 0, 0, 0, time.UTC)), WriteRate: 5})
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	l.Advance(30 * time.Second)
	for _, c := range l.Clusters() {
		name := c.Name
		for _, path := range []string{"/v1/sys/replication/status", "/v1/sys/health"} {
			rec := httptest.NewRecorder()
			l.Handler(name).ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			cases["sim "+name+" "+path] = rec.Body.Bytes()
		}
	}
	return cases
}

// quickTree returns encoding/json's tree wherever it returns one; and the
// bodies Vault and the simulator send (ASCII) are decoded by quickTree
// itself, not handed back to encoding/json.
func TestQuickTreeMatchesEncodingJSON(t *testing.T) {
	for name, raw := range quickTreeCases(t) {
		got, ok := quickTree(raw)
		want, valid := referenceTree(raw)
		switch {
		case ok && !valid:
			t.Errorf("%s: quickTree decoded what encoding/json refuses: %v", name, got)
		case ok && !reflect.DeepEqual(got, want):
			t.Errorf("%s: quickTree's tree differs\n got: %#v\nwant: %#v", name, got, want)
		case !ok && valid && bytes.IndexByte(raw, '\\') < 0 && isASCII(raw) && name != "deep":
			t.Errorf("%s: quickTree left an ASCII body without escapes to encoding/json", name)
		}
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func FuzzQuickTreeMatchesEncodingJSON(f *testing.F) {
	for _, raw := range quickTreeCases(f) {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := quickTree(raw)
		if !ok {
			return // encoding/json decides
		}
		want, valid := referenceTree(raw)
		if !valid {
			t.Fatalf("quickTree decoded what encoding/json refuses: %q -> %#v", raw, got)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: quickTree's tree differs\n got: %#v\nwant: %#v", raw, got, want)
		}
	})
}
