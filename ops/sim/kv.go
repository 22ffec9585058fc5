package sim

// KV version 2 secrets engines, as `vault kv put/get/...` and vault/api's
// KVv2 helpers use them (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2),
// and plain version 1 ones (one value per key, no history).
// A secret is replicated configuration like a policy: written on a
// performance secondary, the write is forwarded to the primary and the new
// version reaches every performance secondary when the WAL entry crosses; a DR
// secondary refuses the request like any other; a secret under a local mount
// stays on its cluster.

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// kvDefaultMaxVersions is how many versions KV v2 keeps when neither the key's
// metadata nor the mount's config sets max_versions (the documented default).
const kvDefaultMaxVersions = 10

// kvSecret is one key of a KV v2 mount: its metadata and retained versions.
type kvSecret struct {
	Created     time.Time
	Updated     time.Time
	Current     uint64
	Oldest      uint64
	MaxVersions int
	CASRequired bool
	DeleteAfter time.Duration
	CustomMeta  map[string]string
	Versions    map[uint64]*kvVersion
}

// kvVersion is one version of a secret. Data is the JSON object as written,
// kept as bytes so that a stored version cannot be changed through a map
// shared with a request.
type kvVersion struct {
	Data      json.RawMessage
	Created   time.Time
	Deleted   time.Time // zero: not deleted
	Destroyed bool
}

func (s *kvSecret) clone() *kvSecret {
	c := *s
	c.CustomMeta = maps.Clone(s.CustomMeta)
	c.Versions = make(map[uint64]*kvVersion, len(s.Versions))
	for k, v := range s.Versions {
		cv := *v
		cv.Data = slices.Clone(v.Data)
		c.Versions[k] = &cv
	}
	return &c
}

// kvKey is the store key of a secret: the mount path, "|", the key's path.
func kvKey(mount, path string) string { return mount + "|" + path }

// kvMountOf is the mount part of a store key.
func kvMountOf(key string) string { return strings.SplitN(key, "|", 2)[0] }

func isKV2(m *mountEntry) bool { return m != nil && m.Type == "kv" && m.Options["version"] == "2" }

// kvRoute resolves a path under a KV v2 mount of c to the engine's route, or
// nil when no such mount serves it.
func (c *cluster) kvRoute(path string) (*route, map[string]string) {
	mount := ""
	for mp, m := range c.data.mounts {
		if m.Type == "kv" && strings.HasPrefix(path+"/", mp) && len(mp) > len(mount) {
			mount = mp
		}
	}
	if mount == "" {
		return nil, nil
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(path+"/", mount), "/")
	rest = strings.TrimSuffix(rest, "/")
	if !isKV2(c.data.mounts[mount]) {
		// Version 1: the path under the mount is the key, one value each.
		return &route{ops: ops("read", handlerFunc(handleKV1Read), "list", handlerFunc(handleKV1List),
				"update", handlerFunc(handleKV1Write), "delete", handlerFunc(handleKV1Delete))},
			map[string]string{"mount": mount, "key": rest}
	}
	section, key, _ := strings.Cut(rest, "/")
	params := map[string]string{"mount": mount, "key": key}
	var m map[string]handlerFunc
	switch section {
	case "data":
		m = ops("read", handlerFunc(handleKVRead), "update", handlerFunc(handleKVWrite),
			"patch", handlerFunc(handleKVPatch), "delete", handlerFunc(handleKVDeleteLatest))
	case "metadata":
		m = ops("read", handlerFunc(handleKVReadMetadata), "list", handlerFunc(handleKVList),
			"update", handlerFunc(handleKVWriteMetadata), "delete", handlerFunc(handleKVDeleteMetadata))
	case "delete":
		m = ops("update", kvVersionsOp(kvSoftDelete))
	case "undelete":
		m = ops("update", kvVersionsOp(kvUndelete))
	case "destroy":
		m = ops("update", kvVersionsOp(kvDestroy))
	default:
		return &route{ops: ops("read", handlerFunc(handleKVUnsupported), "list", handlerFunc(handleKVUnsupported),
			"update", handlerFunc(handleKVUnsupported), "delete", handlerFunc(handleKVUnsupported))}, params
	}
	if key == "" && section != "metadata" {
		// data/, delete/ … with no key: the engine has no such path.
		for op := range m {
			m[op] = handleKVUnsupported
		}
	}
	return &route{ops: m}, params
}

// kv1LeaseSeconds is the lease_duration of a KV version 1 read: the mount's
// default lease TTL (768h), which `vault kv get` prints as the refresh
// interval.
const kv1LeaseSeconds = defaultLeaseTTLSeconds

