// Package ops is vaultrepl's replication domain: a typed, UI-free layer over
// HashiCorp Vault's replication API.
//
// It reads sys/replication/status and sys/health as raw JSON (the typed helpers
// in vault/api drop fields such as connection_state and merkle_sync_progress),
// turns Vault's strings into enums with an Unknown value, classifies errors into
// short human messages with hints, judges health (severity plus reasons, WAL lag
// between configured clusters), performs the replication writes behind a
// read-only guard, and loads the cluster configuration.
//
// ops never imports charmbracelet packages: the TUI consumes it through small
// interfaces of its own, and the simulator in ops/sim is reached only over HTTP.
package ops
