package tui

import (
	"errors"
	"io"
	"os"
	"strings"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Clipboard puts text on the clipboard. It returns what it actually did, in
// a few words for the footer, because the usual way (an OSC 52 sequence)
// cannot be confirmed: the terminal, or tmux in front of it, may drop it.
type Clipboard func(text string) (did string, err error)

// osc52Clipboard writes an OSC 52 "set clipboard" sequence to the
// controlling terminal: /dev/tty rather than stdout, in one write, so it
// never interleaves with a frame. Inside tmux or screen it is wrapped so
// that the multiplexer passes it on.
func osc52Clipboard(text string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return "", errors.New("no terminal to send the clipboard sequence to")
	}
	inTmux := os.Getenv("TMUX") != "" || strings.HasPrefix(os.Getenv("TERM"), "tmux")
	werr := writeOSC52(tty, text, os.Getenv("TERM"), inTmux)
	if cerr := tty.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", errors.New("writing to the terminal failed")
	}
	if inTmux {
		return "sent as OSC 52 via tmux (needs set-clipboard on)", nil
	}
	return "sent as OSC 52 (the terminal may refuse it)", nil
}

func writeOSC52(w io.Writer, text, term string, inTmux bool) error {
	seq := osc52.New(text)
	switch {
	case inTmux:
		seq = seq.Tmux()
	case strings.HasPrefix(term, "screen"):
		seq = seq.Screen()
	}
	_, err := seq.WriteTo(w)
	return err
}

// copiedMsg is the result of a copy: what was copied and how.
type copiedMsg struct {
	what, did string
	err       error
}

// copyCmd runs the clipboard off the UI goroutine (it is terminal I/O).
func copyCmd(clip Clipboard, what, text string) tea.Cmd {
	return func() tea.Msg {
		did, err := clip(text)
		return copiedMsg{what: what, did: did, err: err}
	}
}

// updateCopied says what the copy did: never "copied" when all that is
// known is that a sequence was written.
func (m Model) updateCopied(msg copiedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		return m, m.setFlash("copy "+msg.what+" failed: "+msg.err.Error(), true)
	}
	return m, m.setFlash(msg.what+" "+msg.did, false)
}

// copyTarget is what y copies on the current screen: the focused cluster's
// address on the dashboard and in the detail view, the commands on the x
// screen (a script as shown, comments included).
func (m *Model) copyTarget() (what, text string, ok bool) {
	if m.screen == screenDetail && m.search != "" {
		if what, text, ok := m.foundField(); ok {
			return what, text, true
		}
	}
	switch m.screen {
	case screenDashboard, screenDetail:
		if int(m.focus) >= len(m.clusters) {
			return "", "", false
		}
		c := m.clusters[m.focus].spec
		return c.Name + " address", c.Address, c.Address != ""
	case screenCommands:
		return "the commands", plainLines(m.commandsContent()), true
	case screenTopology, screenHelp:
	}
	return "", "", false
}

// plainLines is styled text as plain lines without trailing blanks.
func plainLines(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}
