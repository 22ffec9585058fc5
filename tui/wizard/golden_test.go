package wizard

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/vaultrepl/vaultrepl/theme"
)

// asciiStyles pins the colour profile: golden files hold plain text.
func asciiStyles() theme.Styles {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	return theme.New(r, theme.DefaultPalette())
}

// goldenScreens drives the fake world to the main screens and checks each
// against its golden file (go test ./tui/wizard -run TestGolden -update).
func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			w := primaryWorld()
			deps := w.deps()
			deps.Styles = asciiStyles()
			d := newDriver(t, deps, Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2", Secondary: "us-east-1"})
			d.m = d.m.SetSize(size[0], size[1])
			d.keys("enter", "enter")
			d.wantPhase(stToken, phReview)
			goldenCheck(t, "token_review", d.m.View())
			d.keys("enter")
			d.wantPhase(stToken, phToken)
			tok := d.m.tok.Token
			goldenCheck(t, "token_masked", d.m.View())
			d.keys("enter", "enter")
			d.wantPhase(stActivate, phReview)
			goldenCheck(t, "activate_review", d.m.View())
			d.keys("enter")
			d.wantPhase(stActivate, phConfirm)
			goldenCheck(t, "purge_warning", d.m.View())
			if strings.Contains(d.m.View(), tok[:24]) {
				t.Fatal("the purge screen shows the token")
			}
		})
	}
}

func goldenCheck(t *testing.T, name, view string) {
	t.Helper()
	t.Run(name, func(t *testing.T) { golden.RequireEqual(t, view) })
}

// TestViewFitsTheArea: every screen of a flow stays within the size given
// by SetSize, at the smallest size the dashboard allows.
func TestViewFitsTheArea(t *testing.T) {
	w := primaryWorld()
	deps := w.deps()
	deps.Explain = true
	d := newDriver(t, deps, Start{Flow: FlowSecondaryToken, TypeKnown: true, Primary: "us-east-2", Secondary: "us-east-1"})
	fits := func() {
		t.Helper()
		v := d.m.View()
		lines := strings.Split(v, "\n")
		if len(lines) > 24 {
			t.Fatalf("%d lines:\n%s", len(lines), v)
		}
		for _, l := range lines {
			if lipgloss.Width(l) > 80 {
				t.Fatalf("line wider than 80: %q", l)
			}
		}
	}
	for _, k := range []string{"enter", "enter", "enter", "v", "enter", "enter", "enter"} {
		fits()
		d.keys(k)
	}
	fits()
	d.wantPhase(stActivate, phConfirm)
	d.wantView("training text hidden")
}
