package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vaultrepl/vaultrepl/ops"
)

func newInfoCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "info",
		Short: "Print the version, where the config and log files live, and the clusters in use",
		Long: `info prints vaultrepl's version, the config file it reads (and whether it
exists), the default log file location, and the clusters the other commands
would use, with where each token comes from (never the token itself).

A broken config file is reported, not fatal: info is where you look first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			printInfo(cmd.OutOrStdout(), g)
			return nil
		},
	}
}

func printInfo(out io.Writer, g *globalOptions) {
	path, origin := configLocation(g)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "version:\t%s\n", version)
	fmt.Fprintf(tw, "config file:\t%s (%s, %s)\n", path, origin, existence(path))
	logPath, logOrigin := g.logFile, "--log-file"
	if logPath == "" {
		logPath, logOrigin = ops.DefaultLogPath(), "default location; written only with --log-file"
	}
	fmt.Fprintf(tw, "log file:\t%s (%s)\n", logPath, logOrigin)
	_ = tw.Flush()

	s, err := loadSettings(g)
	if err != nil {
		fmt.Fprintf(out, "\nclusters: none usable: %v\n", err)
		if e, ok := asOpsError(err); ok && e.Hint() != "" {
			fmt.Fprintf(out, "hint: %s\n", e.Hint())
		}
		return
	}
	fmt.Fprintf(out, "\nclusters (from %s; read-only %t; interval %s; timeout %s):\n", s.Source, s.ReadOnly, s.Interval, s.Timeout)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, c := range s.Clusters {
		fmt.Fprintf(tw, "  %s\t%s\ttoken: %s%s\n", c.Name, c.Address, describeToken(c.Token), clusterFlags(c))
	}
	_ = tw.Flush()
	if s.Lab != nil {
		fmt.Fprintf(out, "lab: control endpoint %s; userpass login %s\n", s.Lab.Control, s.Lab.Userpass.Username)
	}
	if s.Insecure {
		fmt.Fprintln(out, "warning: TLS verification is off for at least one cluster (--insecure, VAULT_SKIP_VERIFY or tls.insecure)")
	}
}

// describeToken names where a cluster's token comes from and says when
// that place is empty: "env VAULT_TOKEN" for an unset variable would send
// the reader looking for a token that is not there.
func describeToken(t ops.TokenSource) string {
	d := t.Describe()
	if t.Env == "" || os.Getenv(t.Env) != "" {
		return d
	}
	unset := "unset"
	if t.Inline == "" && t.File == "" && !t.Helper {
		unset = "unset: no token"
	}
	return strings.Replace(d, "env "+t.Env, "env "+t.Env+" ("+unset+")", 1)
}

// configLocation is the config path loadSettings uses, and why.
func configLocation(g *globalOptions) (path, origin string) {
	switch {
	case g.configPath != "":
		return g.configPath, "--config"
	case os.Getenv(ops.EnvConfig) != "":
		return os.Getenv(ops.EnvConfig), "$" + ops.EnvConfig
	}
	return ops.DefaultConfigPath(), "default"
}

func existence(path string) string {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return "exists"
	case errors.Is(err, os.ErrNotExist):
		return "does not exist"
	}
	return "unreadable: " + err.Error()
}

func clusterFlags(c ops.ClusterConfig) string {
	s := ""
	if c.Label != "" {
		s += "; label " + c.Label
	}
	if c.Namespace != "" {
		s += "; namespace " + c.Namespace
	}
	if c.ReadOnly {
		s += "; read-only"
	}
	if c.Protected {
		s += "; protected"
	}
	if c.TLS.Insecure {
		s += "; TLS NOT VERIFIED"
	}
	return s
}
