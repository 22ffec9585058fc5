package ops

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Failover and the replication lifecycle: what an operator needs when a
// primary is lost or retired, besides the writes in write.go (Promote,
// DemotePrimary, UpdatePrimary, Disable*, RevokeSecondary).
//
// A DR secondary refuses every request made with a Vault token. Its
// promote, update-primary and disable endpoints are authorised instead by a
// DR operation token in the body, which an operator gets in one of two ways:
//   - generated on the DR secondary from a quorum of the primary's unseal or
//     recovery key shares, with the generate-root algorithm (start an attempt,
//     which returns a one-time pad; give key shares with the attempt's nonce
//     until progress reaches the threshold; decode the encoded token with the
//     pad): StartDROperationToken, UpdateDROperationToken,
//     DecodeOperationToken, CancelDROperationToken;
//   - a batch DR operation token made in advance on the primary: a batch
//     token whose policy allows update on those paths, which DR replication
//     carries to the secondary (BatchDROperationTokenPolicy says how).

// TokenGeneration is the state of a DR operation token generation, as
// sys/replication/dr/secondary/generate-operation-token/attempt and …/update
// report it (top-level JSON, not wrapped in data).
type TokenGeneration struct {
	Nonce   string
	Started bool
	// Progress of Required key shares given. HasProgress is false when the
	// server left either out: the count is then unknown, not 0 of 0.
	Progress    int
	Required    int
	HasProgress bool
	Complete    bool
	// EncodedToken is the token XORed with the OTP (base64, no padding),
	// set once Complete. Useless without the OTP, but still never logged.
	EncodedToken string
	// OTP is the one-time pad the server made; only the start call returns
	// it, so the caller must keep it until the token is decoded. Secret.
	OTP       string
	OTPLength int
	// PGPFingerprint is set when the attempt encrypts to a PGP key instead.
	PGPFingerprint string
}

// DROperationTokenStatus reads the generation attempt in progress on a DR
// secondary, if any (Started false when none). It is a read: allowed on a
// read-only client.
func (c *Client) DROperationTokenStatus(ctx context.Context) (TokenGeneration, error) {
	o := operations[OpDRTokenStatus]
	op := o.Action(DR)
	rep, err := c.do(ctx, request{op: op, method: o.Method, path: o.PathFor(DR)})
	if err != nil {
		return TokenGeneration{}, err
	}
	return c.parseTokenGeneration(rep, op)
}

// StartDROperationToken starts a generation attempt on a DR secondary. Vault
// makes the OTP and returns it only here. An attempt already in progress is
// refused by Vault (400 "root generation already in progress"): cancel it
// first, since its OTP cannot be read again.
func (c *Client) StartDROperationToken(ctx context.Context) (TokenGeneration, error) {
	o := operations[OpDRTokenInit]
	op := o.Action(DR)
	rep, err := c.write(ctx, op, o.Method, o.PathFor(DR), map[string]any{})
	if err != nil {
		return TokenGeneration{}, err
	}
	g, err := c.parseTokenGeneration(rep, op)
	if err == nil && g.OTP == "" && g.PGPFingerprint == "" {
		// Vault before 1.10 expected the client to send its own OTP; a
		// started attempt without one cannot be decoded.
		return g, c.withOp(malformed("the server started the attempt but returned no OTP"), op, rep.status)
	}
	return g, err
}

// UpdateDROperationToken gives one key share (hex or base64, an unseal or
// recovery key share of the primary's seal) to the attempt with this nonce.
// The key share is a secret: it is redacted from any error.
func (c *Client) UpdateDROperationToken(ctx context.Context, nonce, keyShare string) (TokenGeneration, error) {
	o := operations[OpDRTokenUpdate]
	op := o.Action(DR)
	if err := c.guard(op); err != nil {
		return TokenGeneration{}, err
	}
	keyShare, nonce = strings.TrimSpace(keyShare), strings.TrimSpace(nonce)
	if keyShare == "" || nonce == "" {
		return TokenGeneration{}, c.refuse(op, "the key share and the attempt's nonce are required")
	}
	rep, err := c.write(ctx, op, o.Method, o.PathFor(DR), map[string]any{"key": keyShare, "nonce": nonce}, keyShare)
	if err != nil {
		return TokenGeneration{}, err
	}
	return c.parseTokenGeneration(rep, op, keyShare)
}

