package main

// Temporary: each of these is replaced by its own file as the commands land.

import (
	"errors"

	"github.com/spf13/cobra"
)

var errNotBuilt = errors.New("not built yet")

func runDashboard(*cobra.Command, *globalOptions) error { return errNotBuilt }

func newDemoCmd(*globalOptions) *cobra.Command {
	return &cobra.Command{Use: "demo", RunE: func(*cobra.Command, []string) error { return errNotBuilt }}
}
