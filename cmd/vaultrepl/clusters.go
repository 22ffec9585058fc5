package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/theme"
)

// Defaults when neither a flag nor the config file sets them.
const (
	defaultInterval = 2 * time.Second
	defaultTimeout  = 5 * time.Second
)

// Where the cluster list came from, for `vaultrepl info` and error messages.
const (
	sourceFlags  = "--cluster flags"
	sourceConfig = "config file"
	sourceEnv    = "VAULT_ADDR"
	sourceLab    = "lab state file"
)

// settings is everything a command needs to reach its clusters, resolved
// once from flags, the environment and the config file.
type settings struct {
	Clusters    []ops.ClusterConfig
	Source      string // sourceFlags, sourceConfig or sourceEnv
	ConfigPath  string // the config file consulted
	ConfigFound bool   // whether it exists (and was read)
	ReadOnly    bool
	Interval    time.Duration
	Timeout     time.Duration
	Theme       string
	// Thresholds of the judge (the config file's thresholds section, else
	// the defaults).
	Thresholds ops.Thresholds
	// Insecure is true when TLS verification is off for any cluster
	// (--insecure, VAULT_SKIP_VERIFY or a cluster's tls.insecure): the UI
	// shows it as a warning.
	Insecure bool
	// Lab is the running lab's state file (--lab): control endpoint,
	// userpass login, students. Nil otherwise.
	Lab *sim.StateFile
}

// loadSettings turns the global flags, the environment and the config file
// into the cluster list and settings every command uses.
//
// Clusters come from the first of: --cluster name=addr flags (each with the
// token in VAULT_TOKEN), the config file's clusters, or VAULT_ADDR as one
// cluster named after its host (token from VAULT_TOKEN, else the vault
// CLI's token helper, as the vault CLI does). Settings take the flag, else
// the environment, else the file: --read-only, --interval, --timeout,
// --theme, --insecure (VAULT_SKIP_VERIFY). The VAULT_CACERT, VAULT_CAPATH,
// VAULT_CLIENT_CERT and VAULT_CLIENT_KEY variables apply to every cluster
// through vault/api; a cluster's own tls settings in the file are more
// specific and win.
//
// The config file is --config, else $VAULTREPL_CONFIG, else the XDG default.
// A file named by --config or $VAULTREPL_CONFIG must exist; the default one
// may be absent. Errors are *ops.Error of class ErrConfig, naming the file,
// line and field.
func loadSettings(g *globalOptions) (settings, error) {
	s := settings{ConfigPath: g.configPath}
	explicit := s.ConfigPath != "" || os.Getenv(ops.EnvConfig) != ""
	if s.ConfigPath == "" {
		s.ConfigPath = ops.DefaultConfigPath()
	}
	cfg, err := ops.LoadConfig(s.ConfigPath)
	switch {
	case err == nil:
		s.ConfigFound = true
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		cfg = ops.Config{}
	default:
		return settings{}, err
	}
	if err := s.applyGlobals(g, cfg); err != nil {
		return settings{}, err
	}
	if err := s.chooseClusters(g, cfg); err != nil {
		return settings{}, err
	}
	s.applyToClusters()
	return s, nil
}

// applyGlobals resolves the settings that are not per cluster.
func (s *settings) applyGlobals(g *globalOptions, cfg ops.Config) error {
	if err := checkDurationFlags(g); err != nil {
		return err
	}
	s.ReadOnly = g.readOnly || cfg.ReadOnly
	s.Interval = firstDuration(g.interval, cfg.Interval, defaultInterval)
	s.Timeout = firstDuration(g.timeout, cfg.Timeout, defaultTimeout)
	s.Thresholds = cfg.JudgeThresholds()
	s.Theme = g.theme
	switch _, err := theme.PaletteByName(s.Theme); {
	case err != nil:
		return flagError("--theme: " + err.Error())
	case s.Theme == "":
		// Checked here rather than when the dashboard draws, so that every
		// command (status too) reports it with its place in the file.
		if _, err := theme.PaletteByName(cfg.Theme); err != nil {
			return cfg.FieldError("theme", err.Error())
		}
		s.Theme = cfg.Theme
	}
	skip, err := envBool("VAULT_SKIP_VERIFY")
	if err != nil {
		return err
	}
	s.Insecure = g.insecure || skip
	return nil
}

// checkDurationFlags refuses a negative --interval or --timeout and an
// --interval below ops.MinPollInterval (1ns would poll as fast as the
// clusters answer).
func checkDurationFlags(g *globalOptions) error {
	if g.interval < 0 || g.timeout < 0 {
		return flagError("--interval and --timeout must be positive")
	}
	if g.interval != 0 && g.interval < ops.MinPollInterval {
		return flagError(fmt.Sprintf("--interval %s is too short: the least is %s", g.interval, ops.MinPollInterval))
	}
	return nil
}

func firstDuration(ds ...time.Duration) time.Duration {
	for _, d := range ds {
		if d > 0 {
			return d
		}
	}
	return 0
}

func envBool(name string) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, &ops.Error{Class: ops.ErrConfig, Op: "read environment",
			Messages: []string{fmt.Sprintf("%s=%q is not a boolean", name, v)}}
	}
	return b, nil
}

func flagError(msg string) error {
	return &ops.Error{Class: ops.ErrConfig, Op: "parse flags", Messages: []string{msg}}
}

