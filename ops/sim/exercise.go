package sim

import (
	"fmt"
	"strings"
	"time"
)

// Exercises are scripted lessons whose progress the lab checks against its
// own state (modes, tokens issued, requests served), never against what a
// trainee says they did. Each student's set of clusters runs its own copy.

// hintAfter is how long (lab time) a trainee works on a step before its
// hint is shown: long enough to try, short enough not to stall a class.
const hintAfter = 2 * time.Minute

// exercise is one lesson.
type exercise struct {
	name     string
	title    string
	topology string // "" runs on any topology; else the one it needs
	about    string
	steps    []exStep
	// setup prepares a group (the hidden fault of the diagnosis); it runs
	// with the lab's lock held, or before the lab is shared.
	setup func(l *Lab, g *group)
}

// exStep is one checked step. Names in the texts are written with
// "{a}", "{b}", … for the group's first, second, … cluster.
type exStep struct {
	title   string
	command string // the vault CLI command, when the step has one
	explain string // why, or what to expect (the purge warning)
	hint    string
	// done reports whether the step is complete; it runs with the lock held.
	done func(l *Lab, g *group, run *exerciseRun) bool
}

// exerciseRun is one group's progress.
type exerciseRun struct {
	ex      *exercise
	started time.Time
	doneAt  []time.Time // zero while not done
	// marks are request counts recorded when a step completed, so a later
	// step can ask for a request made after it.
	marks  map[string]int
	hidden string // the diagnosis's hidden fault, for the instructor
}

func newExerciseRun(ex *exercise, now time.Time) *exerciseRun {
	return &exerciseRun{ex: ex, started: now, doneAt: make([]time.Time, len(ex.steps)), marks: map[string]int{}}
}

// ExerciseInfo names an exercise for --exercise list.
type ExerciseInfo struct {
	Name     string `json:"name"`
	Title    string `json:"title"`
	Topology string `json:"topology"`
	Steps    int    `json:"steps"`
	About    string `json:"about"`
}

// Exercises lists the exercises the lab can check.
func Exercises() []ExerciseInfo {
	var out []ExerciseInfo
	for _, ex := range exerciseList() {
		out = append(out, ExerciseInfo{Name: ex.name, Title: ex.title, Topology: cmpOr(ex.topology, "fresh"), Steps: len(ex.steps), About: ex.about})
	}
	return out
}

func exerciseByName(name string) (*exercise, error) {
	if name == "" {
		return nil, nil
	}
	var names []string
	for _, ex := range exerciseList() {
		if ex.name == name {
			return ex, nil
		}
		names = append(names, ex.name)
	}
	return nil, fmt.Errorf("unknown exercise %q (want one of %s)", name, strings.Join(names, ", "))
}

// ExerciseProgress is one student's progress, as the control endpoint and
// the dashboard show it. Times are the lab's.
type ExerciseProgress struct {
	Student  string         `json:"student,omitempty"`
	Exercise string         `json:"exercise"`
	Title    string         `json:"title"`
	Started  time.Time      `json:"started"`
	Steps    []StepProgress `json:"steps"`
	Complete bool           `json:"complete"`
	// Summary is the end of the lesson: every step and how long it took.
	Summary string `json:"summary,omitempty"`
	// HiddenFault is what the diagnosis hid (the instructor's view; a
	// trainee reading it has found a shortcut, not the fault).
	HiddenFault string `json:"hidden_fault,omitempty"`
}

// StepProgress is one step of a checklist.
type StepProgress struct {
	Title   string     `json:"title"`
	Command string     `json:"command,omitempty"`
	Explain string     `json:"explain,omitempty"`
	Done    bool       `json:"done"`
	DoneAt  *time.Time `json:"done_at,omitempty"`
	Took    string     `json:"took,omitempty"` // since the previous step (or the start)
	// Hint appears once the trainee has been on the step for a while.
	Hint string `json:"hint,omitempty"`
}

