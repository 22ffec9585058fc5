package ops

import (
	"net/http"
	"slices"
	"strings"
)

// The one table of the operations vaultrepl performs or shows: for each,
// its HTTP method and path, what the caller's token needs on that path,
// whether it destroys or hands over something (then it is confirmed by the
// typed cluster name), which parameters are secrets, and the `vault`
// command that does the same by hand. The writes in this package, the
// wizard's capability pre-flight and its command text, and the dashboard's
// "equivalent commands" screen all read it, so a path is written once.
//
// Facts: HashiCorp's API docs for sys/replication/performance and
// sys/replication/dr (https://developer.hashicorp.com/vault/api-docs/system/replication)
// and the `vault operator generate-root -dr-token` CLI.

// OpKind names one operation.
type OpKind int

const (
	// OpUnknown is the zero value: no operation.
	OpUnknown OpKind = iota

	// Reads behind the dashboard (no token needed: status endpoints are
	// unauthenticated and live in the root namespace).
	OpGetStatus     // GET sys/replication/status: both types at once
	OpGetTypeStatus // GET sys/replication/<type>/status
	OpGetHealth     // GET sys/health

	// Primary-side writes.
	OpEnablePrimary   // …/primary/enable
	OpDemotePrimary   // …/primary/demote
	OpDisablePrimary  // …/primary/disable
	OpSecondaryToken  // …/primary/secondary-token (sudo)
	OpRevokeSecondary // …/primary/revoke-secondary

	// Secondary-side writes.
	OpEnableSecondary  // …/secondary/enable: activation, purges the cluster
	OpPromote          // …/secondary/promote
	OpUpdatePrimary    // …/secondary/update-primary
	OpDisableSecondary // …/secondary/disable

	// Performance paths filter of one secondary, on the primary.
	OpPathsFilterRead   // GET …/performance/primary/paths-filter/:id
	OpPathsFilterSet    // POST …/performance/primary/paths-filter/:id
	OpPathsFilterDelete // DELETE …/performance/primary/paths-filter/:id

	// The DR operation token, generated on a DR secondary from the
	// primary's unseal (or recovery) key shares, like generate-root.
	OpDRTokenStatus // GET …/dr/secondary/generate-operation-token/attempt
	OpDRTokenInit   // POST …/attempt: start, returns the OTP
	OpDRTokenUpdate // POST …/update: one key share
	OpDRTokenCancel // DELETE …/attempt
	OpDRTokenDecode // no request: base64-decode, XOR with the OTP (the CLI's -decode)
	OpDRTokenRevoke // …/dr/secondary/operation-token/delete: a generated DR operation token has no TTL
	OpGetLeader     // GET sys/leader: the active node's cluster address, for update_primary_addrs

	// The propagation check's canary auth method.
	OpEnableAuth  // POST sys/auth/:path
	OpDisableAuth // DELETE sys/auth/:path
	OpListAuth    // GET sys/auth

	opCount
)

// Auth says how Vault authorises an operation.
type Auth int

const (
	// AuthToken is the usual X-Vault-Token, checked against the policy.
	AuthToken Auth = iota
	// AuthNone is an unauthenticated endpoint.
	AuthNone
	// AuthDROperationToken is a DR secondary's write, authorised by the
	// dr_operation_token parameter rather than a Vault token.
	AuthDROperationToken
)

