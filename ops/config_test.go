package ops

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, body string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is masked by umask
		t.Fatal(err)
	}
	return path
}

const goodConfig = `# vaultrepl clusters
read_only: false
interval: 3s
timeout: 4s
theme: colorblind
clusters:
  - name: us-east-2
    label: primary
    address: https://vault.us-east-2.example:8200
    token_env: VAULT_TOKEN_USE2
    protected: true
    tls:
      ca_cert: certs/ca.pem
      server_name: vault.us-east-2.example
  - name: us-east-1
    address: https://vault.us-east-1.example:8200
    token_file: ~/.vault-tokens/use1
    namespace: team-a
    read_only: true
  - name: us-east-2-dr
    address: http://127.0.0.1:8210
    token_helper: true
    tls:
      insecure: true
      client_cert: /etc/vault/client.pem
      client_key: /etc/vault/client-key.pem
`

func TestLoadConfig(t *testing.T) {
	path := writeConfig(t, goodConfig, 0o644)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	want := Config{
		Path: path, Interval: 3 * time.Second, Timeout: 4 * time.Second, Theme: "colorblind",
		Lines: map[string]int{"read_only": 2, "interval": 3, "timeout": 4, "theme": 5, "clusters": 7},
		Clusters: []ClusterConfig{
			{Name: "us-east-2", Label: "primary", Address: "https://vault.us-east-2.example:8200", Protected: true,
				Token: TokenSource{Env: "VAULT_TOKEN_USE2"},
				TLS:   TLSConfig{CACert: filepath.Join(filepath.Dir(path), "certs/ca.pem"), ServerName: "vault.us-east-2.example"}},
			{Name: "us-east-1", Address: "https://vault.us-east-1.example:8200", Namespace: "team-a", ReadOnly: true,
				Token: TokenSource{File: filepath.Join(home, ".vault-tokens/use1"), Where: path + ":17: clusters[1].token_file"}},
			{Name: "us-east-2-dr", Address: "http://127.0.0.1:8210", Token: TokenSource{Helper: true},
				TLS: TLSConfig{Insecure: true, ClientCert: "/etc/vault/client.pem", ClientKey: "/etc/vault/client-key.pem"}},
		},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
}

func TestLoadConfigEmpty(t *testing.T) {
	for _, body := range []string{"", "# nothing\n", "clusters:\n", "~\n"} {
		cfg, err := LoadConfig(writeConfig(t, body, 0o600))
		if err != nil || len(cfg.Clusters) != 0 {
			t.Errorf("%q: %+v %v", body, cfg, err)
		}
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       string // substring, after the file name
	}{
		{"unknown top-level field", "interval: 2s\nread_onyl: true\n", ":2: read_onyl: unknown field (did you mean \"read_only\"?)"},
		{"unknown cluster field", "clusters:\n  - name: a\n    address: https://a:8200\n    adress: x\n", ":4: clusters[0].adress: unknown field (did you mean \"address\"?)"},
		{"unknown tls field", "clusters:\n  - name: a\n    address: https://a:8200\n    tls:\n      ca_file: x\n", ":5: clusters[0].tls.ca_file: unknown field"},
		{"duplicate field", "timeout: 2s\ntimeout: 3s\n", ":2: timeout: duplicate field (first set at line 1)"},
		{"bad duration", "interval: fast\n", ":1: interval: expected a positive duration"},
		{"negative duration", "timeout: -1s\n", ":1: timeout: expected a positive duration"},
		{"bad bool", "read_only: yes please\n", ":1: read_only: expected true or false"},
		{"clusters not a list", "clusters:\n  name: a\n", ":2: clusters: expected a list of clusters"},
		{"cluster not a mapping", "clusters:\n  - a\n", ":2: clusters[0]: expected a mapping"},
		{"missing name", "clusters:\n  - address: https://a:8200\n", ":2: clusters[0].name: name is empty"},
		{"name with space", "clusters:\n  - name: us east\n    address: https://a:8200\n", ":2: clusters[0].name: name \"us east\" may not contain"},
		{"duplicate name", "clusters:\n  - name: a\n    address: https://a:8200\n  - name: a\n    address: https://b:8200\n", ":4: clusters[1].name: name \"a\" is already used at line 2"},
		{"missing address", "clusters:\n  - name: a\n", ":2: clusters[0].address: address is required"},
		{"bad scheme", "clusters:\n  - name: a\n    address: vault:8200\n", ":3: clusters[0].address: address \"vault:8200\" must start with https://"},
		{"credentials in address", "clusters:\n  - name: a\n    address: https://u:hunter2@a:8200\n", ":3: clusters[0].address: address must not contain credentials"},
		{"two token sources", "clusters:\n  - name: a\n    address: https://a:8200\n    token_env: X\n    token_file: /t\n", ":5: clusters[0]: set only one of"},
		{"client cert without key", "clusters:\n  - name: a\n    address: https://a:8200\n    tls:\n      client_cert: /c.pem\n", "clusters[0].tls: client_cert and client_key go together"},
		{"not yaml", "clusters: [\n", "did not find expected node content"},
		{"top level list", "- a\n", ":1: expected a mapping of fields"},
		{"interval too short", "interval: 1ns\n", ":1: interval: 1ns is too short: the least is 250ms"},
		{"port out of range", "clusters:\n  - name: a\n    address: https://a:99999\n", ":3: clusters[0].address: address \"https://a:99999\": port 99999 is not between 1 and 65535"},
		{"port zero", "clusters:\n  - name: a\n    address: https://a:0\n", ":3: clusters[0].address: address \"https://a:0\": port 0 is not between"},
		{"control byte in token_file", "clusters:\n  - name: a\n    address: https://a:8200\n    token_file: \"/tmp/t\\x1b]52;c;eA==\\a\"\n", ":4: clusters[0].token_file: the path contains a control character (\\x1b at byte 6)"},
		{"bad redirect host", "clusters:\n  - name: a\n    address: https://a:8200\n    redirect_hosts: [b:8200, \"ftp://c\"]\n", ":4: clusters[0].redirect_hosts[1]: redirect host \"ftp://c\" must be https:// or http://"},
		{"redirect host with a path", "clusters:\n  - name: a\n    address: https://a:8200\n    redirect_hosts:\n      - https://b:8200/v1\n", ":5: clusters[0].redirect_hosts[0]: redirect host \"https://b:8200/v1\" must be an origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.body, 0o600)
			_, err := LoadConfig(path)
			if err == nil {
				t.Fatal("no error")
			}
			if ClassOf(err) != ErrConfig {
				t.Errorf("class %v", ClassOf(err))
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%q\ndoes not contain %q", err.Error(), tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error echoes a password")
			}
		})
	}
}

