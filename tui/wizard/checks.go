package wizard

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vaultrepl/vaultrepl/ops"
)

// level is a pre-flight check's outcome.
type level int

const (
	lvPass level = iota
	lvInfo
	lvWarn
	lvFail
)

// check is one pre-flight finding: what was checked, what was found and, when
// it is not a pass, what the operator should do.
type check struct {
	Level  level
	Title  string
	Detail string
	Fix    string
	// Retry marks a blocker that clears by itself (bootstrapping, the brief
	// unavailability after a role change): the wizard re-reads on its own.
	Retry bool
	// LoginTo names the cluster whose token was refused: l logs in there.
	LoginTo string
}

// needsLogin marks c as cured by logging in to cluster.
func needsLogin(c check, cluster string) check {
	c.LoginTo = cluster
	return c
}

// bootstrapping is the check of a cluster whose role is still starting.
func bootstrapping(name string) check {
	return transient(fail("mode", name+" is bootstrapping", "it becomes usable in a few seconds; re-checking"))
}

// transient returns c marked as clearing by itself.
func transient(c check) check {
	c.Retry = true
	return c
}

// waiting reports whether every blocker clears by itself.
func waiting(cs []check) bool {
	n := 0
	for _, c := range cs {
		if c.Level == lvFail {
			if !c.Retry {
				return false
			}
			n++
		}
	}
	return n > 0
}

// transientErr is a read that failed in a way that usually passes: a 5xx
// such as the 503s Vault serves for a moment after a role change.
func transientErr(err error) bool {
	c := ops.ClassOf(err)
	return c == ops.ErrServer || c == ops.ErrTimeout
}

func pass(title, detail string) check { return check{Level: lvPass, Title: title, Detail: detail} }
func info(title, detail string) check { return check{Level: lvInfo, Title: title, Detail: detail} }
func warn(title, detail, fix string) check {
	return check{Level: lvWarn, Title: title, Detail: detail, Fix: fix}
}
func fail(title, detail, fix string) check {
	return check{Level: lvFail, Title: title, Detail: detail, Fix: fix}
}

// anyFailed reports whether a check blocks the step.
func anyFailed(cs []check) bool {
	return slices.ContainsFunc(cs, func(c check) bool { return c.Level == lvFail })
}

// facts is what the pre-flight of one cluster read. Every read may fail on
// its own; the checks say which one and why.
type facts struct {
	Name      string
	Snap      ops.Snapshot
	Err       error
	Caps      map[string][]string
	CapsErr   error
	Mounts    []ops.Mount
	MountsErr error
	Auth      []ops.Mount
	AuthErr   error
	// NoToken: the cluster's client carries no token at all.
	NoToken bool
}

// repl returns the replication status, or nil when it could not be read.
func (f facts) repl() *ops.Replication { return f.Snap.Replication }

// of returns one type's status (zero value when unread).
func (f facts) of(t ops.ReplicationType) ops.TypeStatus {
	if r := f.repl(); r != nil {
		return r.Of(t)
	}
	return ops.TypeStatus{}
}

// errText splits an error into what happened and what to do about it, using
// the classification ops attaches to every error it returns.
func errText(err error) (what, fix string) {
	if err == nil {
		return "", ""
	}
	var oe *ops.Error
	if errors.As(err, &oe) {
		what = oe.Summary()
		if d := oe.Detail(); d != "" && d != what {
			what += " (" + d + ")"
		}
		return what, oe.Hint()
	}
	return err.Error(), ""
}

