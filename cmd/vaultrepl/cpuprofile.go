//go:build vaultrepl_cpuprofile

package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// A binary built with -tags vaultrepl_cpuprofile writes a CPU profile of
// the whole run to $VAULTREPL_CPUPROFILE (make bench-idle PROFILE=file).
// Release builds carry none of this.

var cpuProfile *os.File

func init() {
	path := os.Getenv("VAULTREPL_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vaultrepl: cpu profile:", err)
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "vaultrepl: cpu profile:", err)
		f.Close()
		return
	}
	cpuProfile = f
}

func stopCPUProfile() {
	if cpuProfile == nil {
		return
	}
	pprof.StopCPUProfile()
	cpuProfile.Close()
	cpuProfile = nil
}
