package wizard

import (
	"strings"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// The equivalent vault CLI commands, in the seed walkthrough's form, so that
// the review screen teaches the CLI and can be replayed by hand. Secrets are
// always masked: these strings are shown on screen.

// maskedValue stands for a secret the operator pasted: the table masks
// secrets the same way.
const maskedValue = ops.Masked

// command is the table's command text for operation k of type t.
func command(k ops.OpKind, t ops.ReplicationType, id string, args ...ops.Arg) string {
	return ops.Lookup(k).Command(t, id, args...)
}

// cmdEnablePrimary is `vault write -f sys/replication/<t>/primary/enable`.
func cmdEnablePrimary(t ops.ReplicationType, addr string) string {
	return command(ops.OpEnablePrimary, t, "", ops.Arg{Key: "primary_cluster_addr", Value: addr})
}

// cmdSecondaryToken is `vault write sys/replication/<t>/primary/secondary-token id="…"`.
func cmdSecondaryToken(t ops.ReplicationType, id string, ttl time.Duration) string {
	a := []ops.Arg{{Key: "id", Value: id}}
	if ttl > 0 && ttl != defaultTTL {
		a = append(a, ops.Arg{Key: "ttl", Value: shortDuration(ttl)})
	}
	return command(ops.OpSecondaryToken, t, "", a...)
}

// cmdEnableSecondary is `vault write sys/replication/<t>/secondary/enable token="…"`
// with the token masked (by the table: token is a secret parameter).
func cmdEnableSecondary(t ops.ReplicationType, r ops.EnableSecondaryRequest) string {
	tok := r.Token
	if tok == "" {
		tok = maskedValue // the review of a spent token still shows the parameter
	}
	return command(ops.OpEnableSecondary, t, "",
		ops.Arg{Key: "token", Value: tok},
		ops.Arg{Key: "primary_api_addr", Value: r.PrimaryAPIAddr},
		ops.Arg{Key: "ca_file", Value: r.CAFile},
		ops.Arg{Key: "ca_path", Value: r.CAPath},
		ops.Arg{Key: "client_cert_file", Value: r.ClientCertFile},
		ops.Arg{Key: "client_key_file", Value: r.ClientKeyFile})
}

// cmdStatus is the seed's monitoring command for one type.
func cmdStatus(t ops.ReplicationType) string {
	return command(ops.OpGetTypeStatus, t, "", ops.Arg{Key: "-format", Value: "json"})
}

func cmdAuthEnable(path string) string {
	return command(ops.OpEnableAuth, ops.Performance, "",
		ops.Arg{Key: "-path", Value: strings.TrimSuffix(path, "/")},
		ops.Arg{Key: "-description", Value: canaryDescription},
		ops.Arg{Key: "<type>", Value: "userpass"})
}

func cmdAuthList() string { return command(ops.OpListAuth, ops.Performance, "") }

func cmdAuthDisable(path string) string {
	return command(ops.OpDisableAuth, ops.Performance, "", ops.Arg{Key: "<path>", Value: strings.TrimSuffix(path, "/")})
}

func cmdLogin(user string) string {
	return "vault login -method=userpass username=" + quote(user)
}

func cmdRevokeSecondary(t ops.ReplicationType, id string) string {
	return command(ops.OpRevokeSecondary, t, "", ops.Arg{Key: "id", Value: id})
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
