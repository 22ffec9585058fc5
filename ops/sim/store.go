package sim

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"maps"
	"slices"
	"strings"
	"time"
)

// store is one cluster's storage as far as replication can see it: auth
// methods, secrets engines, policies, userpass users, opaque KV versions written
// by background activity, the keys of KV v2 engines, and tokens. Which parts travel where is the point of
// the lab: performance secondaries receive everything except tokens and local
// mounts; DR secondaries receive everything.
type store struct {
	auth     map[string]*mountEntry // "userpass/" → entry
	mounts   map[string]*mountEntry // "secret/" → entry
	policies map[string]string      // name → policy text
	users    map[string]*userEntry  // "userpass/|operator" → user
	kv       map[string]uint64      // key → version (background writes)
	leases   map[string]uint64      // lease → version (background writes; like tokens, not performance-replicated)
	tokens   map[string]*tokenEntry // token ID → token
	secrets  map[string]*kvSecret   // "secret/|app/db" → a KV engine's key (kvKey)
}

type mountEntry struct {
	Path        string
	Type        string
	Description string
	Accessor    string
	UUID        string
	Local       bool
	SealWrap    bool
	Builtin     bool // sys/, cubbyhole/, identity/, token/: cannot be disabled
	Options     map[string]string
	// Passthrough is config.passthrough_request_headers: the request headers
	// Vault hands to the backend. A real server sets it on sys/ (Accept) and
	// identity/ (Authorization) and on nothing else by default.
	Passthrough []string
}

type userEntry struct {
	PasswordHash string // hex SHA-256 of the password: nothing in the lab stores it in clear
	Policies     []string
}

type tokenEntry struct {
	ID          string
	Accessor    string
	Policies    []string
	Path        string
	DisplayName string
	Meta        map[string]string
	EntityID    string
	Created     time.Time
	TTL         time.Duration // 0 = never expires (root)
	Renewable   bool
	Orphan      bool
	Type        string // tokenTypeService ("" in older entries reads the same) or tokenTypeBatch
}

// Token types, as Vault spells them in token_type and lookup-self's type.
const (
	tokenTypeService = "service"
	tokenTypeBatch   = "batch"
)

func (t *tokenEntry) expired(now time.Time) bool {
	return t.TTL > 0 && !now.Before(t.Created.Add(t.TTL))
}

func hashPassword(pw string) string {
	sum := sha256.Sum256([]byte("vaultrepl-lab:" + pw))
	return hex.EncodeToString(sum[:])
}

func userKey(mount, name string) string { return mount + "|" + strings.ToLower(name) }

func newStore() *store {
	return &store{
		auth:     map[string]*mountEntry{},
		mounts:   map[string]*mountEntry{},
		policies: map[string]string{},
		users:    map[string]*userEntry{},
		kv:       map[string]uint64{},
		leases:   map[string]uint64{},
		tokens:   map[string]*tokenEntry{},
		secrets:  map[string]*kvSecret{},
	}
}

// baseStore is what every Vault has before anyone configures it: the system
// mounts, the token auth method and the default policy.
func baseStore(g *ids) *store {
	s := newStore()
	s.mounts["sys/"] = &mountEntry{Path: "sys/", Type: "system", Description: "system endpoints used for control, policy and debugging",
		Accessor: "system_" + g.hex(8), UUID: g.uuid(), Builtin: true, SealWrap: true, Passthrough: []string{"Accept"}}
	s.mounts["cubbyhole/"] = &mountEntry{Path: "cubbyhole/", Type: "cubbyhole", Description: "per-token private secret storage",
		Accessor: "cubbyhole_" + g.hex(8), UUID: g.uuid(), Local: true, Builtin: true}
	s.mounts["identity/"] = &mountEntry{Path: "identity/", Type: "identity", Description: "identity store",
		Accessor: "identity_" + g.hex(8), UUID: g.uuid(), Builtin: true, Passthrough: []string{"Authorization"}}
	s.auth["token/"] = &mountEntry{Path: "token/", Type: "token", Description: "token based credentials",
		Accessor: "auth_token_" + g.hex(8), UUID: g.uuid(), Builtin: true}
	s.policies["default"] = defaultPolicy
	return s
}

func (m *mountEntry) clone() *mountEntry {
	c := *m
	c.Options = maps.Clone(m.Options)
	c.Passthrough = slices.Clone(m.Passthrough)
	return &c
}

func (u *userEntry) clone() *userEntry {
	c := *u
	c.Policies = slices.Clone(u.Policies)
	return &c
}

