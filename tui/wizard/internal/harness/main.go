// Command harness is a throwaway host for looking at the wizard in a
// terminal against a fresh simulated lab. Not part of the product.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/tui/wizard"
)

type host struct {
	w      wizard.Model
	closed *wizard.ClosedMsg
}

func (h host) Init() tea.Cmd { return h.w.Init() }

func (h host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if msg.String() == "ctrl+c" {
			return h, tea.Quit
		}
	case tea.WindowSizeMsg:
		h.w = h.w.SetSize(msg.Width, msg.Height)
		return h, nil
	case wizard.ClosedMsg:
		h.closed = &msg
		return h, tea.Quit
	case wizard.ClientChangedMsg, wizard.WroteMsg:
		return h, nil
	}
	var cmd tea.Cmd
	h.w, cmd = h.w.Update(msg)
	return h, cmd
}

func (h host) View() string { return h.w.View() }

func main() {
	speed := flag.Float64("speed", 5, "simulated time per real time")
	explain := flag.Bool("explain", false, "training mode")
	topo := flag.String("topology", "fresh", "lab topology")
	flow := flag.String("flow", "setup", "wizard flow")
	flag.Parse()
	lab, err := sim.New(sim.Options{Topology: *topo, Speed: *speed})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := lab.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer lab.Close()
	clients := map[string]*ops.Client{}
	var cs []wizard.Cluster
	for _, ci := range lab.Clusters() {
		c, err := ops.NewClient(ops.ClusterConfig{Name: ci.Name, Address: ci.Addr, Token: ops.TokenSource{Inline: ci.Token}}, ops.ClientOptions{Timeout: 5 * time.Second})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		clients[ci.Name] = c
		cs = append(cs, wizard.Cluster{Name: ci.Name, Address: ci.Addr, Op: c})
	}
	user, pass := lab.Userpass()
	_ = os.WriteFile("/tmp/harness-pass", []byte(pass), 0o600)
	login := func(ctx context.Context, cluster, u, p string) (wizard.Operator, error) {
		c := clients[cluster]
		tok, err := c.LoginUserpass(ctx, "userpass", u, p)
		if err != nil {
			return nil, err
		}
		return c.WithToken(tok)
	}
	f, _ := wizard.ParseFlow(*flow)
	m := wizard.New(wizard.Deps{Clusters: cs, Now: lab.Now, Login: login, Username: user, Interval: 500 * time.Millisecond, Explain: *explain}, wizard.Start{Flow: f})
	if _, err := tea.NewProgram(host{w: m}, tea.WithAltScreen()).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