// Progress reports each student's exercise progress (nil without an
// exercise); student "" means every student.
func (l *Lab) Progress(student string) ([]ExerciseProgress, error) {
	groups, err := l.groupsNamed(student)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.syncLocked()
	l.checkExercises(l.modelNow)
	var out []ExerciseProgress
	for _, g := range groups {
		if g.exercise != nil {
			out = append(out, g.exercise.progress(g, l.modelNow))
		}
	}
	return out, nil
}

// checkExercises completes the steps whose condition holds, in order: a
// step is checked only once the one before it is done.
func (l *Lab) checkExercises(now time.Time) {
	for _, g := range l.groups {
		run := g.exercise
		if run == nil {
			continue
		}
		for i, s := range run.ex.steps {
			if !run.doneAt[i].IsZero() {
				continue
			}
			if !s.done(l, g, run) {
				break
			}
			run.doneAt[i] = now
			run.mark(g)
		}
	}
}

// mark records the request counts of the group's clusters at this moment.
func (run *exerciseRun) mark(g *group) {
	for _, c := range g.clusters {
		for p, n := range c.requests {
			run.marks[c.name+" "+p] = n
		}
		run.marks[c.name+" "+kvReadsMark] = c.kvReads
	}
}

// requestedSince reports whether any cluster of the group served path since
// the last step completed.
func (run *exerciseRun) requestedSince(g *group, path string) bool {
	for _, c := range g.clusters {
		if c.requests[path] > run.marks[c.name+" "+path] {
			return true
		}
	}
	return false
}

// kvReadsMark is the marks key of a cluster's successful KV reads (a URL
// path begins with a slash, so it cannot collide with a request count).
const kvReadsMark = "kv reads"

// readSince reports whether cluster c answered a KV read with data since the
// last step completed.
func (run *exerciseRun) readSince(c *cluster) bool {
	return c.kvReads > run.marks[c.name+" "+kvReadsMark]
}

// requestedUnder reports whether cluster c served a path under prefix since
// the last step completed.
func (run *exerciseRun) requestedUnder(c *cluster, prefix string) bool {
	for p, n := range c.requests {
		if strings.HasPrefix(p, prefix) && n > run.marks[c.name+" "+p] {
			return true
		}
	}
	return false
}

func (run *exerciseRun) progress(g *group, now time.Time) ExerciseProgress {
	names := func(s string) string { return g.expand(s) }
	p := ExerciseProgress{Student: g.name, Exercise: run.ex.name, Title: run.ex.title, Started: run.started, Complete: true, HiddenFault: run.hidden}
	prev := run.started
	var sum strings.Builder
	for i, s := range run.ex.steps {
		sp := StepProgress{Title: names(s.title), Command: names(s.command), Explain: names(s.explain)}
		if at := run.doneAt[i]; !at.IsZero() {
			sp.Done, sp.DoneAt = true, &at
			sp.Took = at.Sub(prev).Round(time.Second).String()
			fmt.Fprintf(&sum, "%d. %s: %s\n", i+1, sp.Title, sp.Took)
			prev = at
		} else {
			if p.Complete && now.Sub(prev) >= hintAfter {
				sp.Hint = names(s.hint)
			}
			p.Complete = false
		}
		p.Steps = append(p.Steps, sp)
	}
	if p.Complete {
		p.Summary = fmt.Sprintf("%sAll %d steps in %s.", sum.String(), len(run.ex.steps), prev.Sub(run.started).Round(time.Second))
	}
	return p
}

// expand replaces {a}, {b}, … with the names of the group's clusters.
func (g *group) expand(s string) string {
	for i, c := range g.clusters {
		s = strings.ReplaceAll(s, "{"+string(rune('a'+i))+"}", c.name)
	}
	return s
}

// at is the group's i-th cluster.
func (g *group) at(i int) *cluster { return g.clusters[i] }

// purgeWarning is Vault's own warning on activating a secondary.
const purgeWarning = "Enabling a secondary will purge its local data (including unseal and recovery keys) and sync entirely from the primary."

func exerciseList() []*exercise {
	return []*exercise{perfExercise(), drExercise(), diagnoseExercise(), failoverExercise(), kvExercise()}
}