func (t *tokenEntry) clone() *tokenEntry {
	c := *t
	c.Policies = slices.Clone(t.Policies)
	c.Meta = maps.Clone(t.Meta)
	return &c
}

// localAuthMount reports whether a user key lives under a local auth mount
// (and so does not leave this cluster on performance replication).
func (s *store) localAuthMount(path string) bool {
	m := s.auth[path]
	return m != nil && m.Local
}

// localMount reports whether a secrets engine is local to this cluster.
func (s *store) localMount(path string) bool {
	m := s.mounts[path]
	return m != nil && m.Local
}

// clone copies everything; with perfOnly it copies only what performance
// replication carries.
func (s *store) clone(perfOnly bool) *store {
	c := newStore()
	for k, m := range s.auth {
		if !perfOnly || !m.Local {
			c.auth[k] = m.clone()
		}
	}
	for k, m := range s.mounts {
		if !perfOnly || !m.Local {
			c.mounts[k] = m.clone()
		}
	}
	maps.Copy(c.policies, s.policies)
	for k, u := range s.users {
		if !perfOnly || !s.localAuthMount(strings.SplitN(k, "|", 2)[0]) {
			c.users[k] = u.clone()
		}
	}
	maps.Copy(c.kv, s.kv)
	for k, v := range s.secrets {
		if !perfOnly || !s.localMount(kvMountOf(k)) {
			c.secrets[k] = v.clone()
		}
	}
	if !perfOnly {
		maps.Copy(c.leases, s.leases)
		for k, t := range s.tokens {
			c.tokens[k] = t.clone()
		}
	}
	return c
}

// adoptPerf replaces everything performance replication owns with primary's
// copy and keeps what is local to this cluster: its tokens and local mounts
// (and the users under its local auth mounts).
func (s *store) adoptPerf(primary *store) {
	next := primary.clone(true)
	for k, m := range s.auth {
		if m.Local {
			next.auth[k] = m
		}
	}
	for k, m := range s.mounts {
		if m.Local {
			next.mounts[k] = m
		}
	}
	for k, u := range s.users {
		if s.localAuthMount(strings.SplitN(k, "|", 2)[0]) {
			next.users[k] = u
		}
	}
	for k, v := range s.secrets {
		if s.localMount(kvMountOf(k)) {
			next.secrets[k] = v
		}
	}
	next.tokens = s.tokens
	next.leases = s.leases
	*s = *next
}

// keyCount is the number of storage keys a merkle sync would copy: the lab's
// objects plus a fixed body of internal keys so that a sync of a small lab
// still takes a few simulated seconds to watch.
func (s *store) keyCount(perfOnly bool) uint64 {
	n := uint64(len(s.auth) + len(s.mounts) + len(s.policies) + len(s.users) + len(s.kv) + len(s.secrets))
	if !perfOnly {
		n += uint64(len(s.tokens) + len(s.leases))
	}
	return 1200 + 4*n
}

