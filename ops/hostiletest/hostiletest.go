// Package hostiletest is a hostile fake Vault for tests in every package: it
// answers with terminal escape sequences and bidi overrides in every text
// field and error body, and can redirect requests to a second listener. Check
// reports any of those sequences in bytes a command wrote to the terminal.
//
// It uses the standard library only, so that any package's tests may import it.
package hostiletest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// The attacks a hostile server or a man in the middle can send to whoever
// prints its text on a terminal.
const (
	// OSC52 writes "pwned" to the operator's clipboard.
	OSC52 = "\x1b]52;c;cHduZWQ=\x07"
	// OSC8 plants a hyperlink whose text hides its target.
	OSC8 = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
	// ClearScreen erases the screen (CSI 2J).
	ClearScreen = "\x1b[2J"
	// RLO is RIGHT-TO-LEFT OVERRIDE: the text after it reads backwards.
	RLO = "\u202e"
	// CSI8bit is the C1 control CSI (U+009B), which some terminals obey.
	CSI8bit = "\u009b2J"
	// Isolate is a bidi isolate (U+2066 … U+2069).
	Isolate = "\u2066x\u2069"
)

// Payload carries every attack at once.
const Payload = OSC52 + OSC8 + ClearScreen + RLO + CSI8bit + Isolate

// Text is tag followed by the payload: the tag says in a failure which field
// got through.
func Text(tag string) string { return tag + Payload }

// HealthBody is a sys/health answer of an active, unsealed Enterprise node
// whose every text field is hostile.
func HealthBody() []byte {
	return mustJSON(map[string]any{
		"initialized": true, "sealed": false, "standby": false, "performance_standby": false,
		"replication_performance_mode": "primary", "replication_dr_mode": "disabled",
		"server_time_utc": 1709564758, "version": Text("1.19.0+ent"), "enterprise": true,
		"cluster_name": Text("cluster-name"), "cluster_id": Text("cluster-id"),
		"license": map[string]any{"state": Text("autoloaded"), "expiry_time": "2030-01-01T00:00:00Z", "terminated": false},
	})
}

// ReplicationBody is a sys/replication/status answer: a performance primary
// with one secondary and a DR secondary, every text field hostile. With
// hostileModes the mode fields are hostile too (and so unrecognised), which
// sends the views down their "unknown mode" path instead.
func ReplicationBody(hostileModes bool) []byte {
	perfMode, drMode := "primary", "secondary"
	if hostileModes {
		perfMode, drMode = Text("mode"), Text("mode")
	}
	peer := func(tag string) map[string]any {
		return map[string]any{
			"node_id": Text(tag + "-node-id"), "api_address": Text("https://" + tag + ":8200"),
			"cluster_address": Text("https://" + tag + ":8201"), "connection_status": "connected",
			"last_heartbeat": "2024-03-04T15:05:56Z", "last_heartbeat_duration_ms": "12",
			"clock_skew_ms": "0", "replication_primary_canary_age_ms": "660",
		}
	}
	return mustJSON(map[string]any{"data": map[string]any{
		"performance": map[string]any{
			"mode": perfMode, "state": Text("running"), "cluster_id": Text("perf-cluster-id"),
			"merkle_root": Text("merkle"), "last_wal": 100, "last_performance_wal": 100,
			"known_secondaries": []any{Text("known-secondary")}, "primary_cluster_addr": Text("https://primary:8201"),
			"connection_state": Text("ready"), "secondaries": []any{peer("secondary")},
			Text("unknown-key"): Text("unknown-value"),
		},
		"dr": map[string]any{
			"mode": drMode, "state": Text("stream-wals"), "cluster_id": Text("dr-cluster-id"),
			"merkle_root": Text("merkle"), "last_remote_wal": 90, "connection_state": Text("ready"),
			"primary_cluster_addr": Text("https://primary:8201"), "known_primary_cluster_addrs": []any{Text("https://primary:8201")},
			"primaries": []any{peer("primary")}, "secondary_id": Text("secondary-id"),
		},
	}})
}

// ErrorBody is Vault's {"errors":[…]} with hostile messages and a warning.
func ErrorBody() []byte {
	return mustJSON(map[string]any{"errors": []any{Text("error"), Text("second error")}, "warnings": []any{Text("warning")}})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Server is a hostile fake Vault that records what reached it.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
	handler  http.Handler
}

// Request is what the server received.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         string
}