// CancelDROperationToken deletes the attempt in progress (and the key
// shares given to it). Deleting when there is none is not an error.
func (c *Client) CancelDROperationToken(ctx context.Context) error {
	o := operations[OpDRTokenCancel]
	_, err := c.write(ctx, o.Action(DR), o.Method, o.PathFor(DR), nil)
	return err
}

// RevokeDROperationToken revokes a DR operation token (…/dr/secondary/
// operation-token/delete). Generated DR operation tokens have no TTL, so
// they should be revoked once the failover is over.
func (c *Client) RevokeDROperationToken(ctx context.Context, token string) (WriteResult, error) {
	op := operations[OpDRTokenRevoke].Action(DR)
	if err := c.guard(op); err != nil {
		return WriteResult{}, err
	}
	if strings.TrimSpace(token) == "" {
		return WriteResult{}, c.refuse(op, "the DR operation token is required")
	}
	return c.tableWrite(ctx, OpDRTokenRevoke, DR, map[string]any{"dr_operation_token": strings.TrimSpace(token)}, token)
}

func (c *Client) parseTokenGeneration(rep reply, op string, secrets ...string) (TokenGeneration, error) {
	var notes []string
	f, ok := newFields(rep.body, "", &notes)
	if !ok {
		return TokenGeneration{}, c.withOp(notAnObject(rep.body), op, rep.status)
	}
	var g TokenGeneration
	g.Nonce, _ = f.str("nonce")
	g.Started, _ = f.boolean("started")
	g.Complete, _ = f.boolean("complete")
	progress, okP := f.u64("progress")
	required, okR := f.u64("required")
	if okP && okR && progress <= 1<<16 && required <= 1<<16 {
		g.Progress, g.Required, g.HasProgress = int(progress), int(required), true
	}
	g.EncodedToken, _ = f.str("encoded_token")
	if g.EncodedToken == "" {
		// The legacy name, which the root-token flow repeats it under.
		g.EncodedToken, _ = f.str("encoded_root_token")
	}
	g.OTP, _ = f.str("otp")
	if n, ok := f.u64("otp_length"); ok && n <= 1<<10 {
		g.OTPLength = int(n)
	}
	g.PGPFingerprint, _ = f.str("pgp_fingerprint")
	g.PGPFingerprint = redactSecrets(g.PGPFingerprint, append([]string{c.token}, secrets...)...)
	if g.Complete && g.EncodedToken == "" && g.PGPFingerprint == "" {
		return g, c.withOp(malformed("the generation is complete but carries no encoded_token"), op, rep.status)
	}
	return g, nil
}

// DecodeOperationToken decodes a completed generation's encoded token with
// its OTP, as `vault operator generate-root -dr-token -decode=… -otp=…`
// does (sdk/helper/roottoken.DecodeToken): base64 without padding, then XOR
// with the OTP's bytes. No request is sent: the token never crosses the
// network in clear. Errors never contain either input.
func DecodeOperationToken(encoded, otp string) (string, error) {
	encoded, otp = strings.TrimSpace(encoded), strings.TrimSpace(otp)
	if otp == "" {
		return "", decodeErr("the OTP is required to decode the token (the pre-1.10 flow without one is not supported)")
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(encoded, "="))
	if err != nil {
		return "", decodeErr("the encoded token is not base64")
	}
	if len(b) != len(otp) {
		return "", decodeErr("the encoded token is %d bytes and the OTP %d: they belong to different attempts", len(b), len(otp))
	}
	for i := range b {
		b[i] ^= otp[i]
	}
	return string(b), nil
}

// decodeErr is a local refusal to decode: nothing was sent anywhere.
func decodeErr(format string, args ...any) *Error {
	return &Error{Class: ErrBadRequest, Op: "decode DR operation token", Messages: []string{fmt.Sprintf(format, args...)}}
}

// BatchDROperationTokenPolicy is the policy of a batch DR operation token:
// update on the DR-secondary endpoints a failover uses. Written on the
// primary before a disaster, it replicates to the DR secondaries with the
// token, so a failover needs no key holders.
const BatchDROperationTokenPolicy = `path "sys/replication/dr/secondary/promote" {
  capabilities = ["update"]
}
path "sys/replication/dr/secondary/update-primary" {
  capabilities = ["update"]
}
path "sys/storage/raft/autopilot/state" {
  capabilities = ["update", "read"]
}`