// Operation is one row of the table.
type Operation struct {
	Kind OpKind
	// Name is the action as errors and messages say it, with {type} for
	// "performance" or "DR": "enable {type} primary".
	Name string
	// Method is the HTTP method; "" for an operation done locally (decode).
	Method string
	// Path is the API path without /v1/, with {type} for "performance" or
	// "dr" and {id} for an operation's object (secondary id, mount path).
	Path string
	// Types lists the replication types the operation exists for; empty
	// when it is not tied to a type.
	Types []ReplicationType
	// Capabilities are what the token's policy must grant on Path when the
	// operation is authorised by a Vault token.
	Capabilities []string
	// Auth is how Vault authorises it; DRAuth how the DR variant does,
	// when it differs (DR secondaries take a DR operation token).
	Auth, DRAuth Auth
	// Destructive operations purge data, change a cluster's role or cut a
	// cluster off: they need the typed cluster name to confirm.
	Destructive bool
	// Write is true for everything that changes a cluster (read-only
	// clients refuse it; it is never retried).
	Write bool
	// Secrets are the parameters never shown: the command text masks them.
	Secrets []string
	// CLI is the `vault` command when it is not the generic `vault
	// read/write/delete <path>`; parameters are appended to it.
	CLI string
}

// Masked is what the command text shows instead of a secret.
const Masked = "********"

var typesBoth = []ReplicationType{Performance, DR}

