package wizard

import (
	"context"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// primaryStep enables replication on the primary (…/primary/enable).
type primaryStep struct{}

// primaryState is what the step remembers: its request.
type primaryState struct {
	req ops.EnablePrimaryRequest
}

func init() { register(stPrimary, primaryStep{}) }

func (primaryStep) crumb() string         { return "primary" }
func (primaryStep) title(Model) string    { return "enabling the primary" }
func (primaryStep) op(Model) ops.OpKind   { return ops.OpEnablePrimary }
func (primaryStep) target(m Model) string { return m.primary }
func (primaryStep) enter(m Model) (Model, tea.Cmd) {
	if m.primary == "" {
		return m.openSelect(fkPrimary)
	}
	return m.runChecks()
}

func (primaryStep) preflight(m Model) (Model, tea.Cmd) {
	c, _ := m.cluster(m.primary)
	m.loading = "Pre-flight checks on " + m.primary
	return m, m.factsCmd(c, opCapPaths(m.typ, ops.OpEnablePrimary), false, nil)
}

func (primaryStep) evaluate(m Model, msg factsMsg) Model {
	c, _ := m.cluster(m.primary)
	m.checks, m.already = checkEnablePrimary(msg.main, m.typ, c)
	return m
}

func (primaryStep) inputs(m Model) *huh.Form { return m.primaryInputs() }

func (primaryStep) request(m Model) Model {
	return withState(m, stPrimary, primaryState{req: ops.EnablePrimaryRequest{PrimaryClusterAddr: strings.TrimSpace(m.v.addr)}})
}

func (primaryStep) review(m Model) (before, after []string) {
	before = []string{m.st.Form.Prompt.Render("Review: enable " + typeName(m.typ) + " replication on " + m.primary), ""}
	after = m.para("Vault creates the replication set and is unavailable for a brief period while it does.")
	if c, _ := m.cluster(m.primary); c.Protected {
		after = append(after, m.levelText(lvWarn, m.primary+" is PROTECTED: you will type its name to confirm."))
	}
	return before, after
}

func (primaryStep) command(m Model) string {
	return cmdEnablePrimary(m.typ, state[primaryState](m, stPrimary).req.PrimaryClusterAddr)
}

func (primaryStep) reviewAction(m Model) string {
	if c, _ := m.cluster(m.primary); c.Protected {
		return "confirm"
	}
	return "enable"
}

func (primaryStep) confirmContext(m Model) []string {
	c, _ := m.cluster(m.primary)
	return append([]string{m.levelText(lvWarn, c.Name+" is a PROTECTED cluster."), ""}, m.code(primaryStep{}.command(m))...)
}

func (primaryStep) confirmPrompt(m Model) string {
	return m.primary + " is PROTECTED: type " + m.primary + " to enable it as a " + typeName(m.typ) + " primary"
}

func (primaryStep) run(m Model) func(context.Context) writeMsg {
	c, _ := m.cluster(m.primary)
	t, r := m.typ, state[primaryState](m, stPrimary).req
	return func(ctx context.Context) writeMsg {
		res, err := c.Op.EnablePrimary(ctx, t, r)
		return writeMsg{res: res, err: err}
	}
}

func (primaryStep) running(m Model) string {
	return "Enabling " + typeName(m.typ) + " replication on " + m.primary
}

// landed: the cluster was not a primary of the type before (the pre-flight
// skips the step when it is), so being one now is the write's effect.
func (primaryStep) landed(m Model, f facts) bool {
	switch f.of(m.typ).Mode {
	case ops.ModePrimary, ops.ModeBootstrapping:
		return f.repl() != nil
	}
	return false
}

func (primaryStep) done(m Model, _ writeMsg) (Model, tea.Cmd) { return m, nil }

func (primaryStep) result(m Model) []string {
	return []string{m.levelText(lvPass, m.primary+" is now a "+typeName(m.typ)+" primary.")}
}

func (primaryStep) explain(m Model) string {
	s := "Step 1 of the seed's setup: enable replication on the primary. Vault creates the replication " +
		"set (its cluster_id) and starts keeping the merkle index and write-ahead logs that " +
		"secondaries stream. It is unavailable for a moment while it does this."
	if m.typ == ops.DR {
		s += " A cluster can be a performance primary and a DR primary at once: the usual layout."
	}
	return s
}

func (primaryStep) heading(m Model) []string {
	return []string{m.st.Form.Prompt.Render("Enable " + typeName(m.typ) + " replication on " + m.primary + " as the primary")}
}
