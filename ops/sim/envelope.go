package sim

// The wire format: verbatim error and warning texts, Vault's response
// envelope (logical.HTTPResponse), wrapped responses, error bodies and the
// data-injected-at-top-level variant some sys routes use.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// Verbatim texts from the reference (and from Vault CE where noted).
const (
	errPermissionDenied = "permission denied"
	errInvalidToken     = "invalid token"
	errSealed           = "Vault is sealed"                                // consts.ErrSealed
	errDRSecondary      = "path disabled in replication DR secondary mode" // as captured from Enterprise (GET sys/mounts on a DR secondary)
	errEnterpriseOnly   = "enterprise-only feature"                        // vault/logical_system_helpers.go
	errInvalidWrapping  = "wrapping token is not valid or does not exist"  // consts.ErrInvalidWrappingToken
	errUnsupportedOp    = "unsupported operation"                          // logical.ErrUnsupportedOperation
	errUnsupportedPath  = "unsupported path"                               // logical.ErrUnsupportedPath
	errRateLimited      = "rate limit quota exceeded"                      // quotas.ErrRateLimitQuotaExceeded
	errUnavailable      = "Vault is unavailable while replication is reconfigured; it will resume service shortly (simulated)"
	errInitialSync      = "Vault is unavailable until the secondary's setup tasks and initial sync complete (simulated)"
	errReindexing       = "Vault is unavailable while the merkle trees are reindexed (simulated)"
	errRootNamespace    = "this endpoint can only be called in the root namespace (simulated)"
)

// Warnings returned by replication role changes, verbatim as Enterprise
// servers print them (hashicorp/vault-guides
// operations/local-replication/README.md).
const (
	warnEnablePrimary   = "This cluster is being enabled as a primary for replication. Vault will be unavailable for a brief period and will resume service shortly."
	warnDemote          = "This cluster is being demoted to a replication secondary. Vault will be unavailable for a brief period and will resume service shortly."
	warnDisable         = "This cluster is having replication disabled. Vault will be unavailable for a brief period and will resume service shortly."
	warnEnableSecondary = "Vault has successfully found secondary information; it may take a while to perform setup tasks. Vault will be unavailable until these tasks and initial sync complete."
	warnPromote         = "This cluster is being promoted to a replication primary. Vault will be unavailable for a brief period and will resume service shortly."
)

// multiError formats messages the way hashicorp/go-multierror does, which is
// how several Vault errors reach the wire as a single string.
func multiError(msgs ...string) string {
	points := make([]string, len(msgs))
	for i, m := range msgs {
		points[i] = "* " + m
	}
	if len(msgs) == 1 {
		return fmt.Sprintf("1 error occurred:\n\t%s\n\n", points[0])
	}
	return fmt.Sprintf("%d errors occurred:\n\t%s\n\n", len(msgs), strings.Join(points, "\n\t"))
}

// response is what a handler decided; the HTTP layer writes it after the lab's
// lock is released.
type response struct {
	status     int
	header     http.Header
	body       []byte
	stream     func(io.Writer) error // body too large to hold (the huge-body fault)
	length     int64                 // Content-Length for stream
	truncateAt int                   // >0: send only this many bytes, then cut the connection
	abort      bool                  // cut the connection without a response
}

type wrapInfo struct {
	Token           string `json:"token"`
	Accessor        string `json:"accessor"`
	TTL             int    `json:"ttl"`
	CreationTime    string `json:"creation_time"`
	CreationPath    string `json:"creation_path"`
	WrappedAccessor string `json:"wrapped_accessor,omitempty"`
}

type authBlock struct {
	ClientToken    string            `json:"client_token"`
	Accessor       string            `json:"accessor"`
	Policies       []string          `json:"policies"`
	TokenPolicies  []string          `json:"token_policies"`
	Metadata       map[string]string `json:"metadata"`
	LeaseDuration  int               `json:"lease_duration"`
	Renewable      bool              `json:"renewable"`
	EntityID       string            `json:"entity_id"`
	TokenType      string            `json:"token_type"`
	Orphan         bool              `json:"orphan"`
	MFARequirement any               `json:"mfa_requirement"`
	NumUses        int               `json:"num_uses"`
}

// envelope is Vault's logical response (logical.HTTPResponse in
// sdk/logical/translate_response.go), field for field.
type envelope struct {
	RequestID     string     `json:"request_id"`
	LeaseID       string     `json:"lease_id"`
	Renewable     bool       `json:"renewable"`
	LeaseDuration int        `json:"lease_duration"`
	Data          any        `json:"data"`
	WrapInfo      *wrapInfo  `json:"wrap_info"`
	Warnings      []string   `json:"warnings"`
	Auth          *authBlock `json:"auth"`
	MountType     string     `json:"mount_type"`
}

func jsonResponse(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		return errResp(http.StatusInternalServerError, err.Error())
	}
	return response{status: status, body: append(b, '\n')}
}

func errResp(status int, msgs ...string) response {
	if msgs == nil {
		msgs = []string{}
	}
	return jsonResponse(status, map[string][]string{"errors": msgs})
}

func noContent() response { return response{status: http.StatusNoContent} }

// logical returns a 200 envelope with mount_type "system".
func (q *request) logical(data map[string]any, warnings ...string) response {
	env := envelope{RequestID: q.l.ids.uuid(), MountType: "system", Warnings: warnings}
	if data != nil {
		env.Data = data
	}
	return jsonResponse(http.StatusOK, env)
}

// injected is a logical response whose data keys are also copied to the top
// level, as Vault does for sys/auth, sys/mounts, sys/capabilities* and a few
// other routes (http/handler.go injectDataIntoTopRoutes).
func (q *request) injected(data map[string]any) response {
	env := envelope{RequestID: q.l.ids.uuid(), MountType: "system", Data: data}
	rest, err := json.Marshal(env)
	if err != nil {
		return errResp(http.StatusInternalServerError, err.Error())
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(data[k])
		if err != nil {
			return errResp(http.StatusInternalServerError, err.Error())
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
		buf.WriteByte(',')
	}
	buf.Write(rest[1:])
	buf.WriteByte('\n')
	return response{status: http.StatusOK, body: buf.Bytes()}
}
