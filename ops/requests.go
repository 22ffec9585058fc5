package ops

import "time"

// WriteResult is what a replication write returned: Vault's warnings, shown to
// the operator as information ("Vault will be unavailable for a brief period").
type WriteResult struct {
	Warnings []string
}

// EnablePrimaryRequest is …/primary/enable.
type EnablePrimaryRequest struct {
	PrimaryClusterAddr string // optional
}

// SecondaryTokenRequest is …/primary/secondary-token.
type SecondaryTokenRequest struct {
	ID  string        // required, unique among known_secondaries
	TTL time.Duration // 0 = Vault's default (30m)
	// SecondaryPublicKey, when set, makes Vault encrypt the credentials to it
	// (from …/secondary/generate-public-key) instead of response-wrapping
	// them: the token then comes back in data.token and is not a JWT.
	SecondaryPublicKey string
}

// ActivationToken is the wrapped response of secondary-token, with what the
// JWT's claims tell (expiry, the primary's API address). Token is a secret:
// never log it or put it in an error.
type ActivationToken struct {
	ID           string // the id it was generated for
	Token        string
	Accessor     string // wrap_info.accessor (the wrapping token's own accessor)
	TTL          time.Duration
	CreationTime time.Time
	CreationPath string
	IssuedAt     time.Time // JWT iat
	NotBefore    time.Time // JWT nbf
	Expires      time.Time // JWT exp
	Addr         string    // JWT addr: the primary's API address ("" when none was set)
	JTI          string
	// Encrypted is true for the secondary_public_key flow: Token is an
	// encrypted blob, not a JWT, so the claims above are unknown.
	Encrypted bool
}

// EnableSecondaryRequest is …/secondary/enable. It purges the target cluster.
type EnableSecondaryRequest struct {
	Token          string // the activation token (secret)
	PrimaryAPIAddr string // overrides the token's addr claim
	CAFile         string // PEM paths on the Vault server
	CAPath         string
	ClientCertFile string
	ClientKeyFile  string
}

// PromoteRequest is …/secondary/promote.
type PromoteRequest struct {
	PrimaryClusterAddr string
	Force              bool
	DROperationToken   string // DR only (secret)
}

// UpdatePrimaryRequest is …/secondary/update-primary.
type UpdatePrimaryRequest struct {
	Token              string   // a new activation token (secret); exclusive with UpdatePrimaryAddrs
	UpdatePrimaryAddrs []string // cluster addresses to try in order
	PrimaryAPIAddr     string
	CAFile             string
	CAPath             string
	DROperationToken   string // DR only (secret)
}

// DRTokenRequest carries the DR operation token for DR-secondary writes that need it.
type DRTokenRequest struct {
	DROperationToken string // secret
}

// Mount is one entry of sys/auth or sys/mounts.
type Mount struct {
	Path        string // "userpass/"
	Type        string // "userpass"
	Description string
	Accessor    string
	Local       bool
}
