package tui

import (
	"os"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"go.uber.org/goleak"
)

// TestMain pins the colour profile and background so golden files are the
// same on a TTY and in CI, and checks that no test leaks a goroutine (poll
// reads, programs, labs).
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	os.Unsetenv("NO_COLOR")
	// teatest waits for SIGINT in a goroutine it never stops.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"))
}