// usable checks what every step needs of a cluster before it can do anything
// with it: an answer, unsealed, Enterprise, replication status readable. It
// returns false when the other checks would be meaningless.
func usable(f facts) ([]check, bool) {
	var cs []check
	s := f.Snap
	if f.Err != nil && s.Health == nil && s.Replication == nil {
		what, fix := errText(f.Err)
		c := fail("reachable", f.Name+": "+what, fix)
		if transientErr(f.Err) {
			c.Fix = "Vault is briefly unavailable after a role change; re-checking"
			c = transient(c)
		}
		return append(cs, c), false
	}
	cs = append(cs, pass("reachable", f.Name+" answered"))
	if h := s.Health; h != nil {
		if !h.Initialized {
			return append(cs, fail("initialised", f.Name+" is not initialised", "initialise it (vault operator init) first")), false
		}
		if h.Sealed {
			return append(cs, fail("unsealed", f.Name+" is sealed", "unseal it (vault operator unseal), then re-check (r)")), false
		}
		cs = append(cs, pass("unsealed", ""))
	}
	switch s.Edition() {
	case ops.EditionCommunity:
		return append(cs, fail("Enterprise", f.Name+" runs Vault Community Edition",
			"replication is a Vault Enterprise feature; pick an Enterprise cluster")), false
	case ops.EditionEnterprise:
		v := ""
		if s.Health != nil {
			v = s.Health.Version
		}
		cs = append(cs, pass("Enterprise", v))
	case ops.EditionUnknown:
		cs = append(cs, warn("Enterprise", "could not tell the edition", "the next checks will tell"))
	}
	r := s.Replication
	if r == nil {
		what, fix := errText(s.ReplicationErr)
		if what == "" {
			what = "no replication status"
		}
		c := fail("replication status", what, fix)
		if transientErr(s.ReplicationErr) {
			c = transient(c)
		}
		return append(cs, c), false
	}
	if r.Unsupported {
		return append(cs, fail("replication licence", f.Name+": replication is not supported by its licence",
			"check sys/license/status: the licence needs the replication features")), false
	}
	if h := s.Health; h != nil && h.Standby {
		cs = append(cs, info("active node", f.Name+" answered from a standby node; Vault forwards writes to the active node"))
	}
	return cs, true
}

// hasCaps reports whether the capabilities of path include every one of need
// ("root" grants everything).
func hasCaps(caps map[string][]string, path string, need ...string) bool {
	got := caps[path]
	if slices.Contains(got, "root") {
		return true
	}
	for _, n := range need {
		if !slices.Contains(got, n) && (n != "update" || !slices.Contains(got, "create")) {
			return false
		}
	}
	return true
}

// capCheck checks the token's capabilities on path. A failed lookup is a
// warning, not a failure: Vault itself will refuse the write if the policy
// does not allow it, and some policies deny sys/capabilities-self.
func capCheck(f facts, path string, need ...string) check {
	const title = "capabilities"
	want := strings.Join(need, " and ") + " on " + path
	if f.NoToken {
		return fail("token", f.Name+": no token is configured for this cluster",
			"set VAULT_TOKEN or the cluster's token in the config file, or log in (l)")
	}
	if f.CapsErr != nil {
		if c := ops.ClassOf(f.CapsErr); c == ops.ErrInvalidToken {
			return needsLogin(fail("token", f.Name+": the token is not valid here",
				"log in again (l): tokens are local to each cluster, and activation replaces a secondary's tokens"), f.Name)
		}
		what, _ := errText(f.CapsErr)
		return warn(title, "needs "+want+"; could not ask sys/capabilities-self: "+what, "Vault will refuse the write if the policy does not allow it")
	}
	if f.Caps == nil {
		return warn(title, "needs "+want+"; not checked", "")
	}
	if hasCaps(f.Caps, path, need...) {
		return pass(title, want+" ("+strings.Join(f.Caps[path], ", ")+")")
	}
	got := strings.Join(f.Caps[path], ", ")
	if got == "" {
		got = "none"
	}
	fix := fmt.Sprintf("use a token whose policy grants %s on %s", quoteList(need), path)
	if slices.Contains(need, "sudo") {
		fix += " (secondary-token is a sudo path)"
	}
	return fail(title, "needs "+want+"; the token has: "+got, fix)
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = `"` + s + `"`
	}
	return strings.Join(q, " and ")
}

// modePhrase describes one type's role, e.g. "performance primary".
func modePhrase(t ops.ReplicationType, m ops.Mode) string {
	name := typeName(t)
	switch m {
	case ops.ModePrimary:
		return name + " primary"
	case ops.ModeSecondary:
		return name + " secondary"
	case ops.ModeDisabled:
		return name + " replication disabled"
	case ops.ModeBootstrapping:
		return name + " replication bootstrapping"
	case ops.ModeUnsupported:
		return name + " replication unsupported"
	case ops.ModeUnknown:
		return name + " mode unknown"
	}
	return name + " mode " + m.String()
}

// opPath is the API path of a table operation, whose capabilities are checked.
func opPath(k ops.OpKind, t ops.ReplicationType) string { return ops.Lookup(k).PathFor(t) }

