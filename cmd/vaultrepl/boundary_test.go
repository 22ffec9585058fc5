package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The package boundaries of the module, checked over `go list -deps`:
//
//   - ops/sim (the simulated Vault) uses the standard library only, so the
//     lab can be lifted into any test or tool;
//   - ops (the domain) never depends on charmbracelet: no UI below tui;
//   - theme depends on lipgloss and what lipgloss needs, nothing else;
//   - tui and tui/... never depend on ops/sim (the dashboard is given a
//     lab through an interface);
//   - the vaultrepl binary does not link github.com/hashicorp/vault/api:
//     its package init (some fifty regular expressions compiled, HTTP/2 and
//     retry libraries set up) costs about 2.8 ms of every start, a fifth of
//     `vaultrepl version`. ops speaks Vault's HTTP API with net/http and
//     reads the VAULT_* environment itself; its tests hold it to what
//     vault/api does, which is why ops' tests may import vault/api;
//   - only cmd/vaultrepl imports ops/sim, besides ops/sim/simtest, the
//     helper that starts a lab for tests, which no non-test code imports.
//
// These are the imports of the code that is built (go list's Imports and
// Deps leave test files out). Test imports are not checked: tui's, ops' and
// cmd's tests drive a real lab (ops/sim through simtest), which is what the
// lab is for, and ops/sim's own tests may use test libraries (goleak)
// without the lab's code depending on them.
const module = "github.com/vaultrepl/vaultrepl"

type listedPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
}

func goList(t *testing.T, args ...string) map[string]listedPackage {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the packages: %v", err)
	}
	cmd := exec.Command(goTool, append([]string{"list", "-json=ImportPath,Standard,Imports,Deps"}, args...)...)
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, stderr.String())
	}
	pkgs := map[string]listedPackage{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

func TestPackageBoundaries(t *testing.T) {
	all := goList(t, "-deps", "./...")
	std := func(path string) bool { return all[path].Standard }
	get := func(path string) listedPackage {
		t.Helper()
		p, ok := all[path]
		if !ok {
			t.Fatalf("go list does not know %s", path)
		}
		return p
	}
	var own []string
	for path := range all {
		if path == module || strings.HasPrefix(path, module+"/") {
			own = append(own, path)
		}
	}
	slices.Sort(own)
	if len(own) < 6 {
		t.Fatalf("go list found only %v in the module", own)
	}

	sim, simtest := module+"/ops/sim", module+"/ops/sim/simtest"
	for _, d := range get(sim).Deps {
		if !std(d) {
			t.Errorf("ops/sim depends on %s: it must use the standard library only", d)
		}
	}
	for _, d := range get(module + "/ops").Deps {
		if strings.HasPrefix(d, "github.com/charmbracelet/") {
			t.Errorf("ops depends on %s: the domain has no UI", d)
		}
	}
	const vaultAPI = "github.com/hashicorp/vault/api"
	for _, d := range get(module + "/cmd/vaultrepl").Deps {
		if d == vaultAPI || strings.HasPrefix(d, vaultAPI+"/") {
			t.Errorf("the vaultrepl binary links %s: its package init slows every start; ops reaches Vault with net/http", d)
		}
	}
	lipgloss := "github.com/charmbracelet/lipgloss"
	allowed := append([]string{lipgloss}, get(lipgloss).Deps...)
	for _, d := range get(module + "/theme").Deps {
		if !std(d) && !slices.Contains(allowed, d) {
			t.Errorf("theme depends on %s, which is neither lipgloss nor something lipgloss needs", d)
		}
	}
	for _, path := range own {
		p := get(path)
		if path == module+"/tui" || strings.HasPrefix(path, module+"/tui/") {
			if slices.Contains(p.Deps, sim) {
				t.Errorf("%s depends on ops/sim: the dashboard gets a lab through an interface", path)
			}
		}
		if slices.Contains(p.Imports, sim) && path != module+"/cmd/vaultrepl" && path != simtest {
			t.Errorf("%s imports ops/sim: only cmd/vaultrepl wires the lab in", path)
		}
		if slices.Contains(p.Imports, simtest) {
			t.Errorf("%s imports ops/sim/simtest outside its tests: it is a test helper", path)
		}
	}
}
