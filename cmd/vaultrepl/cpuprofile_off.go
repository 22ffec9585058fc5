//go:build !vaultrepl_cpuprofile

package main

// stopCPUProfile ends the CPU profile a vaultrepl_cpuprofile build writes;
// without the tag there is none.
func stopCPUProfile() {}
