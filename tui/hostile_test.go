package tui

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/hostiletest"
	"github.com/vaultrepl/vaultrepl/theme"
)

// colourStyles draw with 256 colours, so that the views write lipgloss's SGR
// sequences: the check must tell them from anything a server sent.
func colourStyles() theme.Styles {
	r := lipgloss.NewRenderer(&bytes.Buffer{})
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	return theme.New(r, theme.DefaultPalette())
}

// The dashboard, reading hostile servers through real ops clients, writes no
// escape sequence but its own colours and no bidi control: on the grid, in
// each cluster's detail view (peers, extras, errors, timeline), on the
// topology and commands screens.
func TestDashboardAgainstHostileServers(t *testing.T) {
	servers := []struct {
		name string
		srv  *hostiletest.Server
	}{
		{"evil", hostiletest.NewServer(t, false)},
		{"evil-modes", hostiletest.NewServer(t, true)},
		{"evil-errors", hostiletest.NewErrorServer(t, http.StatusInternalServerError)},
		{"evil-denied", hostiletest.NewErrorServer(t, http.StatusForbidden)},
	}
	specs := make([]ClusterSpec, len(servers))
	for i, s := range servers {
		c, err := ops.NewClient(ops.ClusterConfig{Name: s.name, Address: s.srv.URL}, ops.ClientOptions{})
		if err != nil {
			t.Fatal(err)
		}
		specs[i] = ClusterSpec{Name: s.name, Address: s.srv.URL, Reader: c}
	}
	clk := newTestClock()
	m := newTestModel(specs, clk, 160, 48, func(d *Deps) { d.Styles = colourStyles() })
	m = pollAll(m, clk)
	clk.Advance(m.fixed.deps.Interval)
	m = pollAll(m, clk) // a second poll, for the timeline
	hostiletest.Check(t, "grid", []byte(m.View()))
	for _, keys := range [][]string{{"t"}, {"x"}, {"?"}} {
		mm := m
		for _, k := range keys {
			mm = send(mm, keyMsg(k))
		}
		hostiletest.Check(t, fmt.Sprint(keys), []byte(mm.View()))
	}
	var details strings.Builder
	for i := range servers {
		mm := m
		for range i {
			mm = send(mm, keyMsg("down"))
		}
		mm = send(mm, keyMsg("enter"))
		for _, keys := range [][]string{nil, {"G"}, {"x"}} {
			v := mm
			for _, k := range keys {
				v = send(v, keyMsg(k))
			}
			view := v.View()
			details.WriteString(view)
			hostiletest.Check(t, fmt.Sprintf("detail of %s %v", servers[i].name, keys), []byte(view))
		}
	}
	// The hostile text is shown, made visible, not dropped: the check above
	// looked at the fields it was meant to.
	for _, want := range []string{`secondary-node-id\x1b]52;c;`, `cluster-name\x1b]52`, `error\x1b]52`} {
		if !strings.Contains(ansi.Strip(details.String()), want) {
			t.Errorf("no detail view shows %q", want)
		}
	}
}
