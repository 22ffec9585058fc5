package ops

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
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
	// Where says where the file source was configured
	// ("config.yaml:12: clusters[0].token_file"), for errors; "" when not
	// from the config file.
	Where string
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
	// RedirectHosts are the origins ("https://vault-2.example:8200", or
	// "host:port" in the address's scheme) besides the address's own that a
	// redirect may lead to, e.g. the active node a standby sends requests
	// to. A redirect anywhere else is refused before anything is sent there,
	// since the request carries the token.
	RedirectHosts []string
}

// Config is the configuration file.
type Config struct {
	Path     string // the file it was read from
	Clusters []ClusterConfig
	ReadOnly bool
	Interval time.Duration // poll interval; 0 = the default
	Timeout  time.Duration // per-request timeout; 0 = the default
	Theme    string
	// Lines are the lines of the top-level fields that were set ("theme"),
	// for errors about values checked outside ops (FieldError).
	Lines map[string]int
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

// MinPollInterval is the shortest poll interval vaultrepl accepts, in the
// file, for --interval and for status --watch: a shorter one (1ns parses)
// turns the dashboard into a load generator against the clusters.
const MinPollInterval = 250 * time.Millisecond

// FieldError is the ErrConfig error "file:line: field: problem" about a
// top-level field of the file, for checks made outside ops (a theme name).
func (c Config) FieldError(field, problem string) error {
	return configError(c.Path, c.Lines[field], field, problem, nil)
}

// Environment variables of vaultrepl's own (the VAULT_* ones are in vaultEnvTable).
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
// with a host, a port (if any) from 1 to 65535 and no credentials.
func ValidateAddress(addr string) error {
	// shown is the address as an error may quote it: never echo credentials
	// typed into an address. Redacting runs a dozen regular expressions
	// (compiled on first use), so it is done only for an error: a valid
	// address, the case of every cluster at every start, costs none of it.
	shown := func() string { return redactSecrets(addr) }
	u, err := url.Parse(addr)
	if err != nil {
		return fmt.Errorf("address %q does not parse", shown())
	}
	switch {
	case u.User != nil:
		return errors.New("address must not contain credentials (user:password@); use a token source")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("address %q must start with https:// or http://", shown())
	case u.Host == "":
		return fmt.Errorf("address %q has no host", shown())
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("address %q must not have a query or fragment", shown())
	}
	return validatePort(u, shown)
}

// validatePort checks the port of u, if it has one: net/url accepts any
// digits, so "vault:99999" would only fail at the first request.
func validatePort(u *url.URL, shown func() string) error {
	p := u.Port()
	if p == "" {
		if strings.HasSuffix(u.Host, ":") {
			return fmt.Errorf("address %q has an empty port", shown())
		}
		return nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("address %q: port %s is not between 1 and 65535", shown(), p)
	}
	return nil
}

// RedirectOrigin normalises an entry of redirect_hosts to an origin,
// "scheme://host:port" with the host in lower case and the port explicit.
// An entry without a scheme takes the scheme of the cluster's address
// (defaultScheme).
func RedirectOrigin(entry, defaultScheme string) (string, error) {
	entry = strings.TrimSpace(entry)
	if entry == "" {
		return "", errors.New("redirect host is empty")
	}
	raw := entry
	if !strings.Contains(raw, "://") {
		raw = defaultScheme + "://" + raw
	}
	shown := func() string { return redactSecrets(entry) } // for an error only, as in ValidateAddress
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", fmt.Errorf("redirect host %q does not parse", shown())
	case u.User != nil:
		return "", errors.New("redirect host must not contain credentials")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("redirect host %q must be https:// or http://", shown())
	case u.Hostname() == "":
		return "", fmt.Errorf("redirect host %q has no host", shown())
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("redirect host %q must be an origin (scheme://host:port) without a path", shown())
	}
	if err := validatePort(u, shown); err != nil {
		return "", err
	}
	return originOf(u), nil
}

// originOf is the origin of u as RFC 6454 compares them: scheme, host and
// port, the default port made explicit.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
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
