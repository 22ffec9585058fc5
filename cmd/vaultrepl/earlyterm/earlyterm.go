// Package earlyterm decides, before bubbletea's package init runs, whether
// vaultrepl asks the terminal for its background colour at all, and how long
// it waits for the answer.
//
// bubbletea v1.3.10 (tea_init.go) calls lipgloss.HasDarkBackground from its
// package init, so every process that links it, even `vaultrepl version`,
// writes the background-colour query (OSC 11) and a cursor-position query
// (CSI 6n) and waits up to termenv's OSCTimeout (a constant 5 s, per byte)
// for an answer that a
// terminal such as `script`, a serial console or a CI runner never sends
// (upstream: charmbracelet/bubbletea#1771, closed for v2). Nothing in main
// runs early enough to stop it. This package does: Go initialises, among the
// packages whose imports are done, the one whose import path sorts first
// (The Go Programming Language Specification, "Package initialization").
// This module's path, "earlyterm", sorts before
// "github.com/charmbracelet/bubbletea", and it imports lipgloss, so its init
// runs right after lipgloss's and right before bubbletea's.
package earlyterm

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"golang.org/x/sys/unix"
)

// Timeout bounds the wait for the terminal's whole answer. A local
// terminal answers in well under a millisecond; one that answers nothing
// costs this once.
const Timeout = 100 * time.Millisecond

// ValueFlags are the global flags that take a value as the next argument
// (cmd/vaultrepl's tests check this list against the command's flags).
var ValueFlags = []string{"--config", "--cluster", "--interval", "--timeout", "--log-file", "--theme", "--lab"}

// drawing are the commands that draw a full screen; "" is the root (the dashboard).
var drawing = map[string]bool{"": true, "demo": true}

func init() {
	dark, ok := Decided(os.Args[1:], os.Getenv)
	if !ok {
		// Ask once, bounded; termenv's answer to no answer is a black
		// (dark) background, and so is ours.
		dark = true
		if d, answered := ask(os.Stdout, os.Getenv("TERM")); answered {
			dark = d
		}
	}
	// An explicit background: lipgloss's default renderer, and so
	// bubbletea's init, never asks again.
	lipgloss.SetHasDarkBackground(dark)
}

// Decided reports whether the background is known without asking the
// terminal, and whether it is dark. It is when nothing will be drawn in
// colour (a command that does not draw a screen, -h/--help, --no-color,
// NO_COLOR: the value then does not matter) or when COLORFGBG names the
// background as one of the 16 ANSI colours.
func Decided(args []string, getenv func(string) string) (dark, ok bool) {
	if !drawing[command(args)] || getenv("NO_COLOR") != "" {
		return true, true
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		switch a {
		case "--no-color", "--no-color=true", "-h", "--help", "--help=true":
			return true, true
		}
	}
	// COLORFGBG is "fg;bg" (rxvt, Konsole and others set it); ANSI colours
	// 0–6 are dark backgrounds and 7–15 light, as termenv reads them.
	if v := getenv("COLORFGBG"); strings.Contains(v, ";") {
		n, err := strconv.Atoi(v[strings.LastIndexByte(v, ';')+1:])
		if err == nil && n >= 0 && n <= 15 {
			return n <= 6, true
		}
	}
	return false, false
}

// command is the first argument that is neither a flag nor a flag's value.
func command(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return args[i+1]
			}
			return ""
		}
		if !strings.HasPrefix(a, "-") {
			return a
		}
		for _, f := range ValueFlags {
			if a == f {
				i++ // its value
			}
		}
	}
	return ""
}

// ask writes the background-colour query and, as a fence every terminal
// answers, the cursor-position query, then reads until both answers are in,
// the cursor answer comes first (no OSC 11 support), or Timeout passes.
// Like termenv it asks only a foreground terminal that is not screen, tmux
// or dumb, with echo and line buffering off while it reads.
func ask(f *os.File, term string) (dark, answered bool) {
	if strings.HasPrefix(term, "screen") || strings.HasPrefix(term, "tmux") || strings.HasPrefix(term, "dumb") {
		return false, false
	}
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return false, false // not a terminal
	}
	if pg, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err != nil || pg != unix.Getpgrp() {
		return false, false // in the background: the terminal is not ours
	}
	raw := *t
	raw.Lflag &^= unix.ECHO | unix.ICANON
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		return false, false
	}
	defer func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, t) }()
	if _, err := f.WriteString("\x1b]11;?\x1b\\\x1b[6n"); err != nil {
		return false, false
	}
	var got []byte
	buf := make([]byte, 256)
	deadline := time.Now().Add(Timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return false, false
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return false, false
		}
		m, err := unix.Read(fd, buf)
		if err != nil || m <= 0 {
			return false, false
		}
		got = append(got, buf[:m]...)
		if d, done, ok := parse(got); done {
			return d, ok
		}
	}
}

// parse reads the answers so far: done once the cursor answer (ESC [ … R)
// is in; ok when an OSC 11 answer (ESC ] 11 ; rgb:R/G/B) came before it.
func parse(b []byte) (dark, done, ok bool) {
	s := string(b)
	end := strings.IndexByte(s, 'R')
	if end < 0 || !strings.Contains(s[:end], "\x1b[") {
		return false, false, false
	}
	i := strings.Index(s[:end], "]11;rgb:")
	if i < 0 {
		return false, true, false
	}
	parts := strings.SplitN(s[i+len("]11;rgb:"):], "/", 3)
	if len(parts) != 3 {
		return false, true, false
	}
	var rgb [3]float64
	for k, p := range parts {
		j := 0
		for j < len(p) && strings.IndexByte("0123456789abcdefABCDEF", p[j]) >= 0 {
			j++
		}
		if j == 0 || j > 4 {
			return false, true, false
		}
		v, err := strconv.ParseUint(p[:j], 16, 32)
		if err != nil {
			return false, true, false
		}
		rgb[k] = float64(v) / float64(uint64(1)<<(4*j)-1)
	}
	// HSL lightness, the measure termenv uses: dark below one half.
	hi, lo := max(rgb[0], rgb[1], rgb[2]), min(rgb[0], rgb[1], rgb[2])
	return (hi+lo)/2 < 0.5, true, true
}
