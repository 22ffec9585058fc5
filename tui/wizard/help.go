package wizard

import "github.com/charmbracelet/bubbles/key"

// bind returns a copy of b with another description, so the help line says
// what the key does on this screen ("enter generate", "esc cancel").
func bind(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// ShortHelp is the keys of the current screen, for a help line.
func (m Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.closed {
		return nil
	}
	if m.closing {
		if m.abandonsToken() {
			return []key.Binding{bind(k.Yes, "leave"), bind(k.No, "stay"), bind(k.Retry, "revoke the token")}
		}
		return []key.Binding{bind(k.Yes, "leave"), bind(k.No, "stay")}
	}
	if m.formActive() {
		out := []key.Binding{bind(k.Next, "next"), bind(k.Back, m.backLabel())}
		for _, b := range m.form.KeyBinds() {
			if b.Enabled() && b.Help().Key != "enter" {
				out = append(out, b)
			}
		}
		if !m.InputFocused() {
			out = append(out, k.Close, k.Explain, k.Help)
		}
		return out
	}
	var out []key.Binding
	switch m.ph {
	case phChecks:
		if m.already {
			out = append(out, bind(k.Next, "continue"))
		}
		if m.invalidTokenCluster() != "" && m.d.Login != nil {
			out = append(out, bind(k.Login, "log in to "+m.invalidTokenCluster()))
		}
		out = append(out, k.Retry)
	case phReview:
		out = append(out, bind(k.Next, m.reviewAction()))
	case phResult:
		if m.err != nil && m.retryBlocked() {
			out = append(out, bind(k.Retry, "re-check"))
		} else if m.err != nil {
			out = append(out, bind(k.Retry, "review and retry"))
		} else {
			out = append(out, bind(k.Next, "continue"))
		}
	case phToken:
		reveal := "reveal token"
		if m.revealed {
			reveal = "hide token"
		}
		out = append(out, bind(k.Next, "activate with it"), bind(k.Reveal, reveal), k.Copy, k.Save)
	case phWatching:
		if m.watch.Done {
			out = append(out, bind(k.Next, "continue"))
		}
	case phInfo, phDone:
		out = append(out, bind(k.Next, "continue"))
	case phCleanup:
		out = append(out, bind(k.Yes, "remove canary"), bind(k.No, "keep it"))
	case phLoading, phForm, phConfirm, phRunning, phPolling:
	}
	if m.ph != phRunning {
		out = append(out, bind(k.Back, m.backLabel()))
	}
	return append(out, k.Close, k.Explain, k.Help)
}

// FullHelp groups every key that applies now, for a host's full help view.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.ShortHelp()}
}

// allBindings is every binding the wizard has, for its own ? screen.
func (m Model) allBindings() []key.Binding {
	k := m.keys
	return []key.Binding{
		bind(k.Next, "continue; on a review screen: execute"),
		bind(k.Back, "back one screen (cancels a confirmation; at the start: close)"),
		bind(k.Close, "close the wizard (asks first if work would be lost)"),
		bind(k.Retry, "re-check / review a failed write and retry it"),
		bind(k.Reveal, "show or hide the activation token"),
		bind(k.Copy, "copy the activation token to the clipboard (OSC 52)"),
		bind(k.Save, "save the activation token to a file (mode 0600)"),
		bind(k.Login, "log in to a cluster whose token is gone"),
		bind(k.Explain, "training mode: explain each step"),
		bind(k.Help, "this help"),
	}
}

func (m Model) backLabel() string {
	switch {
	case m.ph == phConfirm:
		return "cancel"
	case m.dra.started && m.ph == phForm && m.fk == fkNext:
		return "delete the attempt"
	case m.fk == fkLogin && m.ph == phForm:
		return "skip"
	case m.backCloses():
		return "close"
	}
	return "back"
}

// backCloses mirrors back: true when esc would leave the wizard rather than
// go to an earlier screen.
func (m Model) backCloses() bool {
	switch m.ph {
	case phRunning, phConfirm, phInfo:
		return false
	case phReview:
		return m.step == stVerify
	case phResult:
		return m.err == nil
	case phForm:
		switch m.fk {
		case fkInputs:
			return !(m.step == stToken && m.askedSec) &&
				!(m.askedPri && (m.choosesPrimary() && m.step != stVerify)) &&
				!(m.askedSec && m.choosesSecondary())
		case fkPaste:
			return !m.askedSec
		case fkTarget:
			return m.step != stToken
		case fkSave, fkLogin:
			return false
		case fkType, fkPrimary, fkNext, fkConfirm, fkNone:
		}
		return true
	case phChecks, phLoading:
		return !(m.askedPri && m.choosesPrimary()) &&
			!(m.askedSec && m.choosesSecondary()) && m.step != stLogin
	case phToken, phWatching, phPolling, phCleanup, phDone:
	}
	return true
}
