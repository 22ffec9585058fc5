package wizard

import (
	"strings"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// The equivalent vault CLI commands, in the seed walkthrough's form, so that
// the review screen teaches the CLI and can be replayed by hand. Secrets are
// always masked: these strings are shown on screen.

const maskedValue = "********"

// cmdEnablePrimary is `vault write -f sys/replication/<t>/primary/enable`.
func cmdEnablePrimary(t ops.ReplicationType, addr string) string {
	p := "sys/replication/" + t.String() + "/primary/enable"
	if addr == "" {
		return "vault write -f " + p
	}
	return "vault write " + p + " primary_cluster_addr=" + quote(addr)
}

// cmdSecondaryToken is `vault write sys/replication/<t>/primary/secondary-token id="…"`.
func cmdSecondaryToken(t ops.ReplicationType, id string, ttl time.Duration) string {
	s := "vault write sys/replication/" + t.String() + "/primary/secondary-token id=" + quote(id)
	if ttl > 0 && ttl != defaultTTL {
		s += " ttl=" + quote(shortDuration(ttl))
	}
	return s
}

// cmdEnableSecondary is `vault write sys/replication/<t>/secondary/enable token="…"`
// with the token masked.
func cmdEnableSecondary(t ops.ReplicationType, r ops.EnableSecondaryRequest) string {
	var b strings.Builder
	b.WriteString("vault write sys/replication/" + t.String() + "/secondary/enable token=" + quote(maskedValue))
	opt := func(k, v string) {
		if v != "" {
			b.WriteString(" " + k + "=" + quote(v))
		}
	}
	opt("primary_api_addr", r.PrimaryAPIAddr)
	opt("ca_file", r.CAFile)
	opt("ca_path", r.CAPath)
	opt("client_cert_file", r.ClientCertFile)
	opt("client_key_file", r.ClientKeyFile)
	return b.String()
}

// cmdStatus is the seed's monitoring command for one type.
func cmdStatus(t ops.ReplicationType) string {
	return "vault read -format=json sys/replication/" + t.String() + "/status"
}

func cmdAuthEnable(path string) string {
	return "vault auth enable -path=" + strings.TrimSuffix(path, "/") + " -description=" + quote(canaryDescription) + " userpass"
}

func cmdAuthList() string { return "vault auth list" }

func cmdAuthDisable(path string) string {
	return "vault auth disable " + strings.TrimSuffix(path, "/")
}

func cmdLogin(user string) string {
	return "vault login -method=userpass username=" + quote(user)
}

func cmdRevokeSecondary(t ops.ReplicationType, id string) string {
	return "vault write sys/replication/" + t.String() + "/primary/revoke-secondary id=" + quote(id)
}

// vaultAddr prefixes a command with the cluster it runs against.
func vaultAddr(c Cluster) string {
	if c.Address == "" {
		return "# on " + c.Name
	}
	return "# on " + c.Name + ":  export VAULT_ADDR=" + c.Address
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// shortDuration prints 30m rather than 30m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
