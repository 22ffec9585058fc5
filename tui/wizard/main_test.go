package wizard

import (
	"os"
	"testing"
	"time"

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
	if err := leaks(); err != nil {
		os.Stderr.WriteString("goleak: " + err.Error() + "\n")
		os.Exit(1)
	}
}

// leaks looks for goroutines left behind. A quit program's last timers
// (the wizard's 1s clock tick) end within a second, so it waits for them for
// a few seconds rather than ignore timers. The lab's clients keep idle
// keep-alive connections whose read loops end on their own, and teatest
// leaves one goroutine per program waiting for a SIGINT by design.
func leaks() error {
	opts := []goleak.Option{
		goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
	}
	var err error
	for range 10 {
		if err = goleak.Find(opts...); err == nil {
			return nil
		}
		time.Sleep(300 * time.Millisecond)
	}
	return err
}