func handleKV1Read(q *request) response {
	s := q.kvSecret()
	if s == nil || q.params["key"] == "" || s.Versions[s.Current] == nil {
		return errResp(http.StatusNotFound)
	}
	q.c.kvReads++
	return jsonResponse(http.StatusOK, envelope{RequestID: q.l.ids.uuid(), MountType: "kv",
		LeaseDuration: kv1LeaseSeconds, Data: s.Versions[s.Current].Data})
}

// handleKV1Write stores the whole body as the key's value.
func handleKV1Write(q *request) response {
	if q.params["key"] == "" {
		return handleKVUnsupported(q)
	}
	if len(q.body) == 0 {
		return errResp(http.StatusBadRequest, "missing data fields")
	}
	target, resp, ok := q.writeTarget()
	if !ok {
		return resp
	}
	raw, err := json.Marshal(q.body)
	if err != nil {
		return badRequest("%v", err)
	}
	at := target.clock(q.now)
	q.commitKV(target, kvKey(q.params["mount"], q.params["key"]),
		&kvSecret{Created: at, Updated: at, Current: 1, Versions: map[uint64]*kvVersion{1: {Data: raw, Created: at}}})
	return noContent()
}

func handleKV1Delete(q *request) response {
	target, resp, ok := q.writeTarget()
	if !ok {
		return resp
	}
	key := kvKey(q.params["mount"], q.params["key"])
	if target.data.secrets[key] != nil {
		q.commitKV(target, key, nil)
	}
	return noContent()
}

func handleKV1List(q *request) response { return handleKVList(q) }

func handleKVUnsupported(q *request) response {
	return errResp(http.StatusNotFound, multiError(errUnsupportedPath))
}

// kvResp is a logical response of the kv engine.
func (q *request) kvResp(status int, data map[string]any) response {
	env := envelope{RequestID: q.l.ids.uuid(), MountType: "kv"}
	if data != nil {
		env.Data = data
	}
	return jsonResponse(status, env)
}

// kvTime formats a KV timestamp as the engine does: RFC 3339 with
// nanoseconds, in UTC.
func kvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func customMeta(m map[string]string) any {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}

// versionMeta is the metadata block of a version in data reads and writes.
func (s *kvSecret) versionMeta(n uint64) map[string]any {
	v := s.Versions[n]
	return map[string]any{"created_time": kvTime(v.Created), "custom_metadata": customMeta(s.CustomMeta),
		"deletion_time": kvTime(s.deletionTime(v)), "destroyed": v.Destroyed, "version": n}
}

// gone reports whether version v reads as absent at now: destroyed, deleted,
// or older than the key's delete_version_after.
func (s *kvSecret) gone(v *kvVersion, now time.Time) bool {
	if v.Destroyed || (!v.Deleted.IsZero() && !v.Deleted.After(now)) {
		return true
	}
	return s.DeleteAfter > 0 && !v.Created.Add(s.DeleteAfter).After(now)
}

// deletionTime is a version's deletion_time: when it was deleted, or when
// delete_version_after will delete it.
func (s *kvSecret) deletionTime(v *kvVersion) time.Time {
	if v.Deleted.IsZero() && s.DeleteAfter > 0 {
		return v.Created.Add(s.DeleteAfter)
	}
	return v.Deleted
}

func (q *request) kvSecret() *kvSecret {
	return q.c.data.secrets[kvKey(q.params["mount"], q.params["key"])]
}

// writeTarget is the cluster whose store a replicated write changes: the
// primary when this is a performance secondary (Vault forwards the request),
// else this cluster. ok is false with the forwarding error when the primary
// cannot be reached.
func (q *request) writeTarget() (*cluster, response, bool) {
	c := q.c
	if m := c.data.mounts[q.params["mount"]]; !c.perfSecondary() || m == nil || m.Local {
		return c, response{}, true
	}
	p := q.l.primaryFor(c.perf)
	if p == nil || !c.perf.connected || !q.l.linkUp(c, c.perf, p) {
		return nil, errResp(http.StatusInternalServerError,
			multiError("error forwarding the request to the performance primary: no connection to the primary (simulated)")), false
	}
	return p, response{}, true
}

// commitKV stores a secret's new state on target (nil deletes it), and
// counts the write as forwarded when target is not the cluster asked.
func (q *request) commitKV(target *cluster, key string, s *kvSecret) {
	target.write(q.now, &mutation{op: opKVSecret, key: key, secret: s})
	if target != q.c {
		q.c.kvForwarded++
		q.c.kvForwardedKey = key
	}
}

