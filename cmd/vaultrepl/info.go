package main

import (
	"errors"
	"fmt"
	"io"
	"os"
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
		fmt.Fprintf(tw, "  %s\t%s\ttoken: %s%s\n", c.Name, c.Address, c.Token.Describe(), clusterFlags(c))
	}
	_ = tw.Flush()
	if s.Insecure {
		fmt.Fprintln(out, "warning: TLS verification is off for at least one cluster (--insecure, VAULT_SKIP_VERIFY or tls.insecure)")
	}
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
