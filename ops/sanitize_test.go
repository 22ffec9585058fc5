package ops

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCleanText(t *testing.T) {
	tests := []struct{ in, out string }{
		{"perf-primary", "perf-primary"},
		{"héllo wörld ✓", "héllo wörld ✓"},
		{"a\x1b]52;c;aGk=\x07b", `a\x1b]52;c;aGk=\x07b`},
		{"\x1b[2Jx", `\x1b[2Jx`},
		{"\x1b]8;;https://evil/\x1b\\y", `\x1b]8;;https://evil/\x1b\y`},
		{"abc\u202edef", `abc\u202edef`},
		{"\u2066iso\u2069 \u202a\u202b\u202c\u202d", `\u2066iso\u2069 \u202a\u202b\u202c\u202d`},
		{"\u200e\u200f\u061c\u200b\ufeff", `\u200e\u200f\u061c\u200b\ufeff`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"raw \x9b31m", `raw \x9b31m`},
		{"del\x7f nul\x00", `del\x7f nul\x00`},
		{"two\nlines\r\ttab", `two\nlines\r\ttab`},
		{"sep\u2028par\u2029", `sep\u2028par\u2029`},
	}
	for _, tt := range tests {
		got := cleanText(tt.in)
		if got != tt.out {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.out)
		}
		if again := cleanText(got); again != got {
			t.Errorf("cleanText is not idempotent on %q: %q", got, again)
		}
		if strings.ContainsAny(got, "\x1b\x07\u202e\u009b") {
			t.Errorf("cleanText(%q) kept a control or bidi character: %q", tt.in, got)
		}
	}
}

func TestServerTextIsCleanedWhereItEnters(t *testing.T) {
	evil := "x\x1b]52;c;aGk=\x07\u202e"
	q, _ := json.Marshal(evil)
	e := string(q)
	body := `{"data":{"mode":"primary","dr":{"mode":"disabled"},"performance":{"mode":` + e +
		`,"state":` + e + `,"cluster_id":` + e + `,"known_secondaries":[` + e + `],` +
		`"secondaries":[{"node_id":` + e + `,"api_address":` + e + `}],` + e + `:{"k":` + e + `}}}}`
	r, err := ParseReplicationStatus([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Performance
	for name, s := range map[string]string{"mode": p.RawMode, "state": p.RawState, "cluster_id": p.ClusterID,
		"known_secondaries": p.KnownSecondaries[0], "node_id": p.Secondaries[0].NodeID, "api_address": p.Secondaries[0].APIAddress} {
		if s != cleanText(evil) {
			t.Errorf("%s = %q, want it cleaned", name, s)
		}
	}
	for k, v := range p.Extra {
		if k != cleanText(evil) {
			t.Errorf("extra key %q not cleaned", k)
		}
		if m, _ := v.(map[string]any); m["k"] != cleanText(evil) {
			t.Errorf("extra value %q not cleaned", v)
		}
	}
	msgs := parseErrorBody([]byte(`{"errors":[` + e + `, "` + strings.Repeat("y", 2000) + `"]}`))
	if msgs[0] != cleanText(evil) || len(msgs[1]) > maxErrorMessage+len("…") {
		t.Errorf("error body not cleaned and bounded: %q", msgs)
	}
}