func handleKVRead(q *request) response {
	s := q.kvSecret()
	n := uint64(0)
	if v := q.hr.URL.Query().Get("version"); v != "" {
		x, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return badRequest("invalid version %q", v)
		}
		n = x
	}
	if s == nil {
		return errResp(http.StatusNotFound)
	}
	if n == 0 {
		n = s.Current
	}
	v := s.Versions[n]
	if v == nil {
		return errResp(http.StatusNotFound)
	}
	if s.gone(v, q.c.clock(q.now)) {
		// A deleted or destroyed version is a 404 that still carries its
		// metadata, so `vault kv get` can say which it is.
		return q.kvResp(http.StatusNotFound, map[string]any{"data": nil, "metadata": s.versionMeta(n)})
	}
	q.c.kvReads++
	return q.kvResp(http.StatusOK, map[string]any{"data": v.Data, "metadata": s.versionMeta(n)})
}

// kvData reads the "data" object of a data write.
func (q *request) kvData() (map[string]any, bool) {
	d, ok := q.body["data"].(map[string]any)
	return d, ok
}

// checkCAS applies options.cas and the key's cas_required.
func (q *request) checkCAS(s *kvSecret, mountCASRequired bool) (response, bool) {
	opts, _ := q.body["options"].(map[string]any)
	casV, hasCAS := opts["cas"]
	required := mountCASRequired || (s != nil && s.CASRequired)
	if !hasCAS {
		if required {
			return errResp(http.StatusBadRequest, "check-and-set parameter required for this call"), false
		}
		return response{}, true
	}
	cas, err := strconv.ParseUint(strings.TrimSpace(jsonString(casV)), 10, 64)
	current := uint64(0)
	if s != nil {
		current = s.Current
	}
	if err != nil || cas != current {
		return errResp(http.StatusBadRequest, "check-and-set parameter did not match the current version"), false
	}
	return response{}, true
}

func jsonString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

// putVersion adds a version with data to s (a copy), trims versions beyond
// max_versions and returns the new state.
func putVersion(s *kvSecret, data []byte, at time.Time) *kvSecret {
	if s == nil {
		s = &kvSecret{Created: at, Versions: map[uint64]*kvVersion{}}
	} else {
		s = s.clone()
	}
	s.Current++
	s.Updated = at
	s.Versions[s.Current] = &kvVersion{Data: data, Created: at}
	keep := s.MaxVersions
	if keep <= 0 {
		keep = kvDefaultMaxVersions
	}
	if s.Current > uint64(keep) {
		oldest := s.Current - uint64(keep) + 1
		for k := range s.Versions {
			if k < oldest {
				delete(s.Versions, k)
			}
		}
		s.Oldest = oldest
	}
	return s
}

func (q *request) kvWrite(merge bool) response {
	target, resp, ok := q.writeTarget()
	if !ok {
		return resp
	}
	key := kvKey(q.params["mount"], q.params["key"])
	s := target.data.secrets[key]
	data, ok := q.kvData()
	if !ok {
		return errResp(http.StatusBadRequest, "no data provided")
	}
	if resp, ok := q.checkCAS(s, false); !ok {
		return resp
	}
	at := target.clock(q.now)
	if merge {
		// JSON merge patch of the current version: null removes a key.
		var cur map[string]any
		v := (*kvVersion)(nil)
		if s != nil {
			v = s.Versions[s.Current]
		}
		if v == nil || s.gone(v, at) {
			return errResp(http.StatusNotFound)
		}
		if err := json.Unmarshal(v.Data, &cur); err != nil || cur == nil {
			cur = map[string]any{}
		}
		for k, x := range data {
			if x == nil {
				delete(cur, k)
			} else {
				cur[k] = x
			}
		}
		data = cur
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return badRequest("%v", err)
	}
	next := putVersion(s, raw, at)
	q.commitKV(target, key, next)
	return q.kvResp(http.StatusOK, next.versionMeta(next.Current))
}

func handleKVWrite(q *request) response { return q.kvWrite(false) }
func handleKVPatch(q *request) response { return q.kvWrite(true) }

// handleKVDeleteLatest is DELETE <mount>/data/<key>: a soft delete of the
// current version.
func handleKVDeleteLatest(q *request) response {
	target, resp, ok := q.writeTarget()
	if !ok {
		return resp
	}
	key := kvKey(q.params["mount"], q.params["key"])
	s := target.data.secrets[key]
	if s == nil || s.Versions[s.Current] == nil {
		return noContent()
	}
	at := target.clock(q.now)
	if v := s.Versions[s.Current]; v.Destroyed || !v.Deleted.IsZero() {
		return noContent()
	}
	next := s.clone()
	next.Versions[next.Current].Deleted = at
	q.commitKV(target, key, next)
	return noContent()
}

type kvVersionAction func(v *kvVersion, at time.Time)

func kvSoftDelete(v *kvVersion, at time.Time) {
	if v.Deleted.IsZero() && !v.Destroyed {
		v.Deleted = at
	}
}

func kvUndelete(v *kvVersion, _ time.Time) {
	if !v.Destroyed {
		v.Deleted = time.Time{}
	}
}

func kvDestroy(v *kvVersion, _ time.Time) {
	v.Destroyed = true
	v.Data = nil
}