// NewServer serves sys/health and sys/replication/status with the hostile
// bodies (ReplicationBody(hostileModes)); any other path answers 400 with
// ErrorBody. Closed when the test ends.
func NewServer(tb testing.TB, hostileModes bool) *Server {
	return NewServerWith(tb, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/sys/health":
			_, _ = w.Write(HealthBody())
		case "/v1/sys/replication/status":
			_, _ = w.Write(ReplicationBody(hostileModes))
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(ErrorBody())
		}
	}))
}

// NewErrorServer answers every request with status and ErrorBody.
func NewErrorServer(tb testing.TB, status int) *Server {
	return NewServerWith(tb, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(ErrorBody())
	}))
}

// NewServerWith serves h, recording every request first.
func NewServerWith(tb testing.TB, h http.Handler) *Server {
	tb.Helper()
	s := &Server{handler: h}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var body strings.Builder
	if r.Body != nil {
		buf := make([]byte, 4096)
		for {
			n, err := r.Body.Read(buf)
			body.Write(buf[:n])
			if err != nil {
				break
			}
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body.String()})
	s.mu.Unlock()
	s.handler.ServeHTTP(w, r)
}

// Requests returns what reached the server so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Redirect answers every request with status and a Location on target (the
// same path and query), as a standby or a hostile proxy does.
func Redirect(status int, target string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", strings.TrimSuffix(target, "/")+r.URL.RequestURI())
		w.WriteHeader(status)
	})
}

// sgr matches a Select Graphic Rendition sequence (colours, bold): the only
// escape sequence a renderer of ours may write by itself.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// Check reports, as test errors, every hostile sequence in out, text a
// renderer wrote for a terminal: any escape sequence other than SGR, BEL,
// C1 controls (as UTF-8 or as raw bytes) and the bidi controls.
func Check(tb testing.TB, what string, out []byte) {
	tb.Helper()
	report(tb, what, Problems(out, true, false))
}

// CheckNoEscapes is Check that allows no escape sequence at all (output to
// a file or a pipe, which gets no colours).
func CheckNoEscapes(tb testing.TB, what string, out []byte) {
	tb.Helper()
	report(tb, what, Problems(out, false, false))
}

// CheckJSON is CheckNoEscapes for a JSON document, which also must not
// carry the JSON escapes of ESC, BEL, CSI and RLO: whoever decodes it and
// prints a string would write them to a terminal.
func CheckJSON(tb testing.TB, what string, out []byte) {
	tb.Helper()
	report(tb, what, Problems(out, false, true))
}

func report(tb testing.TB, what string, probs []string) {
	tb.Helper()
	for _, p := range probs {
		tb.Errorf("%s: %s", what, p)
	}
}

// Problems lists what the checks report; isJSON adds the JSON escapes.
func Problems(out []byte, allowSGR, isJSON bool) []string {
	s := string(out)
	if allowSGR {
		s = sgr.ReplaceAllString(s, "")
	}
	var probs []string
	for _, bad := range []struct{ seq, name string }{
		{"\x1b]", "an OSC sequence (ESC ])"},
		{"\x1b[2J", "a screen clear (ESC [2J)"},
		{"\x1b", "an escape character"},
		{"\x07", "a BEL"},
	} {
		if i := strings.Index(s, bad.seq); i >= 0 {
			probs = append(probs, fmt.Sprintf("%s at byte %d: %q", bad.name, i, around(s, i)))
		}
	}
	for _, esc := range jsonEscapes {
		if !isJSON {
			break
		}
		if i := jsonEscape(s, esc); i >= 0 {
			probs = append(probs, fmt.Sprintf("the JSON escape %s at byte %d: %q", esc, i, around(s, i)))
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1 && s[i] >= 0x80 && s[i] < 0xa0:
			probs = append(probs, fmt.Sprintf("a raw C1 byte %#x at byte %d: %q", s[i], i, around(s, i)))
		case r >= 0x80 && r < 0xa0:
			probs = append(probs, fmt.Sprintf("C1 control %U at byte %d: %q", r, i, around(s, i)))
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			probs = append(probs, fmt.Sprintf("bidi control %U at byte %d: %q", r, i, around(s, i)))
		}
		i += size
	}
	return probs
}

var jsonEscapes = []string{`\u001b`, `\u001B`, `\u0007`, `\u009b`, `\u009B`, `\u202e`, `\u202E`}

// jsonEscape is the index of esc in s where it is a JSON escape (preceded by
// an even number of backslashes), not the text of one ("\\u001b" is the
// visible escape cleanText writes, encoded), or -1.
func jsonEscape(s, esc string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], esc)
		if i < 0 {
			return -1
		}
		i += off
		n := 0
		for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return i
		}
		off = i + len(esc)
	}
}

func around(s string, i int) string {
	lo, hi := max(0, i-30), min(len(s), i+30)
	return s[lo:hi]
}
