package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const fileConfig = `read_only: true
interval: 7s
timeout: 9s
theme: colorblind
clusters:
  - name: file-a
    address: https://a.example:8200
    token_env: A_TOKEN
  - name: file-b
    address: https://b.example:8200
`

func TestLoadSettingsSources(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	cfgPath := writeFile(t, dir, "config.yaml", fileConfig)

	t.Run("config file", func(t *testing.T) {
		s, err := loadSettings(&globalOptions{configPath: cfgPath})
		if err != nil {
			t.Fatal(err)
		}
		if s.Source != sourceConfig || !s.ConfigFound || len(s.Clusters) != 2 || s.Clusters[0].Name != "file-a" ||
			!s.ReadOnly || s.Interval != 7*time.Second || s.Timeout != 9*time.Second || s.Theme != "colorblind" {
			t.Errorf("%+v", s)
		}
		for _, c := range s.Clusters {
			if !c.ReadOnly {
				t.Errorf("global read_only not applied to %s", c.Name)
			}
		}
	})
	t.Run("flags beat the file", func(t *testing.T) {
		g := &globalOptions{configPath: cfgPath, clusters: []string{"flag-a=https://fa:8200", " flag-b = http://fb:8200 "},
			interval: time.Second, timeout: 2 * time.Second, theme: "default"}
		s, err := loadSettings(g)
		if err != nil {
			t.Fatal(err)
		}
		want := []ops.ClusterConfig{
			{Name: "flag-a", Address: "https://fa:8200", Token: ops.TokenSource{Env: "VAULT_TOKEN"}, ReadOnly: true},
			{Name: "flag-b", Address: "http://fb:8200", Token: ops.TokenSource{Env: "VAULT_TOKEN"}, ReadOnly: true},
		}
		if s.Source != sourceFlags || !reflect.DeepEqual(s.Clusters, want) {
			t.Errorf("%+v", s.Clusters)
		}
		if s.Interval != time.Second || s.Timeout != 2*time.Second || s.Theme != "default" {
			t.Errorf("%+v", s)
		}
	})
	t.Run("VAULTREPL_CONFIG", func(t *testing.T) {
		t.Setenv("VAULTREPL_CONFIG", cfgPath)
		s, err := loadSettings(&globalOptions{})
		if err != nil || s.ConfigPath != cfgPath || s.Source != sourceConfig {
			t.Errorf("%+v %v", s, err)
		}
	})
	t.Run("XDG default", func(t *testing.T) {
		writeFile(t, filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "vaultrepl"), "config.yaml", fileConfig)
		defer os.Remove(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "vaultrepl", "config.yaml"))
		s, err := loadSettings(&globalOptions{})
		if err != nil || s.Source != sourceConfig || len(s.Clusters) != 2 {
			t.Errorf("%+v %v", s, err)
		}
	})
	t.Run("the file beats VAULT_ADDR", func(t *testing.T) {
		t.Setenv("VAULT_ADDR", "https://env.example:8200")
		s, err := loadSettings(&globalOptions{configPath: cfgPath})
		if err != nil || s.Source != sourceConfig {
			t.Errorf("%+v %v", s, err)
		}
	})
	t.Run("VAULT_ADDR alone", func(t *testing.T) {
		t.Setenv("VAULT_ADDR", "https://vault.us-east-1.example:8200")
		s, err := loadSettings(&globalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := ops.ClusterConfig{Name: "vault.us-east-1.example", Address: "https://vault.us-east-1.example:8200",
			Token: ops.TokenSource{Env: "VAULT_TOKEN", Helper: true}}
		if s.Source != sourceEnv || len(s.Clusters) != 1 || !reflect.DeepEqual(s.Clusters[0], want) || s.Interval != defaultInterval || s.Timeout != defaultTimeout {
			t.Errorf("%+v", s)
		}
	})
}

