package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The replication writes. Each one:
//   - is refused with ErrReadOnly, sending nothing, on a read-only client;
//   - is sent once (requests are never retried; see Client);
//   - goes to the root namespace, where replication endpoints live;
//   - sends only the parameters that are set, so Vault's defaults apply;
//   - returns Vault's warnings ("Vault will be unavailable for a brief
//     period…"), which are information for the operator, not errors.
// Missing required parameters are refused locally with ErrBadRequest.

// Method, path and name of each write come from the table of operations
// (operations.go), which the wizard's pre-flight and command text read too.

// typeWord is the type as written in operation names: "performance" or "DR".
func typeWord(t ReplicationType) string {
	if t == DR {
		return "DR"
	}
	return "performance"
}

// tableWrite sends operation k for type t with body.
func (c *Client) tableWrite(ctx context.Context, k OpKind, t ReplicationType, body map[string]any, secrets ...string) (WriteResult, error) {
	o := operations[k]
	return c.replicationWrite(ctx, o.Action(t), o.Method, o.PathFor(t), body, secrets...)
}

// EnablePrimary enables replication of type t with this cluster as primary
// (…/primary/enable).
func (c *Client) EnablePrimary(ctx context.Context, t ReplicationType, r EnablePrimaryRequest) (WriteResult, error) {
	body := map[string]any{}
	setString(body, "primary_cluster_addr", r.PrimaryClusterAddr)
	return c.tableWrite(ctx, OpEnablePrimary, t, body)
}

// DemotePrimary turns this primary into a secondary that connects to
// nothing (…/primary/demote). It keeps its cluster id and can rejoin with
// update-primary without a wipe.
func (c *Client) DemotePrimary(ctx context.Context, t ReplicationType) (WriteResult, error) {
	return c.tableWrite(ctx, OpDemotePrimary, t, map[string]any{})
}

// DisablePrimary turns replication of type t off on this primary
// (…/primary/disable). Re-enabling creates a new cluster id, so existing
// secondaries would be wiped when they reconnect.
func (c *Client) DisablePrimary(ctx context.Context, t ReplicationType) (WriteResult, error) {
	return c.tableWrite(ctx, OpDisablePrimary, t, map[string]any{})
}

// RevokeSecondary revokes a secondary's activation (…/primary/revoke-secondary).
func (c *Client) RevokeSecondary(ctx context.Context, t ReplicationType, id string) (WriteResult, error) {
	op := operations[OpRevokeSecondary].Action(t)
	if err := c.guard(op); err != nil {
		return WriteResult{}, err
	}
	if strings.TrimSpace(id) == "" {
		return WriteResult{}, c.refuse(op, "the secondary id is required")
	}
	return c.tableWrite(ctx, OpRevokeSecondary, t, map[string]any{"id": id})
}

// EnableSecondary activates this cluster as a secondary with an activation
// token (…/secondary/enable). It purges all of this cluster's data.
func (c *Client) EnableSecondary(ctx context.Context, t ReplicationType, r EnableSecondaryRequest) (WriteResult, error) {
	op := operations[OpEnableSecondary].Action(t)
	if err := c.guard(op); err != nil {
		return WriteResult{}, err
	}
	if strings.TrimSpace(r.Token) == "" {
		return WriteResult{}, c.refuse(op, "the activation token is required")
	}
	body := map[string]any{"token": strings.TrimSpace(r.Token)}
	setString(body, "primary_api_addr", r.PrimaryAPIAddr)
	setString(body, "ca_file", r.CAFile)
	setString(body, "ca_path", r.CAPath)
	setString(body, "client_cert_file", r.ClientCertFile)
	setString(body, "client_key_file", r.ClientKeyFile)
	return c.tableWrite(ctx, OpEnableSecondary, t, body, r.Token)
}

// Promote makes this secondary a primary (…/secondary/promote). A DR
// secondary needs a DR operation token.
func (c *Client) Promote(ctx context.Context, t ReplicationType, r PromoteRequest) (WriteResult, error) {
	op := operations[OpPromote].Action(t)
	if err := c.guard(op); err != nil {
		return WriteResult{}, err
	}
	body := map[string]any{}
	setString(body, "primary_cluster_addr", r.PrimaryClusterAddr)
	if r.Force {
		body["force"] = true
	}
	if t == DR {
		if r.DROperationToken == "" {
			return WriteResult{}, c.refuse(op, "a DR operation token is required to promote a DR secondary")
		}
		body["dr_operation_token"] = r.DROperationToken
	}
	return c.tableWrite(ctx, OpPromote, t, body, r.DROperationToken)
}