func TestLoadConfigInlineToken(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes")
	}
	const secret = "hvs.CAESIinlineTokenInTheConfigFile0000"
	body := "clusters:\n  - name: a\n    address: https://a:8200\n    token: " + secret + "\n"
	t.Run("0644 is refused", func(t *testing.T) {
		path := writeConfig(t, body, 0o644)
		_, err := LoadConfig(path)
		if err == nil || !strings.Contains(err.Error(), ":4: clusters[0].token: an inline token needs a private config file: run chmod 600 "+path) {
			t.Fatalf("%v", err)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error echoes the token")
		}
	})
	for _, mode := range []os.FileMode{0o600, 0o400} {
		path := writeConfig(t, body, mode)
		cfg, err := LoadConfig(path)
		if err != nil || cfg.Clusters[0].Token.Inline != secret {
			t.Errorf("%o: %v", mode, err)
		}
	}
	t.Run("token as a list never echoes it", func(t *testing.T) {
		_, err := LoadConfig(writeConfig(t, "clusters:\n  - name: a\n    address: https://a:8200\n    token: ["+secret+"]\n", 0o600))
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("%v", err)
		}
	})
}

func TestLoadConfigMissing(t *testing.T) {
	_, err := LoadConfig(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) || ClassOf(err) != ErrConfig {
		t.Errorf("%v", err)
	}
}

func TestDefaultPaths(t *testing.T) {
	t.Setenv("VAULTREPL_CONFIG", "/etc/vaultrepl.yaml")
	if got := DefaultConfigPath(); got != "/etc/vaultrepl.yaml" {
		t.Errorf("%q", got)
	}
	t.Setenv("VAULTREPL_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", "/xdg/config")
	if got := DefaultConfigPath(); got != "/xdg/config/vaultrepl/config.yaml" {
		t.Errorf("%q", got)
	}
	t.Setenv("XDG_CONFIG_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/op")
	if got := DefaultConfigPath(); got != "/home/op/.config/vaultrepl/config.yaml" {
		t.Errorf("%q", got)
	}
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	if got := DefaultLogPath(); got != "/xdg/state/vaultrepl/vaultrepl.log" {
		t.Errorf("%q", got)
	}
	t.Setenv("XDG_STATE_HOME", "")
	if got := DefaultLogPath(); got != "/home/op/.local/state/vaultrepl/vaultrepl.log" {
		t.Errorf("%q", got)
	}
}

