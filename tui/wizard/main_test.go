package wizard

import (
	"os"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Golden files and view assertions are plain text: pin the colour
	// profile so that the environment (a TTY, NO_COLOR) changes nothing.
	lipgloss.SetColorProfile(termenv.Ascii)
	if code := m.Run(); code != 0 {
		os.Exit(code)
	}
	// The lab's clients keep idle keep-alive connections to its listeners,
	// which Close has shut; their read loops end on their own. teatest
	// leaves one goroutine per program waiting for a SIGINT by design.
	if err := goleak.Find(
		goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
	); err != nil {
		os.Stderr.WriteString("goleak: " + err.Error() + "\n")
		os.Exit(1)
	}
}
