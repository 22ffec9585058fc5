// Command vaultrepl is a terminal UI for HashiCorp Vault Enterprise replication:
// live performance and DR status for every configured cluster, guided setup
// wizards, and a built-in lab of simulated clusters.
//
// This is the only package that chooses between real clusters and the
// simulator, and the only one that maps errors to exit codes.
package main

import (
	_ "earlyterm"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// version is set by the Makefile with -ldflags "-X main.version=…".
var version = "dev"

// exitError carries a process exit code out of a subcommand.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func main() {
	code := run(os.Args[1:])
	stopCPUProfile()
	os.Exit(code)
}

// run executes the command line and returns the process exit code.
func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "vaultrepl:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "vaultrepl:", err)
	return 1
}

func newRootCmd() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "vaultrepl",
		Short: "Watch, set up and repair Vault Enterprise replication",
		Long: `vaultrepl shows performance and DR replication status for every configured
Vault Enterprise cluster side by side, guides you through setting replication
up, and ships a lab of simulated clusters (vaultrepl demo, vaultrepl lab).

Clusters come from the config file (see 'vaultrepl info'), --cluster flags, or
VAULT_ADDR and VAULT_TOKEN as a single cluster.

Environment: VAULTREPL_CONFIG, VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT,
VAULT_CAPATH, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY, VAULT_SKIP_VERIFY,
NO_COLOR.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDashboard(cmd, g)
		},
	}
	g.register(root)
	root.AddCommand(
		newDemoCmd(g),
		newLabCmd(),
		newStatusCmd(g),
		newVersionCmd(),
		newInfoCmd(g),
	)
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "vaultrepl", version)
		},
	}
}
