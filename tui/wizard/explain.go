package wizard

import "github.com/vaultrepl/vaultrepl/ops"

// Training mode adds a short explanation to each step; each step model
// writes its own (explain). The facts are those of the seed walkthrough and
// HashiCorp's replication docs.

const (
	explainPerf = "Performance replication copies policies, secrets engines, auth methods and audit " +
		"configuration to every performance secondary. Secondaries serve reads locally and forward " +
		"writes to the primary: only the primary writes the replicated data, so there is one history, " +
		"which the secondaries replay from its write-ahead log. Tokens and leases are NOT replicated: " +
		"each cluster issues its own, so clients log in again on each performance secondary."
	explainDR = "DR replication copies everything, tokens and leases included, to a warm standby. " +
		"A DR secondary serves no client requests until it is promoted; then clients keep their " +
		"tokens. A cluster cannot be a DR secondary while it takes part in performance replication."
)

// typeExplanation explains the replication type just set up.
func typeExplanation(t ops.ReplicationType) string {
	if t == ops.DR {
		return explainDR
	}
	return explainPerf
}

func (m Model) explanation() string {
	if sm := stepOf(m.step); sm != nil {
		return sm.explain(m)
	}
	return ""
}
