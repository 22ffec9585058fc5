package ops

import (
	"sync"
	"time"
)

// IssuedToken is an activation token this process generated: its type, the
// secondary id it was generated for, and when it expires on the cluster's
// clock (the JWT's exp, or wrap_info's creation_time plus its ttl).
type IssuedToken struct {
	Type    ReplicationType
	ID      string
	Expires time.Time
}

// issuedTokens is a Client's record of the tokens it generated. A new token
// for the same type and id replaces the old one (Vault refuses a second
// token for a known id until it is revoked).
type issuedTokens struct {
	mu   sync.Mutex
	list []IssuedToken
}

// maxIssued bounds the record: a session generates a handful of tokens.
const maxIssued = 64

func (x *issuedTokens) add(t IssuedToken) {
	if x == nil || t.Expires.IsZero() {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, o := range x.list {
		if o.Type == t.Type && o.ID == t.ID {
			x.list = append(x.list[:i], x.list[i+1:]...)
			break
		}
	}
	if len(x.list) >= maxIssued {
		x.list = x.list[1:]
	}
	x.list = append(x.list, t)
}

// snapshot is a copy of the record, for a Snapshot.
func (x *issuedTokens) snapshot() []IssuedToken {
	if x == nil {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.list) == 0 {
		return nil
	}
	return append([]IssuedToken(nil), x.list...)
}

// issuedFor finds the token generated for a type and id.
func issuedFor(list []IssuedToken, t ReplicationType, id string) (IssuedToken, bool) {
	for _, o := range list {
		if o.Type == t && o.ID == id {
			return o, true
		}
	}
	return IssuedToken{}, false
}
