package main

import (
	"bytes"
	"regexp"
	"testing"
	"time"
)

// altScreen is what bubbletea writes when it takes over the terminal; from
// then on its input reader owns stdin, and an answer to a query would be
// read as key presses.
var altScreen = []byte("\x1b[?1049h")

// In a terminal that answers no query (script, serial consoles, CI), the
// dashboard asks for the background colour once, and only when colours
// are drawn and nothing else has decided the background; every query is
// written before the screen is taken over. The first frame with data must
// then come (a failed wait is a failure, never a skip). How long the bound
// on the answer is belongs to BenchmarkDemoStartupSilent, not here.
func TestSilentTerminalQueries(t *testing.T) {
	bin := vaultreplBinary(t) // before isolate: the build uses the user's Go caches
	isolate(t)
	frame := regexp.MustCompile(`[1-4]/4 reachable`)
	for _, tc := range []struct {
		name    string
		env     []string
		args    []string
		queries int // OSC 11 and CSI 6n each
	}{
		{name: "colours, background unknown", queries: 1},
		{name: "NO_COLOR", env: []string{"NO_COLOR=1"}},
		{name: "--no-color", args: []string{"--no-color"}},
		{name: "COLORFGBG names the background", env: []string{"COLORFGBG=15;0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"demo", "--seed", "1"}, tc.args...)
			p := startInPTYWith(t, ptyOptions{silent: true, env: tc.env}, bin, args...)
			_, ok := p.waitFor(frame, 60*time.Second)
			p.stop(t)
			if !ok {
				t.Fatalf("no frame with data in a silent terminal:\n%s", p.tail())
			}
			out := p.output()
			screen := bytes.Index(out, altScreen)
			if screen < 0 {
				t.Fatalf("the alternate screen was never entered:\n%s", p.tail())
			}
			for _, q := range []struct {
				name string
				seq  []byte
			}{{"OSC 11 (background colour)", oscBackground}, {"CSI 6n (cursor position)", cursorQuery}} {
				if n := bytes.Count(out, q.seq); n != tc.queries {
					t.Errorf("%s written %d times, want %d", q.name, n, tc.queries)
				}
				if i := bytes.LastIndex(out, q.seq); i > screen {
					t.Errorf("%s written after the screen was taken over (byte %d > %d): its answer would be read as keys", q.name, i, screen)
				}
			}
		})
	}
}

// A command that draws no screen never asks the terminal anything, not
// even from bubbletea's package init.
func TestSilentTerminalVersionAsksNothing(t *testing.T) {
	bin := vaultreplBinary(t)
	isolate(t)
	p := startInPTYWith(t, ptyOptions{silent: true}, bin, "version")
	_, ok := p.waitFor(regexp.MustCompile(`vaultrepl \S+`), 60*time.Second)
	p.stop(t)
	if !ok {
		t.Fatalf("version printed nothing:\n%s", p.tail())
	}
	out := p.output()
	if bytes.Contains(out, oscBackground) || bytes.Contains(out, cursorQuery) {
		t.Errorf("version queried the terminal: %q", out)
	}
}