// DisableSecondary makes this secondary leave its replication set
// (…/secondary/disable). For DR the token is sent when given: newer Vault
// requires it, older versions took no parameters.
func (c *Client) DisableSecondary(ctx context.Context, t ReplicationType, r DRTokenRequest) (WriteResult, error) {
	body := map[string]any{}
	if t == DR {
		setString(body, "dr_operation_token", r.DROperationToken)
	}
	return c.tableWrite(ctx, OpDisableSecondary, t, body, r.DROperationToken)
}

// UpdatePrimary points this secondary at a new primary without a wipe
// (…/secondary/update-primary): either a new activation token or a list of
// primary cluster addresses, never both. A DR secondary needs a DR operation
// token.
func (c *Client) UpdatePrimary(ctx context.Context, t ReplicationType, r UpdatePrimaryRequest) (WriteResult, error) {
	op := operations[OpUpdatePrimary].Action(t)
	if err := c.guard(op); err != nil {
		return WriteResult{}, err
	}
	if r.Token != "" && len(r.UpdatePrimaryAddrs) > 0 {
		return WriteResult{}, c.refuse(op, "token and update_primary_addrs are mutually exclusive")
	}
	body := map[string]any{}
	setString(body, "token", r.Token)
	if len(r.UpdatePrimaryAddrs) > 0 {
		body["update_primary_addrs"] = r.UpdatePrimaryAddrs
	}
	setString(body, "primary_api_addr", r.PrimaryAPIAddr)
	setString(body, "ca_file", r.CAFile)
	setString(body, "ca_path", r.CAPath)
	if t == DR {
		if r.DROperationToken == "" {
			return WriteResult{}, c.refuse(op, "a DR operation token is required to update a DR secondary's primary")
		}
		body["dr_operation_token"] = r.DROperationToken
	}
	return c.tableWrite(ctx, OpUpdatePrimary, t, body, r.Token, r.DROperationToken)
}

// SecondaryToken generates an activation token for a new secondary
// (…/primary/secondary-token; the token needs sudo on that path). The id
// appears in known_secondaries at once, whether or not the token is used.
func (c *Client) SecondaryToken(ctx context.Context, t ReplicationType, r SecondaryTokenRequest) (ActivationToken, error) {
	o := operations[OpSecondaryToken]
	op := o.Action(t)
	if err := c.guard(op); err != nil {
		return ActivationToken{}, err
	}
	if strings.TrimSpace(r.ID) == "" {
		return ActivationToken{}, c.refuse(op, "the secondary id is required")
	}
	if r.TTL < 0 {
		return ActivationToken{}, c.refuse(op, "the TTL must not be negative")
	}
	body := map[string]any{"id": r.ID}
	if r.TTL > 0 {
		// Whole seconds with a unit: Vault's duration parser reads "1800s".
		body["ttl"] = fmt.Sprintf("%ds", int64((r.TTL+time.Second-1)/time.Second))
	}
	setString(body, "secondary_public_key", r.SecondaryPublicKey)
	rep, err := c.write(ctx, op, o.Method, o.PathFor(t), body)
	if err != nil {
		return ActivationToken{}, err
	}
	tok, perr := parseActivationToken(rep.body)
	if perr != nil {
		return ActivationToken{}, c.withOp(perr, op, rep.status)
	}
	tok.ID = r.ID
	c.issued.add(IssuedToken{Type: t, ID: r.ID, Expires: tok.Expires})
	return tok, nil
}

// replicationWrite sends a write and returns its warnings.
func (c *Client) replicationWrite(ctx context.Context, op, method, path string, body map[string]any, secrets ...string) (WriteResult, error) {
	rep, err := c.write(ctx, op, method, path, body, secrets...)
	if err != nil {
		return WriteResult{}, err
	}
	return WriteResult{Warnings: c.warnings(rep.body, secrets...)}, nil
}

// guard is the read-only check. Every write calls it first, before even
// validating its parameters, so a read-only client always answers ErrReadOnly.
func (c *Client) guard(op string) error {
	if c.ReadOnly() {
		return &Error{Class: ErrReadOnly, Op: op, Cluster: c.cfg.Name}
	}
	return nil
}

// write sends a write, behind the read-only guard.
func (c *Client) write(ctx context.Context, op, method, path string, body map[string]any, secrets ...string) (reply, error) {
	if err := c.guard(op); err != nil {
		return reply{}, err
	}
	return c.do(ctx, request{op: op, method: method, path: path, body: body, write: true, secrets: secrets})
}

