// Package sim simulates Vault Enterprise clusters and their performance and
// DR replication, speaking Vault's HTTP API closely enough that real clients
// (the vault CLI, github.com/hashicorp/vault/api, curl, the web UI's
// expectations) can drive it. It is vaultrepl's demo, training lab and test
// backbone, and it imports only the standard library: an independent
// implementation of the wire format is what makes it a check on the ops
// package's parser.
//
// # The model
//
// A Lab holds clusters built from a topology ("fresh", "global",
// "datacenter", "fleet:N"; see Topologies). Each cluster has:
//
//   - storage: auth methods, secrets engines, ACL policies, userpass users,
//     the keys of KV version 2 engines (`vault kv put/get/patch/delete`,
//     metadata and versions), KV versions and leases written by background
//     activity, and tokens;
//   - a write-ahead log: every write appends an entry, so last_wal,
//     last_performance_wal and last_dr_wal advance with writes, whether they
//     come from the API (enabling an auth method) or from the background
//     write rate (Options.WriteRate, per primary);
//   - a performance role and a DR role, each a state machine: disabled →
//     bootstrapping → primary, or disabled → (activation, purge) →
//     bootstrapping → secondary, whose secondary side cycles connecting →
//     merkle-diff → merkle-sync (with merkle_sync_progress) → merkle-diff →
//     stream-wals. Role changes cause a brief outage (503s for a few
//     simulated seconds), and a new secondary is unavailable until its
//     initial sync completes, as Vault's warnings say.
//
// A streaming secondary applies its primary's WAL entries once they have
// crossed the link (topology latency plus injected latency), so
// last_remote_wal follows the primary, and merkle roots, which are hashes of
// the replicated content and WAL position, are equal exactly when the two are
// in sync. Performance secondaries receive everything except tokens, leases
// and local mounts; DR secondaries receive everything and refuse every request
// but the unauthenticated status paths, unseal and the DR-operation-token
// endpoints with 400 "path disabled in replication DR secondary mode". Writes of replicated data on a performance secondary are
// forwarded to its primary and come back through the stream.
//
// Activation is real: secondary-token returns a wrapped response whose token
// is an ES512 JWT (jti, iat, exp, nbf = iat-5s, accessor "", type "wrapping",
// addr = the primary's API address), valid once for 30 minutes by default.
// The secondary unwraps it by calling sys/wrapping/unwrap at that address over
// HTTP, so a stopped, partitioned, hung or wrongly addressed primary fails
// activation as it does in life. Enabling a secondary purges its data: a
// performance secondary's old root token stops working (403) and the
// operator logs in through the replicated userpass method instead, or
// generates a new root token with sys/generate-root and the key share.
//
// Every lab cluster starts unsealed and configured alike: kv-v2 at secret/,
// userpass with the user "operator" (password per lab, see Lab.Userpass)
// holding the replication-operator policy (every replication endpoint, with
// sudo, and the keys under secret/), and a root token (Lab.Clusters). All clusters share one unseal key
// share with threshold 1 (Lab.UnsealKey), which is also the key share the DR
// operation token flow asks for. In pre-built topologies a performance
// secondary advertises a root token minted after its activation, and a DR
// secondary advertises its primary's root token (DR replicates tokens, so it
// is the one that works there after a promotion).
//
// Texts the reference marks as unknown or inferred end in "(simulated)".
// Where Vault's open code fixes a text or a status the reference leaves open
// (the generate-root flow, sys/decode-token, sys/unseal, sys/health's
// parameter errors, the HTTP layer's refusals), the lab follows that code.
//
// A cluster's version (SetVersion) is a personality: the 1.17+ "invalid
// token" error, the status and health fields each version added, and
// Community Edition before 1.14, which had no Enterprise stubs.
//
// # Time and determinism
//
// The model reads time only from its Clock and randomness only from a
// generator seeded by Options.Seed, and it advances in fixed 250 ms quanta
// aligned to its own start, so Advance(10s) equals ten Advance(1s). With a
// ManualClock (NewManualClock) nothing moves until Lab.Advance: tests run
// whole scenarios in milliseconds without sleeping. Without one, Start runs a
// driver that follows real time scaled by Options.Speed. Handlers read and
// change the model under one lock. (ECDSA signatures use crypto/rand; nothing
// depends on their bytes.)
//
// # Serving
//
// Start listens on 127.0.0.1 only: one port per cluster in topology order
// (Options.PortBase, PortBase+1, … or ephemeral ports), then the control
// endpoint. Handler(name) returns a cluster's handler for mounting under
// httptest; SetAPIAddr then tells the cluster its address. Close stops
// everything, releases hung requests and waits for every goroutine.
//
// # Faults
//
// Faults are methods on Lab (Partition, Heal, HealAll, Seal, Unseal, Stop,
// Restart, SetLatency, FailRequests, Flap, Hang, InjectResponse,
// CorruptMerkle, SkewClock, SetCommunityEdition, SetVersion, ClearFaults),
// data-driven through ApplyFault(FaultSpec) with a self-describing catalogue
// (FaultKinds, ResponseFaults), and listed per cluster by ActiveFaults.
// Summaries describes every cluster's roles and faults (without tokens) and
// RequestCounts counts the API requests each cluster has served.
// Stop closes the cluster's listener (connection refused; Restart reopens the
// same port). InjectResponse serves malformed JSON, a truncated body, a 50 MB
// body streamed in small chunks, or a 403, 404 or 429.
//
// # Control endpoint
//
// ControlURL serves a JSON API for trainers and scripts:
//
//	GET  /                 the routes below and the topology
//	GET  /clusters         every cluster: address, version, sealed/stopped,
//	                       performance and DR role in brief, active faults
//	GET  /faults           the catalogue: {"kinds":[FaultKind…],"responses":[…]}
//	GET  /faults/active    {"cluster":[{"kind":…,"detail":…}…]}
//	POST /faults           apply one fault, e.g.
//	                       {"kind":"partition","cluster":"us-east-2","peer":"eu-west-1"}
//	                       {"kind":"latency","cluster":"eu-west-1","duration":"800ms"}
//	                       {"kind":"fail-requests","cluster":"us-east-1","status":503,"count":5}
//	                       {"kind":"respond","cluster":"us-east-1","response":"huge-body","count":1}
//	                       {"kind":"hang","cluster":"us-east-1"}  ("off":true lifts it)
//	                       {"kind":"corrupt-merkle","cluster":"eu-west-1","type":"performance"}
//	                       {"kind":"skew-clock","cluster":"eu-west-1","duration":"-3s"}
//	POST /faults/clear     {"cluster":"us-east-1"} clears one cluster, {} all
//	POST /advance          {"duration":"31m"} moves simulated time forward
//	POST /reset            {"student":"s01"} resets one student's clusters to
//	                       the topology's start, {} the whole lab (Reset)
//	GET  /students         each student's cluster names (Options.Students)
//	GET  /exercise         each student's checklist (?student=s01 for one)
//
// A classroom (Options.Students) builds the topology once per student with
// names s01-…, s02-…; Options.Exercise checks a lesson against the lab's
// own state per student (Exercises lists them). Remote drives a lab in
// another process through this endpoint.
//
// Errors are {"error":"…"} with 400, or 404 for an unknown cluster or
// student. Tokens
// never appear on the control endpoint.
//
// # Not simulated
//
// Secrets engines other than KV (only their mount tables exist),
// namespaces (any non-root X-Vault-Namespace is refused; Community
// Edition ignores the header, as CE does), standby nodes (each cluster answers
// as its active node; sys/ha-status lists two standbys that only echo), Raft
// operations other than reading the configuration (vault operator raft
// list-peers works, with -dr-token on a DR secondary), batch tokens outside DR
// (they stay on the cluster that made them, where Vault lets an orphan one
// work across a performance set), client certificates (Options.TLS serves
// HTTPS with the lab's own CA), response wrapping on request
// (X-Vault-Wrap-TTL), PGP-encrypted tokens, paths-filter effects on the
// replicated data (filters are stored and served, not applied),
// best_effort_wal_wait_duration (a write forwarded from a performance
// secondary returns at once, so a read there right after can still see the
// old value) and X-Vault-Index consistency headers,
// sys/metrics, the DR-secondary licence endpoints, an Enterprise licence
// without replication (top-level {"mode":"unsupported"}), listeners with
// disable_replication_status_endpoints, the warnings newer Vaults add for
// unrecognised request parameters, and the exact text of Enterprise errors the
// reference could not verify (those say "(simulated)").
package sim
