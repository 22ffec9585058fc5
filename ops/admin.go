package ops

import (
	"context"
	"net/http"
	"sort"
	"strings"
)

// The helpers the wizards need besides replication: what the token may do,
// the auth methods and secrets engines (the purge inventory and the
// propagation check's canary auth method), and userpass login for
// re-authentication after an activation wiped the old token.

// Capabilities asks sys/capabilities-self what the client's token may do on
// each path ("update", "sudo", "deny", …). Vault answers with one key per
// path (and, for a single path, "capabilities" as well); a path Vault left
// out maps to nil. It is asked in the root namespace, where the replication
// paths the wizards check live. Not a write: the read-only guard does not apply.
func (c *Client) Capabilities(ctx context.Context, paths ...string) (map[string][]string, error) {
	const op = "read token capabilities"
	if len(paths) == 0 {
		return map[string][]string{}, nil
	}
	rep, err := c.do(ctx, request{op: op, method: http.MethodPost, path: "sys/capabilities-self",
		body: map[string]any{"paths": paths}})
	if err != nil {
		return nil, err
	}
	// The per-path keys are in data and, on most versions, at the top level too.
	_, src, err := c.dataFields(rep, op)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(paths))
	for _, p := range paths {
		out[p] = src.strs(p)
	}
	if len(paths) == 1 && out[paths[0]] == nil {
		out[paths[0]] = src.strs("capabilities")
	}
	return out, nil
}

// ListAuth lists the enabled auth methods (GET sys/auth), sorted by path.
func (c *Client) ListAuth(ctx context.Context) ([]Mount, error) {
	return c.listMounts(ctx, "list auth methods", "sys/auth")
}

// ListMounts lists the enabled secrets engines (GET sys/mounts), sorted by path.
func (c *Client) ListMounts(ctx context.Context) ([]Mount, error) {
	return c.listMounts(ctx, "list secrets engines", "sys/mounts")
}

// envelopeKeys are the logical-response keys that sit beside the mounts
// when a version copies data to the top level.
var envelopeKeys = map[string]bool{
	"request_id": true, "lease_id": true, "renewable": true, "lease_duration": true, "data": true,
	"wrap_info": true, "warnings": true, "auth": true, "mount_type": true,
}

func (c *Client) listMounts(ctx context.Context, op, path string) ([]Mount, error) {
	rep, err := c.do(ctx, request{op: op, method: http.MethodGet, path: path, ns: true})
	if err != nil {
		return nil, err
	}
	top, src, err := c.dataFields(rep, op)
	if err != nil {
		return nil, err
	}
	var mounts []Mount
	for key, v := range src.obj {
		if src == top && envelopeKeys[key] {
			continue
		}
		mf, ok := treeFields(v, key+".", src.anomalies)
		if !ok {
			continue
		}
		m := Mount{Path: key}
		m.Type, _ = mf.str("type")
		m.Description, _ = mf.str("description")
		m.Accessor, _ = mf.str("accessor")
		m.Local, _ = mf.boolean("local")
		mounts = append(mounts, m)
	}
	sort.Slice(mounts, func(i, j int) bool { return mounts[i].Path < mounts[j].Path })
	return mounts, nil
}

// EnableAuth enables an auth method of type typ at path (POST sys/auth/:path).
func (c *Client) EnableAuth(ctx context.Context, path, typ, description string) error {
	const op = "enable auth method"
	if err := c.guard(op); err != nil {
		return err
	}
	p, err := c.mountPath(op, path)
	if err != nil {
		return err
	}
	if strings.TrimSpace(typ) == "" {
		return c.refuse(op, "the auth method type is required")
	}
	body := map[string]any{"type": typ}
	setString(body, "description", description)
	_, err = c.do(ctx, request{op: op, method: http.MethodPost, path: "sys/auth/" + p, body: body, write: true, ns: true})
	return err
}

// DisableAuth disables the auth method at path (DELETE sys/auth/:path).
func (c *Client) DisableAuth(ctx context.Context, path string) error {
	const op = "disable auth method"
	if err := c.guard(op); err != nil {
		return err
	}
	p, err := c.mountPath(op, path)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{op: op, method: http.MethodDelete, path: "sys/auth/" + p, write: true, ns: true})
	return err
}

// LoginUserpass logs in with the userpass method mounted at mount
// (POST auth/<mount>/login/<username>) and returns the new token. The
// request carries no token of its own. Logging in changes nothing in the
// cluster's configuration, so a read-only client may do it.
func (c *Client) LoginUserpass(ctx context.Context, mount, username, password string) (string, error) {
	const op = "log in with userpass"
	m, err := c.mountPath(op, mount)
	if err != nil {
		return "", err
	}
	if username == "" || strings.ContainsAny(username, "/?#") || username == ".." || username == "." {
		return "", c.refuse(op, "the username must be non-empty and must not contain '/', '?' or '#'")
	}
	rep, err := c.do(ctx, request{op: op, method: http.MethodPost, path: "auth/" + m + "/login/" + username,
		body: map[string]any{"password": password}, write: true, ns: true, noToken: true, secrets: []string{password}})
	if err != nil {
		return "", err
	}
	top, _, err := c.dataFields(rep, op)
	if err != nil {
		return "", err
	}
	if af, ok := top.object("auth"); ok {
		if tok, _ := af.str("client_token"); tok != "" {
			return tok, nil
		}
	}
	return "", c.withOp(malformed("the login response has no auth.client_token"), op, rep.status)
}

// dataFields reads the body of a logical response: top is the whole object,
// src its data object when there is one, else top again (some versions put
// the fields at the top level instead). Anomalies are not reported: these
// helpers read a handful of fields and ignore the rest.
func (c *Client) dataFields(rep reply, op string) (top, src *fields, err error) {
	var notes []string
	top, ok := newFields(rep.body, "", &notes)
	if !ok {
		return nil, nil, c.withOp(notAnObject(rep.body), op, rep.status)
	}
	if df, ok := top.object("data"); ok {
		return top, df, nil
	}
	return top, top, nil
}

// mountPath normalises a mount path ("userpass/" → "userpass") and refuses
// ones that could escape sys/auth/ or auth/.
func (c *Client) mountPath(op, path string) (string, error) {
	p := strings.Trim(strings.TrimSpace(path), "/")
	if p == "" || strings.ContainsAny(p, "?#") {
		return "", c.refuse(op, "the mount path must be non-empty and must not contain '?' or '#'")
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", c.refuse(op, "the mount path must not contain empty, '.' or '..' segments")
		}
	}
	return p, nil
}
