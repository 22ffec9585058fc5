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
//
// # A tour
//
//   - [LoadConfig] reads the YAML file ([DefaultConfigPath]); errors name the
//     file, line and field. [TokenSource] says where a cluster's token comes
//     from (environment, file, the vault CLI's token helper, inline).
//   - [NewClient] builds one [Client] per cluster. It is never changed
//     afterwards ([Client.WithToken] builds a new one); the VAULT_*
//     environment's TLS, proxy, rate limit and headers apply as in the vault
//     CLI, requests are never retried, response bodies are size-limited, and replication
//     endpoints are always called in the root namespace.
//   - [Client.Status] reads sys/health and sys/replication/status at once into
//     a [Snapshot]; [Client.StatusAfter] refreshes one from the previous
//     snapshot with the replication status alone when health cannot have
//     changed in a way that matters (what the dashboard does between full
//     reads). [ParseReplicationStatus] and [ParseHealth] are the raw
//     decoders: tolerant of type drift (reported in Anomalies), never panicking.
//   - [Assess] turns [Observation]s of every cluster into a [Report]: per
//     cluster and type a [Severity] with [Reason]s, and the primary→secondary
//     [Link]s with their WAL gap. It is pure; [DefaultThresholds] tunes it.
//   - The writes ([Client.EnablePrimary], [Client.SecondaryToken],
//     [Client.EnableSecondary], [Client.Promote], …) return Vault's warnings
//     in a [WriteResult] and refuse everything on a read-only client.
//   - Every error is an [*Error] with an [ErrorClass] ([ClassOf]), a one-line
//     summary, a hint and Vault's messages with every token removed.
package ops
