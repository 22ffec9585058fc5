package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// TestMain removes the binary the benchmarks build (see vaultreplBinary).
func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		_ = os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// vaultreplBinary builds the command once per test process, as `make build`
// would (no -race, no coverage: the figures are the shipped binary's). Call
// it before isolate, which moves HOME and with it Go's default caches.
func vaultreplBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("the go command is needed to build vaultrepl: %w", err)
			return
		}
		dir, err := os.MkdirTemp("", "vaultrepl-bench-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "vaultrepl")
		args := []string{"build", "-o", builtBin}
		if os.Getenv("VAULTREPL_CPUPROFILE") != "" {
			// make bench-idle PROFILE=file: the binary writes a CPU profile there.
			args = append(args, "-tags", "vaultrepl_cpuprofile")
		}
		cmd := exec.Command(goBin, append(args, ".")...)
		// Static, as make build links it (no C loader at start-up).
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return builtBin
}