// opCapCheck checks the token's capabilities for operation k as the table
// gives them; an operation not authorised by the token's policy (a DR
// operation token, an unauthenticated endpoint) has nothing to check.
func opCapCheck(f facts, k ops.OpKind, t ops.ReplicationType) (check, bool) {
	need := ops.Lookup(k).NeedsCapabilities(t)
	if len(need) == 0 {
		return check{}, false
	}
	return capCheck(f, opPath(k, t), need...), true
}

// opCapPaths are the paths whose capabilities a pre-flight of ks asks.
func opCapPaths(t ops.ReplicationType, ks ...ops.OpKind) []string {
	var out []string
	for _, k := range ks {
		if len(ops.Lookup(k).NeedsCapabilities(t)) > 0 {
			out = append(out, opPath(k, t))
		}
	}
	return out
}

// checkEnablePrimary evaluates the pre-flight of "enable primary". done is
// true when the cluster already is a primary of this type: the step is then
// skipped rather than repeated (enabling again is not idempotent in Vault).
func checkEnablePrimary(f facts, t ops.ReplicationType, c Cluster) (cs []check, done bool) {
	cs, ok := usable(f)
	if !ok {
		return cs, false
	}
	if c.ReadOnly {
		return append(cs, fail("writable", f.Name+" is read-only in the configuration",
			"remove read_only for this cluster to let vaultrepl write to it")), false
	}
	ts, dr := f.of(t), f.of(ops.DR)
	if t == ops.Performance && dr.Mode == ops.ModeSecondary {
		return append(cs, fail("mode", f.Name+" is a DR secondary",
			"a DR secondary serves only status endpoints until it is promoted; pick another cluster")), false
	}
	switch ts.Mode {
	case ops.ModePrimary:
		return append(cs, pass("mode", fmt.Sprintf("already a %s (replication set %s): nothing to enable",
			modePhrase(t, ts.Mode), shortID(ts.ClusterID)))), true
	case ops.ModeSecondary:
		return append(cs, fail("mode", f.Name+" is a "+modePhrase(t, ts.Mode),
			"promote it (…/secondary/promote) or disable its replication first; enabling would not make it a primary")), false
	case ops.ModeBootstrapping:
		return append(cs, bootstrapping(f.Name)), false
	case ops.ModeDisabled:
		cs = append(cs, pass("mode", modePhrase(t, ts.Mode)))
	case ops.ModeUnknown, ops.ModeUnsupported:
		cs = append(cs, warn("mode", "mode "+ts.RawMode+" not recognised", "check the cluster's replication status"))
	}
	if c, ok := opCapCheck(f, ops.OpEnablePrimary, t); ok {
		cs = append(cs, c)
	}
	return cs, false
}

// checkSecondaryToken evaluates the pre-flight of "generate a secondary token".
func checkSecondaryToken(f facts, t ops.ReplicationType) []check {
	cs, ok := usable(f)
	if !ok {
		return cs
	}
	ts := f.of(t)
	switch ts.Mode {
	case ops.ModePrimary:
		n := len(ts.KnownSecondaries)
		cs = append(cs, pass("mode", fmt.Sprintf("%s with %d known secondar%s", modePhrase(t, ts.Mode), n, plural(n, "y", "ies"))))
	case ops.ModeDisabled:
		return append(cs, fail("mode", f.Name+" is not a "+modePhrase(t, ops.ModePrimary),
			"enable it as a primary first (the previous step)"))
	case ops.ModeSecondary:
		return append(cs, fail("mode", f.Name+" is a "+modePhrase(t, ts.Mode),
			"activation tokens are generated on the primary: pick the primary"))
	case ops.ModeBootstrapping:
		return append(cs, bootstrapping(f.Name))
	case ops.ModeUnknown, ops.ModeUnsupported:
		return append(cs, fail("mode", "mode "+ts.RawMode+" not recognised", "check the cluster's replication status"))
	}
	if c, ok := opCapCheck(f, ops.OpSecondaryToken, t); ok {
		cs = append(cs, c)
	}
	return cs
}