// setupSteps are the seed walkthrough's four steps for either type, on the
// first two clusters of a fresh set.
func setupSteps(t replType) []exStep {
	typ := t.String()
	statusPath := "/v1/sys/replication/" + typ + "/status"
	secondaryNote := "Its root token is purged with the rest: log in again with userpass (the auth method and user replicate from {a}): vault login -method=userpass username=operator."
	if t == drType {
		secondaryNote = "A DR secondary answers almost nothing (it is a warm standby) and holds {a}'s tokens: {a}'s root token is the one that will work there after a promotion."
	}
	return []exStep{
		{
			title:   fmt.Sprintf("Enable %s replication on {a} (the primary)", t.label()),
			command: "vault write -f sys/replication/" + typ + "/primary/enable",
			explain: "The cluster becomes a primary: it is briefly unavailable while it bootstraps, then its replication status says mode primary.",
			hint:    "Point VAULT_ADDR and VAULT_TOKEN at {a} (the lab printed both), then run the command.",
			done:    func(l *Lab, g *group, _ *exerciseRun) bool { return g.at(0).role(t).isPrimary() },
		},
		{
			title:   "Generate a secondary activation token for {b} on {a}",
			command: "vault write sys/replication/" + typ + "/primary/secondary-token id={b}",
			explain: "The answer is a wrapping token (wrap_info.token): the activation token. It is valid for 30 minutes and only once.",
			hint:    "Still on {a}: the id is any name you choose for the secondary; use {b}.",
			done: func(l *Lab, g *group, _ *exerciseRun) bool {
				r := g.at(0).role(t)
				return r.isPrimary() && len(r.known) > 0
			},
		},
		{
			title:   fmt.Sprintf("Activate {b} as a %s secondary with the token", t.label()),
			command: "vault write sys/replication/" + typ + "/secondary/enable token=<wrapping_token>",
			explain: "Vault warns: \"" + purgeWarning + "\" Everything {b} held is replaced by {a}'s data. " + secondaryNote,
			hint:    "Point VAULT_ADDR and VAULT_TOKEN at {b}, and pass the wrap_info.token of the previous step as token=.",
			done: func(l *Lab, g *group, _ *exerciseRun) bool {
				r := g.at(1).role(t)
				return r.isSecondary() && r.upstream == g.at(0).name
			},
		},
		{
			title:   "Watch the secondary stream: read the replication status",
			command: "vault read -format=json sys/replication/" + typ + "/status",
			explain: "On {b}, state goes from merkle-diff and merkle-sync to stream-wals and connection_state becomes ready; on {a}, known_secondaries lists {b}.",
			hint:    "Read the status until {b} says state stream-wals; the dashboard (vaultrepl --lab) shows the same.",
			done: func(l *Lab, g *group, run *exerciseRun) bool {
				return g.at(1).role(t).state == stateStreamWALs && run.requestedSince(g, statusPath)
			},
		},
	}
}

func perfExercise() *exercise {
	return &exercise{name: "perf-setup", title: "Performance replication by CLI (the seed's four steps)",
		about: "enable a performance primary, generate a secondary token, activate the secondary (the purge warning), watch it stream",
		steps: setupSteps(perfType), setup: func(*Lab, *group) {}}
}

func drExercise() *exercise {
	return &exercise{name: "dr-setup", title: "DR replication by CLI",
		about: "the same four steps for disaster recovery: a warm standby that holds the primary's tokens",
		steps: setupSteps(drType), setup: func(*Lab, *group) {}}
}

