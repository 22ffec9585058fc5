package wizard

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"
)

// copyCmd puts the token on the clipboard off the UI goroutine. The note
// says what was done: a host's Copy reports a copy; the default can only
// say that an OSC 52 sequence was sent, which the terminal (or tmux in
// front of it) may drop without a word.
func copyCmd(copyFn func(string) error, text string) tea.Cmd {
	if copyFn == nil {
		return func() tea.Msg {
			err := osc52Copy(text)
			return copiedMsg{err: err, did: osc52Did(os.Getenv("TERM"), os.Getenv("TMUX") != "")}
		}
	}
	return func() tea.Msg { return copiedMsg{err: copyFn(text), did: "copied to the clipboard"} }
}

// osc52Did says what the default copy did, in the words of the note.
func osc52Did(term string, inTmux bool) string {
	if inTmux || strings.HasPrefix(term, "tmux") {
		return "sent to the terminal as an OSC 52 clipboard sequence, through tmux (it needs set-clipboard on): " +
			"paste it somewhere harmless to check, or save it (s)"
	}
	return "sent to the terminal as an OSC 52 clipboard sequence (the terminal may refuse it): " +
		"paste it somewhere harmless to check, or save it (s)"
}

// osc52Copy writes an OSC 52 "set clipboard" sequence to the controlling
// terminal. It goes to /dev/tty rather than stdout so that the token can never
// end up in a redirected output or log file, and it is one write, so it does
// not interleave with bubbletea's frames. Inside tmux or screen the sequence
// is wrapped so that the multiplexer passes it on.
func osc52Copy(text string) error {
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return errors.New("no terminal to send the clipboard sequence to")
	}
	werr := writeOSC52(tty, text, os.Getenv("TERM"), os.Getenv("TMUX") != "")
	cerr := tty.Close()
	if werr != nil {
		return errors.New("writing to the terminal failed")
	}
	return cerr
}

// writeOSC52 writes the sequence in the form the terminal (or the
// multiplexer in front of it) passes on.
func writeOSC52(w io.Writer, text, term string, inTmux bool) error {
	seq := osc52.New(text)
	switch {
	case inTmux || strings.HasPrefix(term, "tmux"):
		seq = seq.Tmux()
	case strings.HasPrefix(term, "screen"):
		seq = seq.Screen()
	}
	_, err := seq.WriteTo(w)
	return err
}

// saveCmd writes the token to a new file with mode 0600. O_EXCL: an existing
// file (or a symlink planted where the file would go) is never followed or
// overwritten.
func saveCmd(path, token string) tea.Cmd {
	return func() tea.Msg {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return savedMsg{path: path, err: err}
		}
		_, werr := f.WriteString(token + "\n")
		cerr := f.Close()
		if werr == nil {
			werr = cerr
		}
		if werr != nil {
			_ = os.Remove(path)
		}
		return savedMsg{path: path, err: werr}
	}
}

func (m Model) defaultSavePath() string {
	dir := m.d.SaveDir
	if dir == "" {
		if h, err := os.UserHomeDir(); err == nil {
			dir = h
		}
	}
	id := m.tok.ID
	if id == "" {
		id = "secondary"
	}
	return filepath.Join(dir, "vaultrepl-activation-"+id+".token")
}
