package main

import (
	"time"

	"github.com/spf13/cobra"
)

// globalOptions are the flags every command that talks to clusters shares.
// Precedence is flags, then environment, then the config file.
type globalOptions struct {
	configPath string
	clusters   []string // --cluster name=addr, repeatable
	readOnly   bool
	interval   time.Duration
	timeout    time.Duration
	logFile    string
	noColor    bool
	insecure   bool
	theme      string
	explain    bool
	mouse      bool
	lab        string // --lab: a running lab's state file
}

func (g *globalOptions) register(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&g.configPath, "config", "", "config file (default $VAULTREPL_CONFIG or $XDG_CONFIG_HOME/vaultrepl/config.yaml)")
	f.StringArrayVar(&g.clusters, "cluster", nil, "a cluster as name=address (repeatable); overrides the config file's list")
	f.BoolVar(&g.readOnly, "read-only", false, "never write to any cluster (wizards hidden, writes refused)")
	f.DurationVar(&g.interval, "interval", 0, "poll interval (default 2s, or the config file's)")
	f.DurationVar(&g.timeout, "timeout", 0, "per-request timeout (default 5s, or the config file's)")
	f.StringVar(&g.logFile, "log-file", "", "write a debug log here (never to the terminal; tokens are never logged)")
	f.BoolVar(&g.noColor, "no-color", false, "no colours (NO_COLOR is honoured too)")
	f.BoolVar(&g.insecure, "insecure", false, "skip TLS verification (like VAULT_SKIP_VERIFY; shown as a warning)")
	f.StringVar(&g.theme, "theme", "", "colour theme: default or colorblind")
	f.BoolVar(&g.explain, "explain", false, "training mode: wizards explain each step")
	f.BoolVar(&g.mouse, "mouse", false, "dashboard: click focuses a pane, the wheel scrolls (off: the terminal keeps text selection)")
	f.StringVar(&g.lab, "lab", "", "a running lab's state file (vaultrepl lab prints it): its clusters, tokens, userpass login and control endpoint")
}
