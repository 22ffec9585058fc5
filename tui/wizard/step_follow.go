package wizard

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// followStep points one performance secondary at the new performance
// primary (m.primary) with update-primary and a new activation token from
// it; the watch step then follows it to stream-wals, and the flow comes
// back here for the next one until none is left. Each is confirmed by its
// typed name: update-primary changes what the cluster replicates from.
type followStep struct{}

type followState struct {
	done []string // followers already updated in this run
	cur  string   // the follower this pass acts on
	plan followPlan
}

func init() { register(stFollow, followStep{}) }

func followStateOf(m Model) followState { return state[followState](m, stFollow) }

func (followStep) crumb() string { return "follow" }
func (followStep) title(Model) string {
	return "pointing the performance secondaries at the new primary"
}
func (followStep) op(Model) ops.OpKind             { return ops.OpUpdatePrimary }
func (followStep) target(m Model) string           { return followStateOf(m).cur }
func (followStep) inputs(Model) *huh.Form          { return nil }
func (followStep) request(m Model) Model           { return m }
func (followStep) needsConfirm(Model) bool         { return true }
func (followStep) reviewAction(Model) string       { return "confirm" }
func (followStep) confirmContext(m Model) []string { return m.code(followStep{}.command(m)) }
func (followStep) confirmPrompt(m Model) string {
	return "Type " + followStateOf(m).cur + " to point it at " + m.primary
}
func (followStep) verbText(m Model) string {
	return "point " + followStateOf(m).cur + " at " + m.primary
}

func (followStep) explain(Model) string {
	return "After a failover the performance secondaries still follow the old primary. update-primary " +
		"points each at the new one without a wipe, with a new activation token issued by the new primary " +
		"(secondary ids are unique on a primary, so an id it inherited is revoked first). Each then resyncs " +
		"(merkle-diff, merkle-sync) and streams WALs again. Paths filters must be set again afterwards."
}

// remaining lists the followers not yet handled in this run.
func (m Model) remainingFollowers() []string {
	st := followStateOf(m)
	return slices.DeleteFunc(m.followers(m.primary), func(n string) bool { return slices.Contains(st.done, n) })
}

func (followStep) enter(m Model) (Model, tea.Cmd) {
	m.typ = ops.Performance
	st := followStateOf(m)
	st.cur = ""
	m = withState(m, stFollow, st)
	return m.runChecks()
}

func (followStep) preflight(m Model) (Model, tea.Cmd) {
	np, _ := m.cluster(m.primary)
	m.loading = "Reading " + m.primary + " and its performance secondaries"
	caps := opCapPaths(ops.Performance, ops.OpSecondaryToken, ops.OpRevokeSecondary)
	return m, m.factsCmd(np, caps, false, m.othersThan(m.primary))
}

func (followStep) evaluate(m Model, msg factsMsg) Model {
	m.remember(msg.main)
	m.remember(msg.others...)
	f := msg.main
	cs, ok := usable(f)
	st := followStateOf(m)
	if !ok {
		m.checks = cs
		return m
	}
	if f.of(ops.Performance).Mode != ops.ModePrimary {
		m.checks = append(cs, transient(fail("mode", m.primary+" is not (yet) a performance primary", "re-checking while its role settles")))
		return m
	}
	cs = append(cs, pass("mode", m.primary+" is the performance primary"))
	if f.CapsErr != nil {
		what, _ := errText(f.CapsErr)
		c := fail("serving", m.primary+": "+what, "re-checking: Vault is briefly unavailable after a role change")
		if transientErr(f.CapsErr) {
			c = transient(c)
		}
		m.checks = append(cs, c)
		return m
	}
	if c, ok := opCapCheck(f, ops.OpSecondaryToken, ops.Performance); ok {
		cs = append(cs, c)
	}
	rest := m.remainingFollowers()
	if len(rest) == 0 {
		m.checks = append(cs, pass("followers", "every performance secondary of the set streams from "+m.primary))
		m.already = true
		return withState(m, stFollow, st)
	}
	st.cur = rest[0]
	st.plan = m.planFollow(st.cur, m.primary)
	cs = append(cs, info("next", st.cur+" follows the old primary; "+strconv.Itoa(len(rest))+" to go"))
	fc, _ := m.cluster(st.cur)
	var ff facts
	for _, o := range msg.others {
		if o.Name == st.cur {
			ff = o
		}
	}
	if fcs, ok := usable(ff); !ok {
		cs = append(cs, fcs...)
	}
	if fc.ReadOnly {
		cs = append(cs, fail("writable", st.cur+" is read-only in the configuration", "remove read_only for this cluster"))
	}
	if _, ok := m.opsOf(st.cur); !ok {
		cs = append(cs, fail("client", "this cluster's client cannot update its primary", "run vaultrepl with a Vault client for it"))
	}
	m.checks = cs
	return withState(m, stFollow, st)
}