func TestTokenSourceResolve(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("VAULT_CONFIG_PATH", filepath.Join(home, "no-such-vault-config"))
	ctx := context.Background()
	tokFile := filepath.Join(home, "tok")
	if err := os.WriteFile(tokFile, []byte("  hvs.fromFile \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MY_TOKEN", "hvs.fromEnv")
	tests := []struct {
		name string
		src  TokenSource
		want string
	}{
		{"none", TokenSource{}, ""},
		{"inline", TokenSource{Inline: " hvs.inline "}, "hvs.inline"},
		{"env", TokenSource{Env: "MY_TOKEN"}, "hvs.fromEnv"},
		{"env unset falls through to the helper", TokenSource{Env: "UNSET_TOKEN_VAR", Helper: true}, ""},
		{"file", TokenSource{File: tokFile}, "hvs.fromFile"},
	}
	for _, tt := range tests {
		got, err := tt.src.Resolve(ctx)
		if err != nil || got != tt.want {
			t.Errorf("%s: %q %v", tt.name, got, err)
		}
	}
	if _, err := (TokenSource{File: filepath.Join(home, "missing")}).Resolve(ctx); err == nil {
		t.Errorf("missing token file is not an error")
	}
	// The internal helper's file.
	if err := os.WriteFile(filepath.Join(home, ".vault-token"), []byte("hvs.fromHelper\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := (TokenSource{Helper: true}).Resolve(ctx); err != nil || got != "hvs.fromHelper" {
		t.Errorf("internal helper: %q %v", got, err)
	}
	if got := (TokenSource{Env: "E", Helper: true}).Describe(); got != "env E, else token helper" {
		t.Errorf("Describe %q", got)
	}
}

func TestTokenSourceExternalHelper(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell script helper")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	helper := filepath.Join(home, "helper.sh")
	script := "#!/bin/sh\n[ \"$1\" = get ] && echo hvs.fromExternalHelper\n"
	if err := os.WriteFile(helper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(home, "vault.hcl")
	if err := os.WriteFile(conf, []byte(`token_helper = "`+helper+`"`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VAULT_CONFIG_PATH", conf)
	if got, err := (TokenSource{Helper: true}).Resolve(context.Background()); err != nil || got != "hvs.fromExternalHelper" {
		t.Errorf("%q %v", got, err)
	}
	if err := os.WriteFile(conf, []byte(`token_helper = "relative/helper"`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := (TokenSource{Helper: true}).Resolve(context.Background()); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("relative helper: %v", err)
	}
}

func TestNewClientTokenErrors(t *testing.T) {
	_, err := NewClient(ClusterConfig{Name: "a", Address: "https://a:8200", Token: TokenSource{File: "/nonexistent/token"}}, ClientOptions{})
	if ClassOf(err) != ErrConfig || !strings.Contains(err.Error(), "token_file") {
		t.Errorf("%v", err)
	}
	_, err = NewClient(ClusterConfig{Name: "a", Address: "ftp://a"}, ClientOptions{})
	if ClassOf(err) != ErrConfig {
		t.Errorf("%v", err)
	}
}

// A control byte inside the token file fails when the client is built, with
// an error naming the config file, the line and the field, never the token.
func TestTokenFileWithControlByte(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("hvs.secretpart\x1b[2Jmore\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := writeConfig(t, "clusters:\n  - name: a\n    address: https://a:8200\n    token_file: "+tok+"\n    redirect_hosts: [\"A-2:8200\"]\n", 0o600)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Clusters[0].RedirectHosts; len(got) != 1 || got[0] != "A-2:8200" {
		t.Errorf("redirect_hosts = %q", got)
	}
	_, err = NewClient(cfg.Clusters[0], ClientOptions{})
	if !IsClass(err, ErrConfig) {
		t.Fatalf("%v", err)
	}
	msg := err.Error()
	for _, want := range []string{path + ":4: clusters[0].token_file", "control or non-ASCII byte (0x1b at byte 14"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "secretpart") || strings.Contains(msg, "\x1b") {
		t.Errorf("the error quotes the token or the escape: %q", msg)
	}
}