// validateSecondaryID is the id rule: non-empty, no spaces, unique among the
// primary's known secondaries (every id ever issued and not revoked).
func validateSecondaryID(id string, known []string) error {
	id = strings.TrimSpace(id)
	switch {
	case id == "":
		return errors.New("enter an id, e.g. the secondary cluster's name")
	case strings.ContainsAny(id, " \t\"'"):
		return errors.New("no spaces or quotes in the id")
	case slices.Contains(known, id):
		return fmt.Errorf("%q is already a known secondary of this primary: pick another id (or revoke the old one)", id)
	}
	return nil
}

// validateTTL accepts a Go duration of at least a minute.
func validateTTL(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil // Vault's default, 30m
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("a duration such as 30m, 1h or 90s")
	}
	if d < time.Minute {
		return errors.New("at least 1m: the secondary must use the token before it expires")
	}
	if d > 24*time.Hour {
		return errors.New("at most 24h: an activation token is a credential")
	}
	return nil
}

// activation is what the activation pre-flight knows about the token.
type activation struct {
	Token       string
	Info        tokenInfo
	InfoErr     error
	FromHere    bool   // generated in this wizard run
	PrimaryRef  string // the configured cluster its addr claim (or the chosen primary) points at
	PrimaryAddr string // that cluster's configured address
	Primary     *facts // that cluster's pre-flight, nil when unknown
	// SecondaryID is the id the token was generated for (known only for a
	// token generated here); SecondaryName the cluster being activated.
	SecondaryID, SecondaryName string
}

// checkActivate evaluates the pre-flight of "activate a secondary" on target
// f: target usable and unconfigured for this type, no perf/DR conflict, the
// capability, the token not expired, and the primary reachable. needAddr is
// true when primary_api_addr must be asked.
func checkActivate(f facts, t ops.ReplicationType, c Cluster, a activation, now time.Time) (cs []check, needAddr bool) {
	cs, ok := usable(f)
	if !ok {
		return cs, false
	}
	if c.ReadOnly {
		return append(cs, fail("writable", f.Name+" is read-only in the configuration",
			"remove read_only for this cluster to let vaultrepl write to it")), false
	}
	if a.PrimaryRef == f.Name {
		return append(cs, fail("target", f.Name+" is the primary this token comes from",
			"pick another cluster as the secondary")), false
	}
	ts, perf, dr := f.of(t), f.of(ops.Performance), f.of(ops.DR)
	switch {
	case t == ops.DR && perf.Mode != ops.ModeDisabled && perf.Mode != ops.ModeUnknown:
		// The web UI's rule and wording.
		return append(cs, fail("mode", f.Name+" is a "+modePhrase(ops.Performance, perf.Mode),
			"Disable Performance Replication in order to enable this cluster as a DR secondary.")), false
	case t == ops.Performance && dr.Mode == ops.ModeSecondary:
		return append(cs, fail("mode", f.Name+" is a DR secondary",
			"a DR secondary cannot take part in performance replication; pick another cluster")), false
	}
	switch ts.Mode {
	case ops.ModeDisabled:
		cs = append(cs, pass("mode", modePhrase(t, ts.Mode)))
	case ops.ModePrimary:
		n := len(ts.KnownSecondaries)
		return append(cs, fail("mode", fmt.Sprintf("%s is a %s with %d known secondar%s", f.Name, modePhrase(t, ts.Mode), n, plural(n, "y", "ies")),
			"disable or demote it first; a primary cannot be activated as a secondary")), false
	case ops.ModeSecondary:
		return append(cs, fail("mode", fmt.Sprintf("%s is already a %s (secondary id %q)", f.Name, modePhrase(t, ts.Mode), ts.SecondaryID),
			"to follow another primary use …/secondary/update-primary; to start over disable its replication first")), false
	case ops.ModeBootstrapping:
		return append(cs, bootstrapping(f.Name)), false
	case ops.ModeUnknown, ops.ModeUnsupported:
		cs = append(cs, warn("mode", "mode "+ts.RawMode+" not recognised", "check the cluster's replication status"))
	}
	if c, ok := opCapCheck(f, ops.OpEnableSecondary, t); ok {
		cs = append(cs, c)
	}
	tc, tokenOK := tokenChecks(a, now)
	cs = append(cs, tc...)
	if c, ok := idCheckOf(a); ok {
		cs = append(cs, c)
	}
	if !tokenOK {
		return cs, false
	}
	pc, need := primaryChecks(a, t)
	return append(cs, pc...), need
}

