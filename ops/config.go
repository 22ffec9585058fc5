package ops

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// TokenSource says where a cluster's Vault token comes from. The sources are
// tried in the order Inline, Env, File, Helper; the first that yields a
// non-empty token wins, so that programmatic callers can express fallbacks
// ("VAULT_TOKEN, else the token helper"). The config file allows only one.
type TokenSource struct {
	Env    string // name of an environment variable holding the token
	File   string // path of a file holding the token (surrounding space trimmed)
	Helper bool   // Vault's token helper: ~/.vault-token or the helper named in ~/.vault
	Inline string // the token itself; the config file allows it only when mode 0600
}

// IsZero reports whether no source is set: the cluster is read without a
// token (the status endpoints are unauthenticated).
func (s TokenSource) IsZero() bool {
	return s.Env == "" && s.File == "" && !s.Helper && s.Inline == ""
}

// Describe names the source for display, never the token: "env VAULT_TOKEN",
// "file ~/.vault-tokens/use2", "token helper", "inline", "none".
func (s TokenSource) Describe() string {
	var parts []string
	if s.Inline != "" {
		parts = append(parts, "inline")
	}
	if s.Env != "" {
		parts = append(parts, "env "+s.Env)
	}
	if s.File != "" {
		parts = append(parts, "file "+s.File)
	}
	if s.Helper {
		parts = append(parts, "token helper")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", else ")
}

// TLSConfig is a cluster's TLS settings. Empty fields fall back to the
// VAULT_CACERT, VAULT_CAPATH, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY,
// VAULT_TLS_SERVER_NAME and VAULT_SKIP_VERIFY environment variables, which
// apply to every cluster; a cluster's own setting is more specific and wins.
type TLSConfig struct {
	CACert     string
	CAPath     string
	ClientCert string
	ClientKey  string
	ServerName string
	Insecure   bool // skip verification: shown as a warning
}

// IsZero reports whether nothing is set.
func (t TLSConfig) IsZero() bool { return t == TLSConfig{} }

// ClusterConfig is one Vault cluster vaultrepl talks to.
type ClusterConfig struct {
	Name      string // unique, shown everywhere, typed to confirm dangerous writes
	Address   string // API address, e.g. https://vault.us-east-2:8200
	Namespace string // for auth and mounts only: replication is root-namespace only
	Label     string // free text shown next to the name
	Token     TokenSource
	TLS       TLSConfig
	ReadOnly  bool // never write to this cluster
	Protected bool // every role change needs the typed cluster name
}

// Config is the configuration file.
type Config struct {
	Path     string // the file it was read from
	Clusters []ClusterConfig
	ReadOnly bool
	Interval time.Duration // poll interval; 0 = the default
	Timeout  time.Duration // per-request timeout; 0 = the default
	Theme    string
	// Thresholds is the file's thresholds section over DefaultThresholds;
	// nil when the file has none (JudgeThresholds gives the defaults then).
	Thresholds *Thresholds
}

// JudgeThresholds is what the judge uses: the file's thresholds, else the
// defaults.
func (c Config) JudgeThresholds() Thresholds {
	if c.Thresholds != nil {
		return *c.Thresholds
	}
	return DefaultThresholds()
}

// Environment variables vaultrepl reads itself (vault/api reads the VAULT_* ones).
const (
	EnvConfig = "VAULTREPL_CONFIG"
	envXDGCfg = "XDG_CONFIG_HOME"
	envXDGSt  = "XDG_STATE_HOME"
)

// DefaultConfigPath is $VAULTREPL_CONFIG, else
// $XDG_CONFIG_HOME/vaultrepl/config.yaml, else ~/.config/vaultrepl/config.yaml.
// (The XDG layout is used on every OS: operators share configs between Linux
// jump hosts and macOS laptops.)
func DefaultConfigPath() string {
	if p := os.Getenv(EnvConfig); p != "" {
		return p
	}
	return filepath.Join(xdgDir(envXDGCfg, ".config"), "vaultrepl", "config.yaml")
}

// DefaultLogPath is $XDG_STATE_HOME/vaultrepl/vaultrepl.log, else
// ~/.local/state/vaultrepl/vaultrepl.log.
func DefaultLogPath() string {
	return filepath.Join(xdgDir(envXDGSt, filepath.Join(".local", "state")), "vaultrepl", "vaultrepl.log")
}

func xdgDir(env, fallback string) string {
	if d := os.Getenv(env); d != "" && filepath.IsAbs(d) {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		// No home: fall back to a relative path rather than failing, so that
		// `vaultrepl info` can still say where it looked.
		return fallback
	}
	return filepath.Join(home, fallback)
}

// LoadConfig reads and validates the YAML configuration file at path. Every
// error is an *Error of class ErrConfig whose message names the file, the
// line and the field; a missing file also matches errors.Is(err,
// fs.ErrNotExist). Relative and ~ paths in the file (token_file, TLS files)
// are resolved against the file's directory and the home directory.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, configError(path, 0, "", err.Error(), err)
	}
	private, err := privateFile(path)
	if err != nil {
		return Config{}, configError(path, 0, "", err.Error(), err)
	}
	return parseConfig(path, data, private)
}

// privateFile reports whether only the owner can read or write path (0600 or
// stricter), which the file must be to hold an inline token.
func privateFile(path string) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return fi.Mode().Perm()&0o077 == 0, nil
}

// configError builds the ErrConfig error "file:line: field: problem".
func configError(file string, line int, field, problem string, cause error) *Error {
	loc := file
	if line > 0 {
		loc = fmt.Sprintf("%s:%d", file, line)
	}
	if field != "" {
		loc += ": " + field
	}
	return &Error{Class: ErrConfig, Op: "load config", Messages: []string{loc + ": " + problem}, Err: cause}
}

// ValidateClusterName checks a cluster name: non-empty, no spaces, no control
// characters and no "=" (it is typed on the command line as name=address and
// typed again to confirm dangerous writes).
func ValidateClusterName(name string) error {
	if name == "" {
		return errors.New("name is empty")
	}
	for _, r := range name {
		if r <= ' ' || r == '=' || r == 0x7f {
			return fmt.Errorf("name %q may not contain spaces, control characters or '='", name)
		}
	}
	return nil
}

// ValidateAddress checks a Vault API address: an absolute http or https URL
// with a host and no credentials.
func ValidateAddress(addr string) error {
	shown := sanitize(addr) // never echo credentials typed into an address
	u, err := url.Parse(addr)
	if err != nil {
		return fmt.Errorf("address %q does not parse", shown)
	}
	switch {
	case u.User != nil:
		return errors.New("address must not contain credentials (user:password@); use a token source")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("address %q must start with https:// or http://", shown)
	case u.Host == "":
		return fmt.Errorf("address %q has no host", shown)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("address %q must not have a query or fragment", shown)
	}
	return nil
}

// expandPath resolves "~/" against the home directory and a relative path
// against dir (the config file's directory).
func expandPath(p, dir string) string {
	if p == "" {
		return ""
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	if !filepath.IsAbs(p) && dir != "" {
		p = filepath.Join(dir, p)
	}
	return p
}