func TestLoadSettingsInsecure(t *testing.T) {
	isolate(t)
	g := &globalOptions{clusters: []string{"a=https://a:8200"}}
	s, err := loadSettings(g)
	if err != nil || s.Insecure || s.Clusters[0].TLS.Insecure {
		t.Fatalf("%+v %v", s, err)
	}
	t.Setenv("VAULT_SKIP_VERIFY", "true")
	if s, err = loadSettings(g); err != nil || !s.Insecure || !s.Clusters[0].TLS.Insecure {
		t.Errorf("VAULT_SKIP_VERIFY: %+v %v", s, err)
	}
	t.Setenv("VAULT_SKIP_VERIFY", "")
	g.insecure = true
	if s, err = loadSettings(g); err != nil || !s.Insecure || !s.Clusters[0].TLS.Insecure {
		t.Errorf("--insecure: %+v %v", s, err)
	}
	t.Setenv("VAULT_SKIP_VERIFY", "maybe")
	if _, err = loadSettings(g); ops.ClassOf(err) != ops.ErrConfig || !strings.Contains(err.Error(), "VAULT_SKIP_VERIFY") {
		t.Errorf("bad boolean: %v", err)
	}
	t.Setenv("VAULT_SKIP_VERIFY", "")
	// A cluster's own tls.insecure raises the warning too.
	path := writeFile(t, t.TempDir(), "c.yaml", "clusters:\n  - name: a\n    address: https://a:8200\n    tls:\n      insecure: true\n")
	if s, err = loadSettings(&globalOptions{configPath: path}); err != nil || !s.Insecure {
		t.Errorf("tls.insecure: %+v %v", s, err)
	}
}

func TestLoadSettingsErrors(t *testing.T) {
	isolate(t)
	bad := writeFile(t, t.TempDir(), "bad.yaml", "clusters:\n  - name: a\n    address: https://a:8200\n    tokn: x\n")
	tests := []struct {
		name string
		g    *globalOptions
		env  map[string]string
		want string
	}{
		{"nothing configured", &globalOptions{}, nil, "no clusters configured: create "},
		{"--config missing", &globalOptions{configPath: "/nonexistent/c.yaml"}, nil, "/nonexistent/c.yaml"},
		{"VAULTREPL_CONFIG missing", &globalOptions{}, map[string]string{"VAULTREPL_CONFIG": "/nonexistent/env.yaml"}, "/nonexistent/env.yaml"},
		{"bad file names line and field", &globalOptions{configPath: bad}, nil, bad + ":4: clusters[0].tokn: unknown field (did you mean \"token\"?)"},
		{"bad flag", &globalOptions{clusters: []string{"a"}}, nil, `--cluster "a": expected name=address`},
		{"duplicate flag", &globalOptions{clusters: []string{"a=http://x", "a=http://y"}}, nil, `name "a" given twice`},
		{"bad flag name", &globalOptions{clusters: []string{"a b=http://x"}}, nil, "may not contain spaces"},
		{"bad VAULT_ADDR", &globalOptions{}, map[string]string{"VAULT_ADDR": "vault:8200"}, "VAULT_ADDR: address"},
		{"negative timeout", &globalOptions{clusters: []string{"a=http://x"}, timeout: -time.Second}, nil, "must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := loadSettings(tt.g)
			if ops.ClassOf(err) != ops.ErrConfig || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%v, want %q", err, tt.want)
			}
		})
	}
}

func TestNewClients(t *testing.T) {
	isolate(t)
	s := settings{Clusters: []ops.ClusterConfig{{Name: "a", Address: "https://a:8200"}, {Name: "b", Address: "https://b:8200", ReadOnly: true}}}
	cs, err := newClients(s, s.clientOptions(nil))
	if err != nil || len(cs) != 2 || cs[0].Name() != "a" || cs[0].ReadOnly() || !cs[1].ReadOnly() {
		t.Fatalf("%v %v", cs, err)
	}
	s.Clusters[1].Token.File = "/nonexistent/token"
	if _, err := newClients(s, s.clientOptions(nil)); ops.ClassOf(err) != ops.ErrConfig {
		t.Errorf("%v", err)
	}
}
