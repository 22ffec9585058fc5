package wizard

import (
	"errors"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// tokenInfo is what the wizard reads from an activation token's JWT claims.
type tokenInfo struct {
	Expires   time.Time
	IssuedAt  time.Time
	NotBefore time.Time
	Addr      string // the primary's API address ("" when none was set)
	Type      string // "wrapping" for activation tokens
}

// decodeToken reads the claims of an activation token without checking the
// signature (the secondary's Vault checks it when it unwraps the token).
func decodeToken(jwt string) (tokenInfo, error) {
	c, err := ops.DecodeActivationToken(jwt)
	if err != nil {
		// ops's message never contains the token; keep only its detail.
		var oe *ops.Error
		if errors.As(err, &oe) && oe.Detail() != "" {
			return tokenInfo{}, errors.New("not an activation token: " + oe.Detail())
		}
		return tokenInfo{}, errors.New("not an activation token")
	}
	if c.Expires.IsZero() {
		return tokenInfo{}, errors.New("not an activation token: it has no expiry (exp claim)")
	}
	return tokenInfo{Expires: c.Expires, IssuedAt: c.IssuedAt, NotBefore: c.NotBefore, Addr: c.Addr, Type: c.Type}, nil
}