var operations = [opCount]Operation{
	OpGetStatus:     {Name: "read replication status", Method: http.MethodGet, Path: "sys/replication/status", Auth: AuthNone, DRAuth: AuthNone},
	OpGetTypeStatus: {Name: "read {type} replication status", Method: http.MethodGet, Path: "sys/replication/{type}/status", Types: typesBoth, Auth: AuthNone, DRAuth: AuthNone},
	OpGetHealth:     {Name: "read health", Method: http.MethodGet, Path: "sys/health", Auth: AuthNone, DRAuth: AuthNone},

	OpEnablePrimary: {Name: "enable {type} primary", Method: http.MethodPost, Path: "sys/replication/{type}/primary/enable",
		Types: typesBoth, Capabilities: []string{"update"}, Write: true},
	OpDemotePrimary: {Name: "demote {type} primary", Method: http.MethodPost, Path: "sys/replication/{type}/primary/demote",
		Types: typesBoth, Capabilities: []string{"update"}, Write: true, Destructive: true},
	OpDisablePrimary: {Name: "disable {type} primary", Method: http.MethodPost, Path: "sys/replication/{type}/primary/disable",
		Types: typesBoth, Capabilities: []string{"update"}, Write: true, Destructive: true},
	OpSecondaryToken: {Name: "generate {type} secondary token", Method: http.MethodPost, Path: "sys/replication/{type}/primary/secondary-token",
		Types: typesBoth, Capabilities: []string{"update", "sudo"}, Write: true},
	OpRevokeSecondary: {Name: "revoke {type} secondary", Method: http.MethodPost, Path: "sys/replication/{type}/primary/revoke-secondary",
		Types: typesBoth, Capabilities: []string{"update"}, Write: true, Destructive: true},

	OpEnableSecondary: {Name: "enable {type} secondary", Method: http.MethodPost, Path: "sys/replication/{type}/secondary/enable",
		Types: typesBoth, Capabilities: []string{"update"}, Write: true, Destructive: true, Secrets: []string{"token"}},
	OpPromote: {Name: "promote {type} secondary", Method: http.MethodPost, Path: "sys/replication/{type}/secondary/promote",
		Types: typesBoth, Capabilities: []string{"update"}, DRAuth: AuthDROperationToken, Write: true, Destructive: true,
		Secrets: []string{"dr_operation_token"}},
	OpUpdatePrimary: {Name: "update {type} primary", Method: http.MethodPost, Path: "sys/replication/{type}/secondary/update-primary",
		Types: typesBoth, Capabilities: []string{"update"}, DRAuth: AuthDROperationToken, Write: true, Destructive: true,
		Secrets: []string{"token", "dr_operation_token"}},
	OpDisableSecondary: {Name: "disable {type} secondary", Method: http.MethodPost, Path: "sys/replication/{type}/secondary/disable",
		Types: typesBoth, Capabilities: []string{"update"}, DRAuth: AuthDROperationToken, Write: true, Destructive: true,
		Secrets: []string{"dr_operation_token"}},

	OpPathsFilterRead: {Name: "read paths filter", Method: http.MethodGet, Path: "sys/replication/performance/primary/paths-filter/{id}",
		Types: []ReplicationType{Performance}, Capabilities: []string{"read"}},
	// A deny (or a narrower allow) removes the filtered mounts' data from
	// the secondary: destructive.
	OpPathsFilterSet: {Name: "set paths filter", Method: http.MethodPost, Path: "sys/replication/performance/primary/paths-filter/{id}",
		Types: []ReplicationType{Performance}, Capabilities: []string{"update"}, Write: true, Destructive: true},
	OpPathsFilterDelete: {Name: "delete paths filter", Method: http.MethodDelete, Path: "sys/replication/performance/primary/paths-filter/{id}",
		Types: []ReplicationType{Performance}, Capabilities: []string{"delete"}, Write: true},

	OpDRTokenStatus: {Name: "read DR operation token attempt", Method: http.MethodGet, Path: "sys/replication/dr/secondary/generate-operation-token/attempt",
		Types: []ReplicationType{DR}, Auth: AuthNone, DRAuth: AuthNone, CLI: "vault operator generate-root -dr-token -status"},
	OpDRTokenInit: {Name: "start DR operation token", Method: http.MethodPost, Path: "sys/replication/dr/secondary/generate-operation-token/attempt",
		Types: []ReplicationType{DR}, Auth: AuthNone, DRAuth: AuthNone, Write: true, CLI: "vault operator generate-root -dr-token -init"},
	OpDRTokenUpdate: {Name: "enter DR operation token key share", Method: http.MethodPost, Path: "sys/replication/dr/secondary/generate-operation-token/update",
		Types: []ReplicationType{DR}, Auth: AuthNone, DRAuth: AuthNone, Write: true, Secrets: []string{"<key>"},
		CLI: "vault operator generate-root -dr-token"},
	OpDRTokenCancel: {Name: "cancel DR operation token", Method: http.MethodDelete, Path: "sys/replication/dr/secondary/generate-operation-token/attempt",
		Types: []ReplicationType{DR}, Auth: AuthNone, DRAuth: AuthNone, Write: true, CLI: "vault operator generate-root -dr-token -cancel"},
	OpDRTokenDecode: {Name: "decode DR operation token", Types: []ReplicationType{DR}, Auth: AuthNone, DRAuth: AuthNone,
		Secrets: []string{"-otp"}, CLI: "vault operator generate-root -dr-token"},
	OpDRTokenRevoke: {Name: "revoke DR operation token", Method: http.MethodPost, Path: "sys/replication/dr/secondary/operation-token/delete",
		Types: []ReplicationType{DR}, Auth: AuthDROperationToken, DRAuth: AuthDROperationToken, Write: true,
		Secrets: []string{"dr_operation_token"}},
	OpGetLeader: {Name: "read leader", Method: http.MethodGet, Path: "sys/leader", Auth: AuthNone, DRAuth: AuthNone},

	OpEnableAuth: {Name: "enable auth method", Method: http.MethodPost, Path: "sys/auth/{id}",
		Capabilities: []string{"update", "sudo"}, Write: true, CLI: "vault auth enable"},
	OpDisableAuth: {Name: "disable auth method", Method: http.MethodDelete, Path: "sys/auth/{id}",
		Capabilities: []string{"update", "sudo"}, Write: true, Destructive: true, CLI: "vault auth disable"},
	OpListAuth: {Name: "list auth methods", Method: http.MethodGet, Path: "sys/auth", Capabilities: []string{"read"}, CLI: "vault auth list"},
}

func init() {
	for k := range operations {
		operations[k].Kind = OpKind(k)
	}
}

// Lookup returns the table's row for k (the zero Operation for an unknown k).
func Lookup(k OpKind) Operation {
	if k <= OpUnknown || k >= opCount {
		return Operation{}
	}
	o := operations[k]
	o.Types, o.Capabilities, o.Secrets = slices.Clone(o.Types), slices.Clone(o.Capabilities), slices.Clone(o.Secrets)
	return o
}