// hiddenFaults are the diagnosis's candidates on the global topology
// (clusters a=us-east-2, b=us-east-1, c=eu-west-1, d=us-east-2-dr).
var hiddenFaults = []struct {
	name   string
	hint   string
	inject func(l *Lab, g *group)
	fixed  func(l *Lab, g *group) bool
}{
	{"partition between {a} and {b}",
		"{b} has lost its primary: its connection_state is not ready. Its network is the lab's; the lab menu (L) heals a partition.",
		func(l *Lab, g *group) { l.partitions[pairKey(g.at(0).name, g.at(1).name)] = true },
		func(l *Lab, g *group) bool { return !l.partitions[pairKey(g.at(0).name, g.at(1).name)] }},
	{"{c} sealed",
		"One cluster answers 503 Vault is sealed. Unseal it with the lab's unseal key: vault operator unseal <key>.",
		func(l *Lab, g *group) { g.at(2).sealed = true },
		func(l *Lab, g *group) bool { return !g.at(2).sealed }},
	{"corrupted performance merkle tree on {b}",
		"One secondary loops between merkle-diff and merkle-sync: corrupted_merkle_tree is true. Reindex it: vault write -f sys/replication/reindex.",
		func(l *Lab, g *group) {
			r := g.at(1).perf
			r.corrupted, r.lastCorruptionCheck = true, l.modelNow
			l.resyncAffected(g.at(1), perfType, l.modelNow)
		},
		func(l *Lab, g *group) bool { return !g.at(1).perf.corrupted }},
	{"{c}'s clock 45s ahead",
		"A pane reports clock skew. A real cluster needs NTP; in the lab, clear the cluster's faults from the lab menu (L).",
		func(l *Lab, g *group) { g.at(2).faults.skew = 45 * time.Second },
		func(l *Lab, g *group) bool { return g.at(2).faults.skew == 0 }},
}

func diagnoseExercise() *exercise {
	// The seed picks each student's fault, so neighbours differ and a rerun
	// with the same --seed hides the same ones.
	pickOf := func(l *Lab, g *group) int {
		n := int64(len(hiddenFaults))
		return int(((l.seed+int64(g.index))%n + n) % n)
	}
	return &exercise{name: "diagnose", title: "Diagnose a hidden fault", topology: "global",
		about: "one fault is hidden in a running global set (partition, sealed node, merkle corruption or clock skew): find it with the dashboard and fix it",
		setup: func(l *Lab, g *group) {
			f := hiddenFaults[pickOf(l, g)]
			f.inject(l, g)
			g.exercise.hidden = g.expand(f.name)
		},
		steps: []exStep{
			{
				title:   "Find the fault with the dashboard and fix it",
				explain: "Open the dashboard on your clusters (vaultrepl --lab with your state file); one pane is not healthy.",
				hint:    "Look for the pane that is not green and read its reasons; the detail view (enter) says more.",
				done: func(l *Lab, g *group, _ *exerciseRun) bool {
					return hiddenFaults[pickOf(l, g)].fixed(l, g)
				},
			},
			{
				title:   "Every secondary streams again",
				explain: "After the fix, secondaries reconnect, may run merkle-diff and merkle-sync, and return to stream-wals.",
				hint:    "Give it a few seconds; a secondary that had lost its primary retries on its own.",
				done: func(l *Lab, g *group, _ *exerciseRun) bool {
					for _, c := range g.clusters {
						if !c.up() || c.faults.skew != 0 {
							return false
						}
						for _, r := range []*role{c.perf, c.dr} {
							if r.corrupted || (r.isSecondary() && (r.state != stateStreamWALs || r.connState != connReady)) {
								return false
							}
						}
					}
					return true
				},
			},
		}}
}

func failoverExercise() *exercise {
	return &exercise{name: "dr-failover", title: "The DR failover drill by CLI", topology: "global",
		about: "demote the primary, generate a DR operation token on the DR secondary, promote it, check the new primary",
		setup: func(*Lab, *group) {},
		steps: []exStep{
			{
				title:   "Demote the DR primary {a}",
				command: "vault write -f sys/replication/dr/primary/demote",
				explain: "In a planned failover the old primary steps down first, so two primaries never take writes at once (split brain).",
				hint:    "Use {a}'s address and root token.",
				done:    func(l *Lab, g *group, _ *exerciseRun) bool { return g.at(0).dr.mode == modeSecondary },
			},
			{
				title:   "Generate a DR operation token on {d}",
				command: "vault operator generate-root -dr-token -init; then vault operator generate-root -dr-token (the unseal key); then -decode with the OTP",
				explain: "A DR secondary has no usable token of its own: the operation token, made from the unseal key shares, authorises promote.",
				hint:    "The lab's unseal key (printed at start) is the single key share; keep the OTP from -init to decode the encoded token.",
				done:    func(l *Lab, g *group, _ *exerciseRun) bool { return len(g.at(3).drOpTokens) > 0 },
			},
			{
				title:   "Promote {d} to DR primary",
				command: "vault write sys/replication/dr/secondary/promote dr_operation_token=<token>",
				explain: "{d} becomes the primary; the performance secondaries follow it once their primary address is updated.",
				hint:    "Point VAULT_ADDR at {d}; the promote needs no VAULT_TOKEN, only dr_operation_token.",
				done:    func(l *Lab, g *group, _ *exerciseRun) bool { return g.at(3).dr.isPrimary() },
			},
			{
				title:   "Check the new primary's DR status",
				command: "vault read -format=json sys/replication/dr/status",
				explain: "{d} says mode primary; {a} says secondary with no primary until it is pointed at {d} (update-primary).",
				hint:    "Read the status on {d}.",
				done: func(l *Lab, g *group, run *exerciseRun) bool {
					return run.requestedSince(g, "/v1/sys/replication/dr/status")
				},
			},
		}}
}

