// Package simtest starts a simulated lab for tests and benchmarks in other
// packages: it is the one place that pairs sim.New and Start with Close.
package simtest

import (
	"testing"

	"github.com/vaultrepl/vaultrepl/ops/sim"
)

// Start builds a lab with opts, serves it on loopback and closes it when the
// test or benchmark ends (checking that it closed cleanly).
func Start(tb testing.TB, opts sim.Options) *sim.Lab {
	tb.Helper()
	lab, err := sim.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	if err := lab.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := lab.Close(); err != nil {
			tb.Errorf("lab.Close: %v", err)
		}
	})
	return lab
}