// digest writes a canonical encoding of the replicated state to h. Two stores
// hold the same replicated data exactly when their digests agree, which is how
// merkle roots end up equal on a primary and an in-sync secondary.
func (s *store) digest(h hash.Hash, perfOnly bool) {
	w := func(format string, a ...any) { fmt.Fprintf(h, format, a...) }
	for _, k := range slices.Sorted(maps.Keys(s.auth)) {
		m := s.auth[k]
		if perfOnly && m.Local {
			continue
		}
		w("auth\x00%s\x00%s\x00%s\x00%s\x00%t\n", k, m.Type, m.Accessor, m.Description, m.Local)
	}
	for _, k := range slices.Sorted(maps.Keys(s.mounts)) {
		m := s.mounts[k]
		if perfOnly && m.Local {
			continue
		}
		w("mount\x00%s\x00%s\x00%s\x00%s\x00%t\n", k, m.Type, m.Accessor, m.Description, m.Local)
	}
	for _, k := range slices.Sorted(maps.Keys(s.policies)) {
		w("policy\x00%s\x00%s\n", k, s.policies[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.users)) {
		if perfOnly && s.localAuthMount(strings.SplitN(k, "|", 2)[0]) {
			continue
		}
		u := s.users[k]
		w("user\x00%s\x00%s\x00%s\n", k, u.PasswordHash, strings.Join(u.Policies, ","))
	}
	for _, k := range slices.Sorted(maps.Keys(s.kv)) {
		w("kv\x00%s\x00%d\n", k, s.kv[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.secrets)) {
		if perfOnly && s.localMount(kvMountOf(k)) {
			continue
		}
		v := s.secrets[k]
		w("secret\x00%s\x00%d\x00%d\x00%t\x00%s\x00%v\n", k, v.Current, v.MaxVersions, v.CASRequired, v.DeleteAfter, v.CustomMeta)
		for _, n := range slices.Sorted(maps.Keys(v.Versions)) {
			x := v.Versions[n]
			w("version\x00%d\x00%s\x00%d\x00%t\n", n, x.Data, x.Deleted.UnixNano(), x.Destroyed)
		}
	}
	if !perfOnly {
		for _, k := range slices.Sorted(maps.Keys(s.leases)) {
			w("lease\x00%s\x00%d\n", k, s.leases[k])
		}
		for _, k := range slices.Sorted(maps.Keys(s.tokens)) {
			w("token\x00%s\n", s.tokens[k].Accessor)
		}
	}
}

// merkleRoot derives a 40-hex-digit root from the replication set, the WAL
// position and the replicated content; corrupt salts it, so a corrupted tree
// never matches its peer.
func merkleRoot(clusterID string, wal uint64, s *store, perfOnly, corrupt bool) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s\x00%d\x00%t\n", clusterID, wal, perfOnly)
	s.digest(h, perfOnly)
	if corrupt {
		h.Write([]byte("corrupted"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// treeHash is a merkle corruption report's root_hash: standard base64 of a
// 20-byte hash, as in the merkle-check sample of
// https://developer.hashicorp.com/vault/api-docs/system/replication. Only the replicated
// tree covers the replicated content.
func treeHash(s *store, kind, salt string, corrupt bool) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s\x00%s\n", kind, salt)
	if kind == "replicated" {
		s.digest(h, false)
	}
	if corrupt {
		h.Write([]byte("corrupted"))
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// The operation names a mutation can carry.
const (
	opAuthEnable    = "auth.enable"
	opAuthDisable   = "auth.disable"
	opMountEnable   = "mount.enable"
	opMountDisable  = "mount.disable"
	opPolicyPut     = "policy.put"
	opPolicyDelete  = "policy.delete"
	opUserPut       = "user.put"
	opUserDelete    = "user.delete"
	opKVPut         = "kv.put"
	opKVSecret      = "kv2.secret" // a KV v2 key's whole new state (nil: deleted)
	opLeasePut      = "lease.put"
	opTokenCreate   = "token.create"
	opTokenRevoke   = "token.revoke"
	opLocalInternal = "local" // a WAL entry with no replicated payload (e.g. lease housekeeping)
)

// mutation is one change to a store; it is what a WAL entry carries to
// secondaries.
type mutation struct {
	op     string
	key    string
	mount  *mountEntry
	policy string
	user   *userEntry
	ver    uint64
	token  *tokenEntry
	secret *kvSecret
}

// perf reports whether performance secondaries receive this change.
func (m *mutation) perf(s *store) bool {
	switch m.op {
	case opTokenCreate, opTokenRevoke, opLeasePut, opLocalInternal:
		return false
	case opAuthEnable, opMountEnable:
		return !m.mount.Local
	case opAuthDisable:
		e := s.auth[m.key]
		return e == nil || !e.Local
	case opMountDisable:
		e := s.mounts[m.key]
		return e == nil || !e.Local
	case opUserPut, opUserDelete:
		return !s.localAuthMount(strings.SplitN(m.key, "|", 2)[0])
	case opKVSecret:
		return !s.localMount(kvMountOf(m.key))
	}
	return true
}

func (s *store) apply(m *mutation) {
	switch m.op {
	case opAuthEnable:
		s.auth[m.key] = m.mount.clone()
	case opAuthDisable:
		delete(s.auth, m.key)
		for k := range s.users {
			if strings.HasPrefix(k, m.key+"|") {
				delete(s.users, k)
			}
		}
	case opMountEnable:
		s.mounts[m.key] = m.mount.clone()
	case opMountDisable:
		delete(s.mounts, m.key)
		for k := range s.secrets {
			if kvMountOf(k) == m.key {
				delete(s.secrets, k)
			}
		}
	case opPolicyPut:
		s.policies[m.key] = m.policy
	case opPolicyDelete:
		delete(s.policies, m.key)
	case opUserPut:
		s.users[m.key] = m.user.clone()
	case opUserDelete:
		delete(s.users, m.key)
	case opKVPut:
		s.kv[m.key] = m.ver
	case opKVSecret:
		if m.secret == nil {
			delete(s.secrets, m.key)
		} else {
			s.secrets[m.key] = m.secret.clone()
		}
	case opLeasePut:
		s.leases[m.key] = m.ver
	case opTokenCreate:
		s.tokens[m.key] = m.token.clone()
	case opTokenRevoke:
		delete(s.tokens, m.key)
	}
}