// refuse is a request vaultrepl will not send because a required parameter
// is missing.
func (c *Client) refuse(op, why string) *Error {
	return &Error{Class: ErrBadRequest, Op: op, Cluster: c.cfg.Name, Messages: []string{why + " (nothing was sent)"}}
}

func setString(body map[string]any, key, v string) {
	if v = strings.TrimSpace(v); v != "" {
		body[key] = v
	}
}

// warnings reads the "warnings" of a response body. An empty body (204) or
// one without warnings gives none; the body is not otherwise checked, since
// the write has already succeeded.
func (c *Client) warnings(body []byte, secrets ...string) []string {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	var notes []string
	f, ok := newFields(body, "", &notes)
	if !ok {
		return nil
	}
	return redactAll(f.strs("warnings"), append([]string{c.token}, secrets...)...)
}

// parseActivationToken reads secondary-token's response: the wrapped shape
// (wrap_info.token, a JWT) or, with secondary_public_key, data.token.
func parseActivationToken(body []byte) (ActivationToken, error) {
	var notes []string
	f, ok := newFields(body, "", &notes)
	if !ok {
		return ActivationToken{}, notAnObject(body)
	}
	if wf, ok := f.object("wrap_info"); ok {
		return wrappedToken(wf)
	}
	if df, ok := f.object("data"); ok {
		if tok, ok := df.str("token"); ok && tok != "" {
			return ActivationToken{Token: tok, Encrypted: true}, nil
		}
	}
	return ActivationToken{}, malformed("the response has neither wrap_info.token nor data.token")
}

func wrappedToken(f *fields) (ActivationToken, error) {
	var t ActivationToken
	t.Token, _ = f.str("token")
	if t.Token == "" {
		return ActivationToken{}, malformed("wrap_info has no token")
	}
	t.Accessor, _ = f.str("accessor")
	if secs, ok := f.u64("ttl"); ok && secs < 1<<32 {
		t.TTL = time.Duration(secs) * time.Second
	}
	t.CreationTime, _ = f.rfc3339("creation_time")
	t.CreationPath, _ = f.str("creation_path")
	if claims, err := DecodeActivationToken(t.Token); err == nil {
		t.IssuedAt, t.NotBefore, t.Expires = claims.IssuedAt, claims.NotBefore, claims.Expires
		t.Addr, t.JTI = claims.Addr, claims.JTI
	}
	if t.Expires.IsZero() && !t.CreationTime.IsZero() && t.TTL > 0 {
		// A token that is not a JWT (the docs' old UUID sample) still
		// expires TTL after its creation.
		t.Expires = t.CreationTime.Add(t.TTL)
	}
	return t, nil
}

// UnwrapFailure is why a secondary could not unwrap its activation token at
// the primary, as far as the secondary's reply tells.
type UnwrapFailure int

const (
	// UnwrapUnknown: the failure is not an unwrap refusal the secondary quoted.
	UnwrapUnknown UnwrapFailure = iota
	// UnwrapWrongVault: the address the secondary called answered 403: a
	// Vault that did not sign the token (it fails the JWT's signature).
	UnwrapWrongVault
	// UnwrapRefused: the primary answered 400: it no longer knows the token
	// (used, revoked or expired).
	UnwrapRefused
	// UnwrapOther: the unwrap failed with another status.
	UnwrapOther
)

// ActivationUnwrap reads a failed activation (EnableSecondary, or
// UpdatePrimary with a token): Vault's secondary quotes the status its
// unwrap call to the primary got ("error response unwrapping secondary
// token; status code is 403"). The text is read here, where server text
// enters vaultrepl, so that screens decide on a value rather than a message.
func ActivationUnwrap(err error) UnwrapFailure {
	var e *Error
	if !errors.As(err, &e) || (e.Class != ErrBadRequest && e.Class != ErrPermissionDenied && e.Class != ErrServer) {
		return UnwrapUnknown
	}
	msg := strings.ToLower(e.Detail())
	const quote = "unwrapping secondary token; status code is "
	i := strings.Index(msg, quote)
	if i < 0 {
		return UnwrapUnknown
	}
	switch rest := msg[i+len(quote):]; {
	case strings.HasPrefix(rest, "403"):
		return UnwrapWrongVault
	case strings.HasPrefix(rest, "400"):
		return UnwrapRefused
	}
	return UnwrapOther
}