// Operations lists every row, in the table's order.
func Operations() []Operation {
	out := make([]Operation, 0, opCount-1)
	for k := OpUnknown + 1; k < opCount; k++ {
		out = append(out, Lookup(k))
	}
	return out
}

// String is the operation's name with {type} left in.
func (k OpKind) String() string {
	if k <= OpUnknown || k >= opCount {
		return "unknown"
	}
	return operations[k].Name
}

// Action is the operation's name for type t: "enable performance primary".
func (o Operation) Action(t ReplicationType) string {
	return strings.ReplaceAll(o.Name, "{type}", typeWord(t))
}

// PathFor is the API path for type t and, where the path has one, the
// object id (a secondary id, a mount path).
func (o Operation) PathFor(t ReplicationType, id ...string) string {
	p := strings.ReplaceAll(o.Path, "{type}", t.String())
	if len(id) > 0 {
		p = strings.ReplaceAll(p, "{id}", strings.Trim(id[0], "/"))
	}
	return p
}

// AuthFor is how Vault authorises the operation for type t.
func (o Operation) AuthFor(t ReplicationType) Auth {
	if t == DR {
		return o.DRAuth
	}
	return o.Auth
}

// NeedsCapabilities returns the capabilities the token needs on PathFor(t),
// or nil when the operation for type t is not authorised by the token's
// policy (unauthenticated, or by a DR operation token).
func (o Operation) NeedsCapabilities(t ReplicationType) []string {
	if o.AuthFor(t) != AuthToken {
		return nil
	}
	return slices.Clone(o.Capabilities)
}

// Secret reports whether parameter key is a secret of this operation.
func (o Operation) Secret(key string) bool { return slices.Contains(o.Secrets, key) }

// Arg is one parameter of a command. A Key starting with "-" is a flag of
// the command (`-format=json`, `-field=…`), placed before the path; a Key
// in angle brackets ("<type>") is a positional argument, placed last; any
// other is a key=value parameter, placed after the path. A Value of "" is
// left out, so that Vault's default applies (as the writes do).
type Arg struct {
	Key, Value string
}

// Command is the `vault` CLI command that does what the operation does for
// type t, in the form of HashiCorp's replication walkthrough: `vault write
// -f <path>` without parameters, `vault write <path> k="v" …` with them,
// `vault read`/`vault delete` for GET/DELETE. Secrets are masked, always:
// the text is shown on screen. id fills {id} in the path.
func (o Operation) Command(t ReplicationType, id string, args ...Arg) string {
	var flags, params, positional []string
	for _, a := range args {
		if a.Value == "" {
			continue
		}
		v := a.Value
		if o.Secret(a.Key) {
			v = Masked
		}
		switch {
		case strings.HasPrefix(a.Key, "-"):
			if strings.ContainsAny(v, " \"'") {
				v = quoteArg(v)
			}
			flags = append(flags, a.Key+"="+v)
		case strings.HasPrefix(a.Key, "<"):
			positional = append(positional, v)
		default:
			params = append(params, a.Key+"="+quoteArg(v))
		}
	}
	var words []string
	switch {
	case o.CLI != "":
		words = append(append(append([]string{o.CLI}, flags...), params...), positional...)
		return strings.Join(words, " ")
	case o.Method == http.MethodGet:
		words = append([]string{"vault read"}, flags...)
	case o.Method == http.MethodDelete:
		words = append([]string{"vault delete"}, flags...)
	default:
		words = append([]string{"vault write"}, flags...)
		if len(params) == 0 {
			words = append(words, "-f")
		}
	}
	words = append(words, o.PathFor(t, id))
	return strings.Join(append(append(words, params...), positional...), " ")
}

// quoteArg double-quotes a value for a POSIX shell's eyes (the walkthrough's
// style: id="us-east-1").
func quoteArg(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
