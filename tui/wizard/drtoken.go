package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// The DR operation token from key shares, one share at a time, as `vault
// operator generate-root -dr-token` does it: start an attempt (Vault
// returns the one-time pad, kept here in memory only), then each key
// holder enters a share, masked, and Vault's reply says the progress
// n/threshold; once complete the token is decoded locally with the pad.
// Leaving (esc, q) while an attempt is open deletes it, with the shares
// given so far. The promote step uses it before its own inputs.

// drAttempt is the generation in progress on one DR secondary. otp and
// token are secrets: never shown, forgotten once the token is spent.
type drAttempt struct {
	cluster     string
	started     bool
	nonce, otp  string
	progress    int
	required    int
	hasProgress bool
	token       string // decoded, once complete
	share       *string
}

// drTokMsg is the reply to one request of the generation.
type drTokMsg struct {
	gen    int
	stage  string // "start", "update", "status"
	g      ops.TokenGeneration
	err    error
	decode error
}

// progressText is "key shares 1/3" (or unknown when Vault did not say).
func (a drAttempt) progressText() string {
	if !a.hasProgress {
		return "progress not reported"
	}
	return fmt.Sprintf("key shares %d/%d", a.progress, a.required)
}

// startDRToken starts an attempt on cluster: a write (it opens an
// attempt), sent once on the operator's choice of key shares.
func (m Model) startDRToken(cluster string) (Model, tea.Cmd) {
	fo, ok := m.opsOf(cluster)
	if !ok {
		m.ph, m.checks = phChecks, []check{fail("client", "this cluster's client cannot generate a DR operation token", "run vaultrepl with a Vault client for it")}
		return m, nil
	}
	m.dra = drAttempt{cluster: cluster}
	m.gen++
	m.ph, m.form, m.loading = phRunning, nil, "Starting a DR operation token attempt on "+cluster
	gen, base, to := m.gen, m.writeContext(), m.writeTimeout()
	cmd := func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		g, err := fo.StartDROperationToken(ctx)
		return drTokMsg{gen: gen, stage: "start", g: g, err: err}
	}
	m, spin := m.spin()
	return m, tea.Batch(cmd, spin)
}

// shareForm asks for the next key share, masked.
func (m Model) shareForm() (Model, tea.Cmd) {
	share := ""
	m.dra.share = &share
	desc := "Hidden as it is typed. Vault answers with the progress after each share."
	if m.d.KeyShareHint != "" {
		desc += " " + m.d.KeyShareHint
	}
	f := m.newForm(huh.NewGroup(huh.NewInput().
		Title(fmt.Sprintf("Key share %d of %s (%s)", m.dra.progress+1, m.requiredText(), m.dra.progressText())).
		Description(desc).EchoMode(huh.EchoModePassword).
		Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("enter a key share, or esc to cancel the attempt")
			}
			return nil
		}).Value(&share)))
	return m.setForm(fkNext, f)
}

func (m Model) requiredText() string {
	if m.dra.hasProgress {
		return fmt.Sprint(m.dra.required)
	}
	return "?"
}

// sendShare gives the share just entered to the attempt.
func (m Model) sendShare() (Model, tea.Cmd) {
	fo, _ := m.opsOf(m.dra.cluster)
	share := ""
	if m.dra.share != nil {
		share, *m.dra.share = strings.TrimSpace(*m.dra.share), ""
	}
	m.dra.share = nil
	m.gen++
	m.ph, m.form, m.note = phRunning, nil, ""
	m.loading = "Giving the key share to " + m.dra.cluster
	gen, base, to, nonce, otp := m.gen, m.writeContext(), m.writeTimeout(), m.dra.nonce, m.dra.otp
	cmd := func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		g, err := fo.UpdateDROperationToken(ctx, nonce, share)
		msg := drTokMsg{gen: gen, stage: "update", g: g, err: err}
		if err == nil && g.Complete {
			// The decoded token replaces the encoded one in the message.
			msg.g.EncodedToken, msg.decode = ops.DecodeOperationToken(g.EncodedToken, otp)
		}
		return msg
	}
	m, spin := m.spin()
	return m, tea.Batch(cmd, spin)
}

// drStatusCmd re-reads the attempt after a failed share: Vault's progress,
// not a guess, says what to do next.
func (m Model) drStatusCmd() tea.Cmd {
	fo, _ := m.opsOf(m.dra.cluster)
	gen, base, to := m.gen, m.readContext(), m.readTimeout()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		g, err := fo.DROperationTokenStatus(ctx)
		return drTokMsg{gen: gen, stage: "status", g: g, err: err}
	}
}