// BatchDROperationTokenCommands is how to make a batch DR operation token on
// the primary, in advance: the policy above, then an orphan batch token with
// it (create-orphan needs no sudo). HashiCorp's tutorial puts the same
// settings in a token role; the result is the same token. A batch token
// cannot be revoked and expires at its TTL, so it is made again before then.
func BatchDROperationTokenCommands(policyName, ttl string) []string {
	return []string{
		fmt.Sprintf("vault policy write %s dr-operation.hcl", policyName),
		fmt.Sprintf("vault token create -type=batch -orphan -policy=%s -ttl=%s -field=token", policyName, ttl),
	}
}

// LooksLikeBatchToken reports whether a token has the shape of a batch token
// ("hvb." since Vault 1.10, "b." before): a hint for the operator pasting a
// batch DR operation token, not a check Vault's answer can replace.
func LooksLikeBatchToken(tok string) bool {
	tok = strings.TrimSpace(tok)
	return strings.HasPrefix(tok, "hvb.") || strings.HasPrefix(tok, "b.") && len(tok) > 24
}

// FilterMode is a paths filter's mode.
type FilterMode int

const (
	// FilterUnknown is a mode this version does not know, or none given.
	FilterUnknown FilterMode = iota
	// FilterAllow replicates only the listed paths to the secondary.
	FilterAllow
	// FilterDeny replicates everything except the listed paths.
	FilterDeny
)

func (m FilterMode) String() string {
	switch m {
	case FilterAllow:
		return "allow"
	case FilterDeny:
		return "deny"
	}
	return "unknown"
}

// ParseFilterMode is the inverse of String; anything else is FilterUnknown.
func ParseFilterMode(s string) FilterMode {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "allow":
		return FilterAllow
	case "deny":
		return FilterDeny
	}
	return FilterUnknown
}

// PathsFilter is a performance secondary's paths filter, kept on the
// primary under the secondary's id (…/performance/primary/paths-filter/:id).
type PathsFilter struct {
	Mode    FilterMode
	RawMode string // as Vault sent it, for display when Mode is unknown
	Paths   []string
}

// checkSecondaryID refuses an id that could leave the paths-filter path.
func (c *Client) checkSecondaryID(op, id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" || strings.ContainsAny(id, "/?#%") || id == "." || id == ".." {
		return "", c.refuse(op, "the secondary id must be non-empty and must not contain '/', '?', '#' or '%'")
	}
	return id, nil
}

// PathsFilter reads the paths filter of the secondary with this id on a
// performance primary. found is false when the secondary has none (Vault
// answers 404, which the web UI also reads as "no filter").
func (c *Client) PathsFilter(ctx context.Context, id string) (filter PathsFilter, found bool, err error) {
	o := operations[OpPathsFilterRead]
	op := o.Action(Performance)
	id, err = c.checkSecondaryID(op, id)
	if err != nil {
		return PathsFilter{}, false, err
	}
	rep, err := c.do(ctx, request{op: op, method: o.Method, path: o.PathFor(Performance, id)})
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.StatusCode == http.StatusNotFound && e.Class == ErrNotFound {
			return PathsFilter{}, false, nil
		}
		return PathsFilter{}, false, err
	}
	// The docs print the filter without an envelope; the server (and the
	// web UI's serializer) put it under data. Both are read.
	_, src, err := c.dataFields(rep, op)
	if err != nil {
		return PathsFilter{}, false, err
	}
	filter.RawMode, _ = src.str("mode")
	filter.RawMode = redactSecrets(filter.RawMode, c.token)
	filter.Mode = ParseFilterMode(filter.RawMode)
	filter.Paths = redactAll(src.strs("paths"), c.token)
	return filter, true, nil
}

