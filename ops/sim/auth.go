package sim

// Authentication and authorisation: tokens from X-Vault-Token (or a Bearer
// header), the version-dependent "invalid token" error, and ACL checks with
// sudo.

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// clientToken reads X-Vault-Token, or an Authorization: Bearer header.
func clientToken(hr *http.Request) string {
	if t := hr.Header.Get("X-Vault-Token"); t != "" {
		return strings.TrimSpace(t)
	}
	if a := hr.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		return strings.TrimSpace(strings.TrimPrefix(a, "Bearer "))
	}
	return ""
}

// lookupToken finds a live token in the cluster's token store.
func (c *cluster) lookupToken(id string, now time.Time) *tokenEntry {
	if id == "" {
		return nil
	}
	t := c.data.tokens[id]
	if t == nil || t.expired(now) {
		return nil
	}
	return t
}

// invalidTokenError is what this cluster's version says about a token it does
// not know: 1.17 and later add "invalid token" to "permission denied"
// (vault/request_handling.go; hashicorp/vault PR #25953).
func (c *cluster) invalidTokenError() string {
	if versionAtLeast(c.version, 1, 17) {
		return multiError(errPermissionDenied, errInvalidToken)
	}
	return errPermissionDenied
}

func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(trimEnt(v), ".", 3)
	if len(parts) < 2 {
		return true
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return true
	}
	return ma > major || (ma == major && mi >= minor)
}

// authorize checks the token and its policies against the route.
func (q *request) authorize(rt *route) (response, bool) {
	id := clientToken(q.hr)
	if id == "" {
		return errResp(http.StatusForbidden, errPermissionDenied), false
	}
	t := q.c.lookupToken(id, q.now)
	if t == nil {
		return errResp(http.StatusForbidden, q.c.invalidTokenError()), false
	}
	q.token = t
	caps := q.c.capabilitiesOf(t, q.aclPath())
	q.caps = caps
	if slices.Contains(caps, capRoot) {
		return response{}, true
	}
	var need []string
	switch q.op {
	case "read", "head":
		need = []string{capRead}
	case "list":
		need = []string{capList}
	case "update":
		need = []string{capUpdate, capCreate}
	case "delete":
		need = []string{capDelete}
	case "patch":
		need = []string{capPatch}
	}
	allowed := false
	for _, n := range need {
		allowed = allowed || slices.Contains(caps, n)
	}
	if !allowed || (rt.sudo && !slices.Contains(caps, capSudo)) {
		return errResp(http.StatusForbidden, errPermissionDenied), false
	}
	return response{}, true
}

// aclPath is the path policies are matched against. Vault appends a slash to
// the path of a list operation before it checks the ACL, so LIST
// sys/policies/acl needs list on "sys/policies/acl/" (which
// "sys/policies/acl/*" grants), not on "sys/policies/acl".
func (q *request) aclPath() string {
	if q.op == "list" {
		return q.path + "/"
	}
	return q.path
}

// hasMountAccess is Vault's test for sys/internal/ui/mounts: the token may do
// something somewhere under the mount at prefix (a rule for a path below it,
// or a glob that covers it, that is not a deny).
func (c *cluster) hasMountAccess(t *tokenEntry, prefix string) bool {
	if slices.Contains(t.Policies, "root") {
		return true
	}
	for _, a := range c.tokenACLs(t) {
		for _, r := range a.rules {
			if slices.Contains(r.caps, capDeny) || len(r.caps) == 0 {
				continue
			}
			if strings.HasPrefix(r.pattern, prefix) || globMatch(r.pattern, prefix) {
				return true
			}
		}
	}
	return false
}

// capabilitiesOf evaluates a token's policies on path.
func (c *cluster) capabilitiesOf(t *tokenEntry, path string) []string {
	if slices.Contains(t.Policies, "root") {
		return []string{capRoot}
	}
	return capabilities(c.tokenACLs(t), path)
}

// tokenACLs are the parsed policies of t that exist on this cluster.
func (c *cluster) tokenACLs(t *tokenEntry) []*acl {
	var acls []*acl
	for _, name := range t.Policies {
		text, ok := c.data.policies[name]
		if !ok {
			continue
		}
		if a, err := parsePolicy(text); err == nil {
			acls = append(acls, a)
		}
	}
	return acls
}
