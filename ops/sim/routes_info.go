package sim

import "time"

// handleKeyStatus is sys/key-status: the barrier key's term and install
// time, with the data keys repeated at the top level as a real 1.17.6
// answers. encryptions counts the cluster's storage writes (its WAL index),
// the nearest thing the lab has to barrier encryptions.
func handleKeyStatus(q *request) response {
	return q.injected(map[string]any{
		"term":         1,
		"install_time": q.c.clock(q.l.bootTime).UTC().Format(time.RFC3339Nano),
		"encryptions":  q.c.log.last,
	})
}

// handleVersionHistory is LIST sys/version-history: one entry, the version
// the cluster has run since the lab built it. That an Enterprise build keys
// it with "+ent" is inferred (the recording is of CE).
func handleVersionHistory(q *request) response {
	v := q.c.displayVersion()
	return q.logical(map[string]any{
		"keys": []string{v},
		"key_info": map[string]any{v: map[string]any{
			"build_date": "", "previous_version": nil,
			"timestamp_installed": q.c.clock(q.l.bootTime).UTC().Format(time.RFC3339),
		}},
	})
}
