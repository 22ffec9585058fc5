package sim

// defaultPolicy is attached to every token, as in Vault. This is an abridged
// copy of Vault's built-in default policy: the paths a token needs to inspect
// itself, check its capabilities and unwrap.
const defaultPolicy = `# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# Allow tokens to renew themselves
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# Allow tokens to revoke themselves
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own capabilities on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}

# Allow a token to wrap arbitrary values in a response-wrapping token
path "sys/wrapping/wrap" {
    capabilities = ["update"]
}

# Allow a token to look up the creation time and TTL of a given
# response-wrapping token
path "sys/wrapping/lookup" {
    capabilities = ["update"]
}

# Allow a token to unwrap a response-wrapping token. This is a convenience to
# avoid client token swapping since this is also part of the response wrapping
# policy.
path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}

# Allow a token to manage its own cubbyhole
path "cubbyhole/*" {
    capabilities = ["create", "read", "update", "delete", "list"]
}
`

// operatorPolicyName is the policy the lab's userpass user holds.
const operatorPolicyName = "replication-operator"

// operatorPolicy lets the lab's "operator" user run every step of a
// replication setup: all replication endpoints (with sudo, which
// secondary-token and reindex need), auth methods and secrets engines (enabling
// an auth method needs sudo on sys/auth/*), policies, users, and the
// capability and licence checks a wizard's pre-flight makes. It replicates
// with the rest of the configuration, which is why the operator can log in on
// a secondary after activation.
const operatorPolicy = `# vaultrepl lab: what an operator needs to set up and watch replication.
path "sys/replication/*" {
  capabilities = ["create", "read", "update", "delete", "list", "sudo"]
}

path "sys/auth" {
  capabilities = ["read"]
}

path "sys/auth/*" {
  capabilities = ["create", "read", "update", "delete", "sudo"]
}

path "sys/mounts" {
  capabilities = ["read"]
}

path "sys/mounts/*" {
  capabilities = ["create", "read", "update", "delete"]
}

path "sys/policies/acl" {
  capabilities = ["list"]
}

path "sys/policies/acl/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "auth/userpass/users/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "secret/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}

path "sys/license/status" {
  capabilities = ["read"]
}

path "sys/capabilities-self" {
  capabilities = ["update"]
}
`
