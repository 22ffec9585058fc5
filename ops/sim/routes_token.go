package sim

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// systemMaxTTL is Vault's default token TTL (768h) when neither the request
// nor a role gives one.
const systemMaxTTL = 768 * time.Hour

// handleTokenCreate is auth/token/create and auth/token/create-orphan (vault
// token create), following Vault's token store (handleCreateCommon): the
// policies are the parent's unless given, a token without root or sudo may
// only hand out a subset of its own, "default" is added unless
// no_default_policy, only root makes root, a batch token is never root,
// renewable or revocable and has no accessor, and an orphan needs sudo
// unless asked for through create-orphan. What makes this worth simulating
// is the batch DR operation token ("DR operation tokens" on
// developer.hashicorp.com): a batch token created on
// the primary before a disaster, replicated to its DR secondary, whose policy
// lets it promote.
func handleTokenCreate(orphanPath bool) handlerFunc {
	return func(q *request) response {
		parent := q.token
		if parent.Type == tokenTypeBatch {
			return errResp(http.StatusBadRequest, "batch tokens cannot create more tokens")
		}
		isSudo := slices.Contains(q.caps, capRoot) || slices.Contains(q.caps, capSudo)
		parentRoot := slices.Contains(parent.Policies, "root")

		typ := tokenTypeService
		switch q.str("type") {
		case "", "service", "default", "default-service":
		case "batch", "default-batch":
			typ = tokenTypeBatch
		default:
			return badRequest("invalid 'type' value %q", q.str("type"))
		}
		noDefault, err := q.boolean("no_default_policy")
		if err != nil {
			return badRequest("%s", err.Error())
		}
		noParent, err := q.boolean("no_parent")
		if err != nil {
			return badRequest("%s", err.Error())
		}
		ttl, err := q.duration("ttl", 0)
		if err != nil {
			return badRequest("%s", err.Error())
		}

		policies := q.strings("policies")
		addDefault := false
		switch {
		case len(policies) == 0:
			policies = slices.Clone(parent.Policies)
		case !isSudo:
			if !subsetOf(sanitizePolicies(policies, false), sanitizePolicies(parent.Policies, false)) {
				return errResp(http.StatusBadRequest, "child policies must be subset of parent")
			}
			addDefault = !noDefault && slices.Contains(parent.Policies, "default")
		default:
			addDefault = !noDefault
		}
		policies = sanitizePolicies(policies, addDefault)
		if noDefault {
			policies = slices.DeleteFunc(policies, func(p string) bool { return p == "default" })
		}
		root := slices.Contains(policies, "root")
		switch {
		case root && !parentRoot:
			return errResp(http.StatusBadRequest, "root tokens may not be created without parent token being root")
		case root && typ == tokenTypeBatch:
			return errResp(http.StatusBadRequest, "batch tokens cannot be root tokens")
		case noParent && !isSudo:
			return errResp(http.StatusBadRequest, "root or sudo privileges required to create orphan token")
		}
		orphan := orphanPath || noParent

		if ttl == 0 && !root {
			ttl = systemMaxTTL
		}
		if ttl == 0 && parent.TTL != 0 {
			return errResp(http.StatusBadRequest, "expiring root tokens cannot create non-expiring root tokens")
		}
		renewable := typ == tokenTypeService && ttl > 0
		if q.has("renewable") && renewable {
			if renewable, err = q.boolean("renewable"); err != nil {
				return badRequest("%s", err.Error())
			}
		}
		display := "token"
		if d := strings.TrimSpace(q.str("display_name")); d != "" {
			display += "-" + d
		}
		t := &tokenEntry{Policies: policies, Path: strings.TrimSuffix(q.path, "-orphan"), DisplayName: display,
			Created: q.now, TTL: ttl, Renewable: renewable, Orphan: orphan, Type: typ}
		if !orphan {
			t.EntityID = parent.EntityID
		}
		if typ == tokenTypeBatch {
			t.ID = q.l.ids.batchToken()
		} else {
			t.ID, t.Accessor = q.l.ids.serviceToken(), q.l.ids.accessor()
		}
		q.c.write(q.now, &mutation{op: opTokenCreate, key: t.ID, token: t})
		return jsonResponse(http.StatusOK, envelope{RequestID: q.l.ids.uuid(), MountType: "token", Auth: &authBlock{
			ClientToken: t.ID, Accessor: t.Accessor, Policies: slices.Clone(policies), TokenPolicies: slices.Clone(policies),
			LeaseDuration: int(ttl.Seconds()), Renewable: renewable, EntityID: t.EntityID, TokenType: typ, Orphan: orphan,
		}})
	}
}

// sanitizePolicies is Vault's policyutil.SanitizePolicies: trimmed, lower
// case, sorted, without duplicates or empties; "root" alone when present;
// "default" added when asked.
func sanitizePolicies(in []string, addDefault bool) []string {
	var out []string
	for _, p := range in {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	if slices.Contains(out, "root") {
		return []string{"root"}
	}
	if addDefault {
		out = append(out, "default")
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func subsetOf(sub, of []string) bool {
	for _, s := range sub {
		if !slices.Contains(of, s) {
			return false
		}
	}
	return true
}
