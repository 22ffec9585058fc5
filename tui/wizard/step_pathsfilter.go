package wizard

import (
	"context"
	"errors"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// stPathsFilter sets or removes a performance secondary's paths filter on
// the performance primary (m.primary); Start.SecondaryID preselects the
// secondary.
const stPathsFilter step = 48

type pathsFilterStep struct{}

type pathsFilterInputs struct {
	id    string
	mode  string // "allow", "deny" or "none" (delete the filter)
	paths []string
}

type pathsFilterState struct{ in *pathsFilterInputs }

func init() { register(stPathsFilter, pathsFilterStep{}) }

func pfIn(m Model) *pathsFilterInputs {
	if in := state[pathsFilterState](m, stPathsFilter).in; in != nil {
		return in
	}
	return &pathsFilterInputs{}
}

func (pathsFilterStep) crumb() string         { return "paths filter" }
func (pathsFilterStep) title(Model) string    { return "setting a paths filter" }
func (pathsFilterStep) target(m Model) string { return m.primary }
func (pathsFilterStep) request(m Model) Model { return m }
func (pathsFilterStep) reviewAction(Model) string {
	return "confirm"
}

func (pathsFilterStep) op(m Model) ops.OpKind {
	if pfIn(m).mode == "none" {
		return ops.OpPathsFilterDelete
	}
	return ops.OpPathsFilterSet
}

func (pathsFilterStep) explain(Model) string {
	return "A paths filter, kept on the performance primary for one secondary, decides which mounts and " +
		"namespaces replicate to it: allow lists the only ones that do, deny the ones that do not. Data of a " +
		"mount that becomes filtered is removed from the secondary. After update-primary with a new token the " +
		"filter must be set again."
}

func (pathsFilterStep) enter(m Model) (Model, tea.Cmd) {
	m.typ = ops.Performance
	if m.primary == "" {
		return m.openSelect(fkPrimary)
	}
	m = withState(m, stPathsFilter, pathsFilterState{in: &pathsFilterInputs{id: m.secondaryID, mode: "deny"}})
	return m.runChecks()
}

func (pathsFilterStep) preflight(m Model) (Model, tea.Cmd) {
	c, _ := m.cluster(m.primary)
	m.loading = "Pre-flight checks on " + m.primary + " and its mounts"
	return m, m.factsCmd(c, opCapPaths(ops.Performance, ops.OpPathsFilterSet), true, nil)
}

func (pathsFilterStep) evaluate(m Model, msg factsMsg) Model {
	m.remember(msg.main)
	if state[pathsFilterState](m, stPathsFilter).in == nil { // the primary was chosen on a select
		m = withState(m, stPathsFilter, pathsFilterState{in: &pathsFilterInputs{id: m.secondaryID, mode: "deny"}})
	}
	f := msg.main
	cs, ok := usable(f)
	c, _ := m.cluster(m.primary)
	ts := f.of(ops.Performance)
	switch {
	case !ok:
	case c.ReadOnly:
		cs = append(cs, fail("writable", m.primary+" is read-only in the configuration", "remove read_only for this cluster"))
	case ts.Mode != ops.ModePrimary:
		cs = append(cs, fail("mode", m.primary+" is not a performance primary", "paths filters are kept on the performance primary"))
	case len(ts.KnownSecondaries) == 0:
		cs = append(cs, fail("secondaries", m.primary+" has no performance secondary", "add one first"))
	case f.MountsErr != nil:
		what, fix := errText(f.MountsErr)
		cs = append(cs, fail("mounts", m.primary+": "+what, fix))
	default:
		cs = append(cs, pass("mode", m.primary+" is the performance primary"))
		if c, ok := opCapCheck(f, ops.OpPathsFilterSet, ops.Performance); ok {
			cs = append(cs, c)
		}
	}
	if _, ok := m.opsOf(m.primary); !ok && !anyFailed(cs) {
		cs = append(cs, fail("client", "this cluster's client cannot set paths filters", "run vaultrepl with a Vault client for it"))
	}
	m.checks = cs
	return m
}

func (pathsFilterStep) inputs(m Model) *huh.Form {
	in := pfIn(m)
	f := m.survey[m.primary]
	var ids []huh.Option[string]
	for _, id := range f.of(ops.Performance).KnownSecondaries {
		ids = append(ids, huh.NewOption(id, id))
	}
	if in.id == "" && len(ids) > 0 {
		in.id = ids[0].Value
	}
	var mounts []huh.Option[string]
	for _, mt := range f.Mounts {
		if mt.Local || mt.Type == "system" || mt.Type == "identity" || mt.Type == "cubbyhole" {
			continue // local and built-in mounts never replicate anyway
		}
		mounts = append(mounts, huh.NewOption(mt.Path+" ("+mt.Type+")", mt.Path))
	}
	for _, mt := range f.Auth {
		if !mt.Local && mt.Type != "token" {
			mounts = append(mounts, huh.NewOption("auth/"+mt.Path+" ("+mt.Type+")", "auth/"+mt.Path))
		}
	}
	return m.newForm(huh.NewGroup(
		huh.NewSelect[string]().Title("Secondary").Options(ids...).Value(&in.id),
		huh.NewSelect[string]().Title("Filter").Options(
			huh.NewOption("deny: replicate everything except the chosen mounts", "deny"),
			huh.NewOption("allow: replicate only the chosen mounts", "allow"),
			huh.NewOption("none: remove the filter, replicate everything", "none")).Value(&in.mode),
		huh.NewMultiSelect[string]().Title("Mounts (space selects)").Options(mounts...).Value(&in.paths).
			Validate(func(p []string) error {
				if in.mode != "none" && len(p) == 0 {
					return errors.New("choose at least one mount, or the filter \"none\"")
				}
				return nil
			}),
	))
}

func (pathsFilterStep) review(m Model) (before, after []string) {
	in := pfIn(m)
	before = []string{m.st.Form.Prompt.Render("Review: paths filter of " + in.id + " on " + m.primary), ""}
	switch in.mode {
	case "none":
		after = m.para("Everything replicates to " + in.id + " again.")
	case "deny":
		after = m.para("The data of " + strings.Join(in.paths, ", ") + " is removed from " + in.id + " and no longer replicates to it.")
	default:
		after = m.para("Only " + strings.Join(in.paths, ", ") + " replicate to " + in.id + "; the data of every other mount is removed from it.")
	}
	return before, after
}

func (s pathsFilterStep) command(m Model) string {
	in := pfIn(m)
	o := ops.Lookup(s.op(m))
	if in.mode == "none" {
		return o.Command(ops.Performance, in.id)
	}
	return o.Command(ops.Performance, in.id, ops.Arg{Key: "mode", Value: in.mode}, ops.Arg{Key: "paths", Value: strings.Join(in.paths, ",")})
}

func (pathsFilterStep) run(m Model) func(context.Context) writeMsg {
	fo, _ := m.opsOf(m.primary)
	in := *pfIn(m)
	return func(ctx context.Context) writeMsg {
		if fo == nil {
			return writeMsg{err: errors.New("no client for the primary")}
		}
		if in.mode == "none" {
			res, err := fo.DeletePathsFilter(ctx, in.id)
			return writeMsg{res: res, err: err}
		}
		res, err := fo.SetPathsFilter(ctx, in.id, ops.PathsFilter{Mode: ops.ParseFilterMode(in.mode), Paths: in.paths})
		return writeMsg{res: res, err: err}
	}
}

// landed cannot be told from the status: a filter is not part of it. An
// unclear reply is therefore left to the operator, with the fresh checks.
func (pathsFilterStep) landed(Model, facts) bool { return false }

func (pathsFilterStep) done(m Model, _ writeMsg) (Model, tea.Cmd) { return m, nil }

func (pathsFilterStep) result(m Model) []string {
	in := pfIn(m)
	if in.mode == "none" {
		return []string{m.levelText(lvPass, in.id+" has no paths filter now.")}
	}
	return []string{m.levelText(lvPass, in.id+"'s paths filter: "+in.mode+" "+strings.Join(in.paths, ", ")+".")}
}