// kvVersionsOp serves delete/, undelete/ and destroy/: an action on the
// versions listed in the body.
func kvVersionsOp(act kvVersionAction) handlerFunc {
	return func(q *request) response {
		var versions []uint64
		switch v := q.body["versions"].(type) {
		case []any:
			for _, x := range v {
				n, err := strconv.ParseUint(jsonString(x), 10, 64)
				if err != nil {
					return badRequest("invalid version %v", x)
				}
				versions = append(versions, n)
			}
		case string, json.Number:
			for _, f := range strings.Split(jsonString(v), ",") {
				n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
				if err != nil {
					return badRequest("invalid version %q", f)
				}
				versions = append(versions, n)
			}
		}
		if len(versions) == 0 {
			return errResp(http.StatusBadRequest, "no version number provided")
		}
		target, resp, ok := q.writeTarget()
		if !ok {
			return resp
		}
		key := kvKey(q.params["mount"], q.params["key"])
		s := target.data.secrets[key]
		if s == nil {
			return noContent()
		}
		next := s.clone()
		at := target.clock(q.now)
		for _, n := range versions {
			if v := next.Versions[n]; v != nil {
				act(v, at)
			}
		}
		q.commitKV(target, key, next)
		return noContent()
	}
}

func handleKVReadMetadata(q *request) response {
	s := q.kvSecret()
	if s == nil || q.params["key"] == "" {
		return errResp(http.StatusNotFound)
	}
	versions := map[string]any{}
	for n, v := range s.Versions {
		versions[strconv.FormatUint(n, 10)] = map[string]any{
			"created_time": kvTime(v.Created), "deletion_time": kvTime(s.deletionTime(v)), "destroyed": v.Destroyed}
	}
	return q.kvResp(http.StatusOK, map[string]any{
		"cas_required": s.CASRequired, "created_time": kvTime(s.Created), "current_version": s.Current,
		"custom_metadata": customMeta(s.CustomMeta), "delete_version_after": s.DeleteAfter.String(),
		"max_versions": s.MaxVersions, "oldest_version": s.Oldest, "updated_time": kvTime(s.Updated),
		"versions": versions,
	})
}

// handleKVList lists the keys and "folders" directly under a prefix.
func handleKVList(q *request) response {
	mount, prefix := q.params["mount"], q.params["key"]
	if prefix != "" {
		prefix += "/"
	}
	seen := map[string]bool{}
	for k := range q.c.data.secrets {
		m, path, _ := strings.Cut(k, "|")
		if m != mount || !strings.HasPrefix(path, prefix) {
			continue
		}
		rest := strings.TrimPrefix(path, prefix)
		if i := strings.Index(rest, "/"); i >= 0 {
			rest = rest[:i+1]
		}
		seen[rest] = true
	}
	if len(seen) == 0 {
		return errResp(http.StatusNotFound)
	}
	return q.kvResp(http.StatusOK, map[string]any{"keys": slices.Sorted(maps.Keys(seen))})
}

func handleKVWriteMetadata(q *request) response {
	if q.params["key"] == "" {
		return handleKVUnsupported(q)
	}
	target, resp, ok := q.writeTarget()
	if !ok {
		return resp
	}
	key := kvKey(q.params["mount"], q.params["key"])
	at := target.clock(q.now)
	next := &kvSecret{Created: at, Updated: at, Versions: map[uint64]*kvVersion{}}
	if s := target.data.secrets[key]; s != nil {
		next = s.clone()
	}
	if q.has("max_versions") {
		n, err := strconv.Atoi(q.str("max_versions"))
		if err != nil || n < 0 {
			return badRequest("invalid max_versions %q", q.str("max_versions"))
		}
		next.MaxVersions = n
	}
	if q.has("cas_required") {
		b, err := q.boolean("cas_required")
		if err != nil {
			return badRequest("%v", err)
		}
		next.CASRequired = b
	}
	if q.has("delete_version_after") {
		d, err := q.duration("delete_version_after", 0)
		if err != nil {
			return badRequest("%v", err)
		}
		next.DeleteAfter = d
	}
	if cm, ok := q.body["custom_metadata"].(map[string]any); ok {
		next.CustomMeta = map[string]string{}
		for k, v := range cm {
			next.CustomMeta[k] = jsonString(v)
		}
	}
	next.Updated = at
	q.commitKV(target, key, next)
	return noContent()
}

func handleKVDeleteMetadata(q *request) response {
	if q.params["key"] == "" {
		return handleKVUnsupported(q)
	}
	target, resp, ok := q.writeTarget()
	if !ok {
		return resp
	}
	key := kvKey(q.params["mount"], q.params["key"])
	if target.data.secrets[key] == nil {
		return noContent()
	}
	q.commitKV(target, key, nil)
	return noContent()
}