// chooseClusters picks the cluster list: flags, else file, else VAULT_ADDR.
func (s *settings) chooseClusters(g *globalOptions, cfg ops.Config) error {
	switch {
	case g.lab != "":
		s.Source = sourceLab
		return s.clustersFromLab(g.lab)
	case len(g.clusters) > 0:
		s.Source = sourceFlags
		return s.clustersFromFlags(g.clusters)
	case len(cfg.Clusters) > 0:
		s.Source = sourceConfig
		s.Clusters = cfg.Clusters
		return nil
	case os.Getenv("VAULT_ADDR") != "":
		s.Source = sourceEnv
		return s.clusterFromEnv(os.Getenv("VAULT_ADDR"))
	}
	where := "create " + s.ConfigPath
	if s.ConfigFound {
		where = "add clusters to " + s.ConfigPath
	}
	return &ops.Error{Class: ops.ErrConfig, Op: "find clusters",
		Messages: []string{"no clusters configured: " + where + ", pass --cluster name=https://vault:8200, or set VAULT_ADDR (try `vaultrepl demo` for a lab)"}}
}

func (s *settings) clustersFromFlags(flags []string) error {
	seen := map[string]bool{}
	for _, f := range flags {
		name, addr, ok := strings.Cut(f, "=")
		name, addr = strings.TrimSpace(name), strings.TrimSpace(addr)
		if !ok || addr == "" {
			return flagError(fmt.Sprintf("--cluster %q: expected name=address, e.g. us-east-1=https://vault.us-east-1:8200", f))
		}
		if err := ops.ValidateClusterName(name); err != nil {
			return flagError("--cluster: " + err.Error())
		}
		if err := ops.ValidateAddress(addr); err != nil {
			return flagError("--cluster " + name + ": " + err.Error())
		}
		if seen[name] {
			return flagError(fmt.Sprintf("--cluster: name %q given twice", name))
		}
		seen[name] = true
		s.Clusters = append(s.Clusters, ops.ClusterConfig{Name: name, Address: addr, Token: ops.TokenSource{Env: "VAULT_TOKEN"}})
	}
	return nil
}

// clustersFromLab reads a running lab's state file: every cluster with its
// own root token (in memory, never printed), labelled with its student in a
// class so that the dashboard's filter finds a student's set.
func (s *settings) clustersFromLab(path string) error {
	st, err := sim.ReadStateFile(path)
	if err != nil {
		return &ops.Error{Class: ops.ErrConfig, Op: "read --lab", Messages: []string{err.Error() + " (start one with: vaultrepl lab --state-file " + path + ")"}}
	}
	for _, c := range st.Clusters {
		if err := ops.ValidateClusterName(c.Name); err != nil {
			return flagError("--lab " + path + ": " + err.Error())
		}
		if err := ops.ValidateAddress(c.Addr); err != nil {
			return flagError("--lab " + path + ": " + c.Name + ": " + err.Error())
		}
		s.Clusters = append(s.Clusters, ops.ClusterConfig{Name: c.Name, Address: c.Addr,
			Label: labStudent(c.Name, st), Token: ops.TokenSource{Inline: c.Token},
			TLS: ops.TLSConfig{CACert: st.CACert}}) // a --tls lab's CA: the cluster's ca_file
	}
	s.Lab = &st
	return nil
}

// labStudent is the student a cluster of a class belongs to ("s01"), from
// its name's prefix; "" outside a class.
func labStudent(name string, st sim.StateFile) string {
	if st.Student != "" {
		return st.Student
	}
	for _, p := range st.Students {
		if strings.HasPrefix(name, p+"-") {
			return p
		}
	}
	return ""
}

// clusterFromEnv is the plain vault CLI set-up: one cluster at VAULT_ADDR.
func (s *settings) clusterFromEnv(addr string) error {
	if err := ops.ValidateAddress(addr); err != nil {
		return &ops.Error{Class: ops.ErrConfig, Op: "read environment", Messages: []string{"VAULT_ADDR: " + err.Error()}}
	}
	u, _ := url.Parse(addr)
	name := u.Hostname()
	if ops.ValidateClusterName(name) != nil {
		name = "vault"
	}
	s.Clusters = []ops.ClusterConfig{{Name: name, Address: addr, Token: ops.TokenSource{Env: "VAULT_TOKEN", Helper: true}}}
	return nil
}

// applyToClusters copies the global read-only and insecure settings into
// each cluster, so that whoever receives a ClusterConfig sees them.
func (s *settings) applyToClusters() {
	for i := range s.Clusters {
		c := &s.Clusters[i]
		c.ReadOnly = c.ReadOnly || s.ReadOnly
		c.TLS.Insecure = c.TLS.Insecure || s.Insecure
		s.Insecure = s.Insecure || c.TLS.Insecure
	}
}

// clientOptions are the ops.ClientOptions of these settings.
func (s settings) clientOptions(log *slog.Logger) ops.ClientOptions {
	return ops.ClientOptions{Timeout: s.Timeout, ReadOnly: s.ReadOnly, Logger: log}
}

// newClients builds one ops.Client per cluster, in order (ops.NewClients:
// the VAULT_* environment read once for all). A cluster whose client cannot
// be built (a missing token file, a bad CA file) fails the whole set: it is
// a configuration error to fix before anything runs.
func newClients(s settings, opts ops.ClientOptions) ([]*ops.Client, error) {
	return ops.NewClients(s.Clusters, opts)
}
