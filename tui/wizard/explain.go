package wizard

import "github.com/vaultrepl/vaultrepl/ops"

// Training mode adds a short explanation to each step. The facts are those of
// the seed walkthrough and HashiCorp's replication docs.

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

func (m Model) explanation() string {
	switch m.step {
	case stType:
		return explainPerf + "\n\n" + explainDR
	case stPrimary:
		s := "Step 1 of the seed's setup: enable replication on the primary. Vault creates the replication " +
			"set (its cluster_id) and starts keeping the merkle index and write-ahead logs that " +
			"secondaries stream. It is unavailable for a moment while it does this."
		if m.typ == ops.DR {
			s += " A cluster can be a performance primary and a DR primary at once: the usual layout."
		}
		return s
	case stToken:
		return "Step 2: the primary issues a single-use activation token for one secondary. It is a " +
			"response-wrapped JWT: it carries the primary's API address (addr) and expiry (exp), and the " +
			"secondary unwraps it by calling the primary. Its id is added to known_secondaries at once. " +
			"Generating it needs the sudo capability."
	case stActivate:
		s := "Step 3: the secondary hands the token to its own Vault, which unwraps it at the primary, " +
			"throws away all of its own data (mounts, policies, tokens, even its unseal/recovery " +
			"configuration) and syncs everything from the primary."
		if m.typ == ops.Performance {
			s += " Afterwards, tokens issued by this cluster before are gone, and tokens from the primary " +
				"do not work here: log in again through a replicated auth method."
		} else {
			s += " Afterwards it answers only status requests until promoted."
		}
		return s
	case stWatch:
		return "Step 4, the seed's \"monitor replication\": a new secondary bootstraps, compares merkle " +
			"trees (merkle-diff), copies what differs (merkle-sync) and then streams write-ahead logs " +
			"(stream-wals) with connection_state ready. The primary then lists it as connected in " +
			"secondaries[]. The command: " + cmdStatus(m.typ)
	case stLogin:
		return "Tokens are local to each performance cluster: the secondary's old tokens went with the " +
			"purge, and the primary's tokens are not valid here. The auth methods were replicated, so " +
			"the same username and password work on the secondary and give a token issued by it. " +
			"Writes made with that token are forwarded to the primary."
	case stVerify:
		if m.typ == ops.DR {
			return "The seed's check, adapted to DR: a DR secondary cannot be read, so we write on the " +
				"primary, note the primary's last_dr_wal, and wait until the DR secondary's " +
				"last_remote_wal reaches it: then the write is on the standby."
		}
		return "The seed's check: make a change on the primary (a new auth method) and watch it appear on " +
			"each performance secondary. The write happens on the primary; secondaries receive it " +
			"through the write-ahead log stream. The time shown is an upper bound: each secondary is " +
			"read once per poll interval."
	case stNext:
		return explainPerf
	}
	return ""
}