func (followStep) review(m Model) (before, after []string) {
	st := followStateOf(m)
	before = []string{m.st.Form.Prompt.Render("Review: point " + st.cur + " at " + m.primary), ""}
	if st.plan.revokeFirst {
		before = append(before, m.para(m.primary+" inherited the registration of id "+st.plan.id+
			" from the old primary: it is revoked first, then a new token is issued under the same id.")...)
	}
	after = m.para(st.cur + " keeps its data; it resyncs with " + m.primary + " and is briefly unavailable.")
	if st.plan.byAddrs {
		after = append(after, m.para("By hand, update_primary_addrs=<"+m.primary+"'s cluster address> would also do: "+
			st.cur+" still holds credentials for this replication set.")...)
	}
	return before, after
}

func (followStep) command(m Model) string {
	st := followStateOf(m)
	var cmds []string
	if st.plan.revokeFirst {
		cmds = append(cmds, "# on "+m.primary, ops.Lookup(ops.OpRevokeSecondary).Command(ops.Performance, "", ops.Arg{Key: "id", Value: st.plan.id}))
	} else {
		cmds = append(cmds, "# on "+m.primary)
	}
	cmds = append(cmds, ops.Lookup(ops.OpSecondaryToken).Command(ops.Performance, "", ops.Arg{Key: "id", Value: st.plan.id}),
		"# on "+st.cur, ops.Lookup(ops.OpUpdatePrimary).Command(ops.Performance, "", ops.Arg{Key: "token", Value: "token"}))
	return strings.Join(cmds, "\n")
}

func (followStep) run(m Model) func(context.Context) writeMsg {
	st := followStateOf(m)
	np, _ := m.opsOf(m.primary)
	sec, _ := m.opsOf(st.cur)
	plan := st.plan
	return func(ctx context.Context) writeMsg {
		if np == nil || sec == nil {
			return writeMsg{err: errors.New("no client for the new primary or the secondary")}
		}
		if plan.revokeFirst {
			if _, err := np.RevokeSecondary(ctx, ops.Performance, plan.id); err != nil {
				return writeMsg{err: err}
			}
		}
		tok, err := np.SecondaryToken(ctx, ops.Performance, ops.SecondaryTokenRequest{ID: plan.id})
		if err != nil {
			return writeMsg{err: err}
		}
		res, err := sec.UpdatePrimary(ctx, ops.Performance, ops.UpdatePrimaryRequest{Token: tok.Token})
		return writeMsg{res: res, err: err}
	}
}

// landed: the follower now names the new primary.
func (followStep) landed(m Model, f facts) bool {
	c, _ := m.cluster(m.primary)
	for _, o := range m.others {
		if o.Name == followStateOf(m).cur {
			ts := o.of(ops.Performance)
			return len(ts.Primaries) > 0 && normAddr(ts.Primaries[0].APIAddress) == normAddr(c.Address)
		}
	}
	return false
}

func (followStep) done(m Model, _ writeMsg) (Model, tea.Cmd) {
	st := followStateOf(m)
	st.done = append(slices.Clone(st.done), st.cur)
	m.secondary, m.secondaryID = st.cur, st.plan.id
	m.markChanged(m.primary)
	return withState(m, stFollow, st), nil
}

func (followStep) result(m Model) []string {
	st := followStateOf(m)
	return []string{m.levelText(lvPass, st.cur+" now follows "+m.primary+"."),
		"  Next: watch it until it streams WALs."}
}

// afterWatch is where the failover flows go after watching a follower:
// back here while followers remain.
func (m Model) afterWatchFollow() (step, bool) {
	if m.step == stWatch && len(followStateOf(m).done) > 0 && len(m.remainingFollowers()) > 0 {
		return stFollow, true
	}
	return 0, false
}