// idCheck warns when the token was generated for another id than the
// cluster being activated: it works (the id is only a name), but the
// primary will list this cluster under the other name, which misleads
// whoever reads known_secondaries later, and the cluster the id was meant
// for still needs a token.
func idCheckOf(a activation) (check, bool) {
	id, name := a.SecondaryID, a.SecondaryName
	if !a.FromHere || id == "" || name == "" || idFor(id, name) {
		return check{}, false
	}
	return warn("secondary id", fmt.Sprintf("token made for %q, not %s", id, name),
		fmt.Sprintf("the primary will list %s as %q; esc to pick another cluster", name, id)), true
}

// idFor reports whether id names the cluster: the name itself, or the name
// made unique with a numeric suffix (as the wizard suggests: us-east-1-2).
func idFor(id, name string) bool {
	if id == name {
		return true
	}
	rest, ok := strings.CutPrefix(id, name+"-")
	if !ok || rest == "" {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// tokenChecks checks the activation token's claims against the clock.
func tokenChecks(a activation, now time.Time) ([]check, bool) {
	if strings.TrimSpace(a.Token) == "" {
		return []check{fail("activation token", "no token yet", "generate one on the primary (previous step) or paste one")}, false
	}
	if a.InfoErr != nil {
		return []check{fail("activation token", a.InfoErr.Error(),
			"paste the whole wrapping_token value printed by …/primary/secondary-token")}, false
	}
	in := a.Info
	if !in.Expires.After(now) {
		return []check{fail("activation token", "expired "+humanDuration(now.Sub(in.Expires))+" ago ("+fmtTime(in.Expires)+")",
			"generate a new token on the primary: activation tokens are single-use and short-lived")}, false
	}
	var cs []check
	if in.Type != "" && in.Type != "wrapping" {
		cs = append(cs, warn("activation token", "token type "+in.Type+", expected wrapping", "make sure this is an activation token"))
	}
	left := in.Expires.Sub(now)
	if left < 2*time.Minute {
		cs = append(cs, warn("activation token", "expires in "+humanDuration(left), "activate now or generate a new token"))
	} else {
		cs = append(cs, pass("activation token", "valid, expires in "+humanDuration(left)))
	}
	return cs, true
}

// primaryChecks checks that the primary the token points at answers, which is
// what the secondary needs to unwrap the token, and decides whether to ask
// for primary_api_addr: when the token names no address, one that is not a
// configured cluster, or one other than the address vaultrepl reaches the
// primary at (the secondary may not reach what the primary advertises).
func primaryChecks(a activation, t ops.ReplicationType) (cs []check, needAddr bool) {
	switch {
	case a.Info.Addr == "" && a.Primary == nil:
		return []check{info("primary address", "the token carries no primary API address: you will be asked for primary_api_addr")}, true
	case a.Primary == nil:
		return []check{warn("primary address", "the token names "+a.Info.Addr+", which is not a configured cluster",
			"confirm or correct primary_api_addr on the next screen")}, true
	}
	p := *a.Primary
	pc, ok := usable(p)
	if !ok {
		last := pc[len(pc)-1]
		return []check{fail("primary "+p.Name, last.Detail,
			"the secondary unwraps the token by calling the primary's API: bring "+p.Name+" back, then re-check (r)")}, false
	}
	if m := p.of(t).Mode; m != ops.ModePrimary {
		return []check{fail("primary "+p.Name, p.Name+" is no longer a "+modePhrase(t, ops.ModePrimary)+" ("+modePhrase(t, m)+")",
			"generate a token on the current primary")}, false
	}
	cs = append(cs, pass("primary "+p.Name, "answers and is a "+modePhrase(t, ops.ModePrimary)))
	switch {
	case a.Info.Addr == "":
		cs = append(cs, info("primary address", "the token carries no API address: primary_api_addr will be asked, "+p.Name+"'s address suggested"))
		return cs, true
	case a.PrimaryAddr != "" && normAddr(a.Info.Addr) != normAddr(a.PrimaryAddr):
		cs = append(cs, info("primary address", "the token names "+a.Info.Addr+"; vaultrepl reaches "+p.Name+" at "+a.PrimaryAddr+
			": confirm the address the secondary can reach on the next screen"))
		return cs, true
	}
	return cs, false
}

// shortID shortens a cluster id for display.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	if id == "" {
		return "-"
	}
	return id
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