func (m Model) onDRTok(msg drTokMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	switch {
	case msg.stage == "start" && msg.err != nil:
		name := m.dra.cluster
		m.dra = drAttempt{}
		m.ph = phChecks
		m.checks = []check{fail("DR operation token", "starting the attempt on "+name+" failed: "+errSummary(msg.err),
			"an attempt started elsewhere must be cancelled first (its one-time pad cannot be read again): "+
				ops.Lookup(ops.OpDRTokenCancel).Command(ops.DR, "")+"; then re-check (r)")}
		return m, nil
	case msg.stage == "start":
		m.dra.started, m.dra.nonce, m.dra.otp = true, msg.g.Nonce, msg.g.OTP
		m.dra.progress, m.dra.required, m.dra.hasProgress = msg.g.Progress, msg.g.Required, msg.g.HasProgress
		return m.shareForm()
	case msg.stage == "update" && msg.err != nil:
		m.setNote(lvFail, "The key share was not taken: "+errSummary(msg.err)+". Reading the attempt again.")
		m.ph = phRunning
		m.loading = "Reading the attempt on " + m.dra.cluster
		return m, m.drStatusCmd()
	case msg.stage == "status":
		if msg.err == nil && !msg.g.Started {
			note := m.note
			m.dra = drAttempt{}
			m.setNote(lvFail, strings.TrimSuffix(note, " Reading the attempt again.")+" Vault ended the attempt: choose again to start a new one.")
			return m.askTokenAgain()
		}
		if msg.err == nil {
			m.dra.progress, m.dra.required, m.dra.hasProgress = msg.g.Progress, msg.g.Required, msg.g.HasProgress
		}
		return m.shareForm()
	}
	// A share was taken.
	m.dra.progress, m.dra.required, m.dra.hasProgress = msg.g.Progress, msg.g.Required, msg.g.HasProgress
	if !msg.g.Complete {
		m.setNote(lvPass, "Key share taken: "+m.dra.progressText()+".")
		return m.shareForm()
	}
	if msg.decode != nil {
		m.dra = drAttempt{}
		m.ph = phChecks
		m.checks = []check{fail("DR operation token", "the token could not be decoded: "+errSummary(msg.decode), "re-check (r) and start again")}
		return m, nil
	}
	m.dra.token, m.dra.started, m.dra.otp = msg.g.EncodedToken, false, ""
	m.setNote(lvPass, "DR operation token ready: "+m.dra.progressText()+", decoded here with the one-time pad.")
	return m.showInputs()
}

// cancelDRToken deletes the open attempt (esc or closing the wizard): the
// shares given so far go with it. The delete runs detached, like every
// write; its outcome only changes the note.
func (m Model) cancelDRToken() (Model, tea.Cmd) {
	fo, ok := m.opsOf(m.dra.cluster)
	name, n := m.dra.cluster, m.dra.progress
	m.dra = drAttempt{}
	if !ok {
		return m, nil
	}
	m.setNote(lvWarn, fmt.Sprintf("Cancelled: the attempt on %s was deleted, with the %d key share(s) given.", name, n))
	base, to := m.writeContext(), m.writeTimeout()
	return m, func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		_ = fo.CancelDROperationToken(ctx)
		return nil
	}
}

// shareView is the key share screen.
func (m Model) shareView() (top, bottom []string) {
	top = []string{m.st.Form.Prompt.Render("DR operation token for " + m.dra.cluster + ": " + m.dra.progressText()), ""}
	top = append(top, m.para("Each key holder enters one unseal (or recovery) key share of the primary's seal. "+
		"vaultrepl keeps the one-time pad Vault returned and decodes the token here. esc deletes the attempt.")...)
	top = append(top, m.code(ops.Lookup(ops.OpDRTokenUpdate).Command(ops.DR, "", ops.Arg{Key: "-nonce", Value: m.dra.nonce}, ops.Arg{Key: "<key>", Value: "share"}))...)
	bottom = append([]string{""}, m.formView()...)
	return top, bottom
}

// tokenAsker is a step that offers a choice of how to get the token (the
// promotion: key shares or a batch token); the others start on key shares.
type tokenAsker interface {
	askToken(m Model) (Model, tea.Cmd)
}

// askTokenAgain follows a deleted or ended attempt: the step's choice, or
// its pre-flight again (whose passing checks start a new attempt).
func (m Model) askTokenAgain() (Model, tea.Cmd) {
	if a, ok := stepOf(m.step).(tokenAsker); ok {
		return a.askToken(m)
	}
	return m.runChecks()
}

// drTokenFirst is a step's proceed when its write needs a DR operation
// token on cluster: a token in hand for it goes straight to the inputs,
// else an attempt starts.
func (m Model) drTokenFirst(cluster string) (Model, tea.Cmd) {
	if m.dra.token != "" && m.dra.cluster == cluster {
		return m.showInputs()
	}
	return m.startDRToken(cluster)
}

// drTokenView draws the key share screens for any step that uses them.
func (m Model) drTokenView() (top, bottom []string) {
	switch {
	case m.dra.started && m.ph == phForm && m.fk == fkNext:
		return m.shareView()
	case m.ph == phRunning && m.dra.cluster != "" && m.dra.token == "":
		return []string{"", m.spinner() + " " + m.loading + " " + m.st.Glyphs.Ellipsis}, nil
	}
	return nil, nil
}