// kvExercise is "write on the primary, read on the secondary", the first
// thing every trainee tries, with the rest of the replication semantics of
// secrets: a write on a performance secondary is forwarded, a DR secondary
// refuses. On the global topology: a=us-east-2 (primary), b=us-east-1 and
// c=eu-west-1 (performance secondaries), d=us-east-2-dr (DR secondary).
func kvExercise() *exercise {
	anySecret := func(c *cluster) bool {
		for k, s := range c.data.secrets {
			if kvMountOf(k) == "secret/" && s.Current > 0 {
				return true
			}
		}
		return false
	}
	return &exercise{name: "kv-replication", title: "Secrets across replication", topology: "global",
		about: "write a KV secret on the primary and read it on a performance secondary, write one on a secondary (forwarded), see a DR secondary refuse",
		setup: func(*Lab, *group) {},
		steps: []exStep{
			{
				title:   "Write a secret on the primary {a}",
				command: "vault kv put secret/app/db password=s3cret",
				explain: "secret/ is a KV version 2 engine on every cluster; the write is a WAL entry on {a}, shipped to every secondary.",
				hint:    "Point VAULT_ADDR and VAULT_TOKEN at {a} (the lab printed both).",
				done:    func(l *Lab, g *group, _ *exerciseRun) bool { return anySecret(g.at(0)) },
			},
			{
				title:   "Read it on the performance secondary {c}",
				command: "vault kv get secret/app/db",
				explain: "{c} serves reads from its own copy: the secret is there once the WAL entry has crossed the link, usually well under a second.",
				hint:    "Point VAULT_ADDR at {c}; {c}'s own root token (or vault login -method=userpass username=operator) works there, {a}'s does not.",
				done: func(l *Lab, g *group, run *exerciseRun) bool {
					return run.readSince(g.at(2))
				},
			},
			{
				title:   "Write on the performance secondary {b}",
				command: "vault kv put secret/app/db password=rotated",
				explain: "{b} forwards the write to {a}, which numbers the new version; {b} sees it when the WAL entry comes back, so a read right after may still show the old one.",
				hint:    "Point VAULT_ADDR and VAULT_TOKEN at {b}, write, then read with vault kv get on {b} and on {c}.",
				done: func(l *Lab, g *group, _ *exerciseRun) bool {
					b, a := g.at(1), g.at(0)
					if b.kvForwarded == 0 {
						return false
					}
					sb, sa := b.data.secrets[b.kvForwardedKey], a.data.secrets[b.kvForwardedKey]
					return sb != nil && sa != nil && sb.Current == sa.Current
				},
			},
			{
				title:   "Try to read it on the DR secondary {d}",
				command: "vault kv get secret/app/db",
				explain: "Refused with 400 \"path disabled in replication DR secondary mode\": {d} holds every secret (and {a}'s tokens) but serves no client until it is promoted.",
				hint:    "Point VAULT_ADDR at {d} with {a}'s root token (a DR secondary holds its primary's tokens).",
				done: func(l *Lab, g *group, run *exerciseRun) bool {
					return run.requestedUnder(g.at(3), "/v1/secret/")
				},
			},
		}}
}