// SetPathsFilter creates or replaces the paths filter of a secondary. Vault
// 1.15+ refuses a path that is not a mount; namespaces end in "/" too.
func (c *Client) SetPathsFilter(ctx context.Context, id string, f PathsFilter) (WriteResult, error) {
	o, op, id, err := c.pathsFilterWrite(OpPathsFilterSet, id)
	if err != nil {
		return WriteResult{}, err
	}
	if f.Mode != FilterAllow && f.Mode != FilterDeny {
		return WriteResult{}, c.refuse(op, `the mode must be "allow" or "deny"`)
	}
	paths := make([]string, 0, len(f.Paths))
	for _, p := range f.Paths {
		if p = strings.TrimSpace(p); p != "" {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return WriteResult{}, c.refuse(op, "at least one path is required (delete the filter to replicate everything)")
	}
	defer c.filterWrites.add() // sent: landed or not, the filters shown are out of date
	return c.replicationWrite(ctx, op, o.Method, o.PathFor(Performance, id), map[string]any{"mode": f.Mode.String(), "paths": paths})
}

// DeletePathsFilter removes a secondary's paths filter: everything
// replicates to it again.
func (c *Client) DeletePathsFilter(ctx context.Context, id string) (WriteResult, error) {
	o, op, id, err := c.pathsFilterWrite(OpPathsFilterDelete, id)
	if err != nil {
		return WriteResult{}, err
	}
	defer c.filterWrites.add()
	return c.replicationWrite(ctx, op, o.Method, o.PathFor(Performance, id), nil)
}

// pathsFilterWrite is what both paths-filter writes check before sending:
// the write is allowed on this cluster, and id is a secondary id Vault
// accepts. It returns the operation, its action name and the checked id.
func (c *Client) pathsFilterWrite(which OpKind, id string) (Operation, string, string, error) {
	o := operations[which]
	op := o.Action(Performance)
	if err := c.guard(op); err != nil {
		return o, op, "", err
	}
	id, err := c.checkSecondaryID(op, id)
	return o, op, id, err
}

// Leader is what sys/leader says about the cluster's active node: where a
// secondary's update_primary_addrs can find it after a failover.
type Leader struct {
	HAEnabled            bool
	IsSelf               bool
	LeaderAddress        string // API address
	LeaderClusterAddress string // cluster address (port 8201): what update_primary_addrs lists
}

// Leader reads sys/leader (unauthenticated; a DR secondary answers it too).
// The addresses may be redacted by the listener for callers without a
// token: they are then "".
func (c *Client) Leader(ctx context.Context) (Leader, error) {
	o := operations[OpGetLeader]
	op := o.Action(Performance)
	rep, err := c.do(ctx, request{op: op, method: o.Method, path: o.PathFor(Performance)})
	if err != nil {
		return Leader{}, err
	}
	top, _, err := c.dataFields(rep, op)
	if err != nil {
		return Leader{}, err
	}
	var l Leader
	l.HAEnabled, _ = top.boolean("ha_enabled")
	l.IsSelf, _ = top.boolean("is_self")
	l.LeaderAddress, _ = top.str("leader_address")
	l.LeaderClusterAddress, _ = top.str("leader_cluster_address")
	l.LeaderAddress = redactSecrets(l.LeaderAddress, c.token)
	l.LeaderClusterAddress = redactSecrets(l.LeaderClusterAddress, c.token)
	return l, nil
}

// UpdatePrimaryAddrsAllowed says whether a secondary may follow a new
// primary with update_primary_addrs instead of a new activation token, and
// why not when it may not. Vault allows it only to a secondary that still
// holds credentials for the replication set (it has a secondary id: a
// demoted primary has none and must use a token) and when the new primary
// is a primary of that same set (same cluster_id), as after a DR promotion
// of the old primary's DR secondary.
func UpdatePrimaryAddrsAllowed(secondary, newPrimary TypeStatus) (bool, string) {
	switch {
	case secondary.Mode != ModeSecondary:
		return false, "the cluster is not a " + typeWord(secondary.Type) + " secondary"
	case newPrimary.Mode != ModePrimary || newPrimary.Type != secondary.Type:
		return false, "the new primary is not a " + typeWord(secondary.Type) + " primary"
	case secondary.SecondaryID == "":
		return false, "the cluster was demoted from primary and holds no credentials for the new one: it needs a new activation token"
	case secondary.ClusterID == "" || newPrimary.ClusterID == "":
		return false, "the replication set of one side is unknown (no cluster_id)"
	case secondary.ClusterID != newPrimary.ClusterID:
		return false, "the new primary belongs to another replication set: the secondary needs a new activation token"
	}
	return true, ""
}
