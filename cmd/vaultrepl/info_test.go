package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestInfo(t *testing.T) {
	isolate(t)
	const secret = "hvs.CAESIinlineTokenThatInfoMustNotPrint00"
	dir := t.TempDir()
	cfg := writeFile(t, dir, "c.yaml", `clusters:
  - name: us-east-2
    address: https://vault.us-east-2:8200
    label: primary
    token: `+secret+`
    protected: true
  - name: us-east-1
    address: https://vault.us-east-1:8200
    token_env: USE1_TOKEN
    namespace: team-a
    tls:
      insecure: true
`)
	r := execute(t, context.Background(), testDeps(), "info", "--config", cfg, "--log-file", filepath.Join(dir, "x.log"))
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, want := range []string{
		"version: dev",
		"config file: " + cfg + " (--config, exists)",
		"log file: " + filepath.Join(dir, "x.log") + " (--log-file)",
		"clusters (from config file; read-only false; interval 2s; timeout 5s):",
		"us-east-2 https://vault.us-east-2:8200 token: inline; label primary; protected",
		"us-east-1 https://vault.us-east-1:8200 token: env USE1_TOKEN (unset: no token); namespace team-a; TLS NOT VERIFIED",
		"warning: TLS verification is off",
	} {
		if !strings.Contains(squash(r.out), squash(want)) {
			t.Errorf("lacks %q:\n%s", want, r.out)
		}
	}
	// Set, the variable is named plainly.
	t.Setenv("USE1_TOKEN", "hvs.set")
	r = execute(t, context.Background(), testDeps(), "info", "--config", cfg)
	if want := "token: env USE1_TOKEN; namespace team-a"; r.err != nil || !strings.Contains(squash(r.out), squash(want)) {
		t.Errorf("with USE1_TOKEN set, lacks %q (%v):\n%s", want, r.err, r.out)
	}
	if strings.Contains(r.out, secret) {
		t.Errorf("info prints the token")
	}
}

func TestInfoDefaultsAndBrokenConfig(t *testing.T) {
	isolate(t)
	r := execute(t, context.Background(), testDeps(), "info")
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, want := range []string{
		"(default, does not exist)",
		filepath.Join("state", "vaultrepl", "vaultrepl.log") + " (default location; written only with --log-file)",
		"clusters: none usable: find clusters: configuration error: no clusters configured",
		"hint: fix the configuration",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("lacks %q:\n%s", want, r.out)
		}
	}
	bad := writeFile(t, t.TempDir(), "bad.yaml", "interval: soon\n")
	t.Setenv("VAULTREPL_CONFIG", bad)
	r = execute(t, context.Background(), testDeps(), "info")
	if r.err != nil || !strings.Contains(r.out, "($VAULTREPL_CONFIG, exists)") || !strings.Contains(r.out, bad+":1: interval: expected a positive duration") {
		t.Errorf("%v\n%s", r.err, r.out)
	}
}
