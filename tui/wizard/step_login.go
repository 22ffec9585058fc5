package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// loginStep logs in again on a new performance secondary: its old token went
// with the purge. Skipping it is allowed (status needs no token); the
// progress line then says "skipped", not done.
type loginStep struct{}

func init() { register(stLogin, loginStep{}) }

func (loginStep) crumb() string      { return "log in" }
func (loginStep) title(Model) string { return "logging in to the secondary" }

func (loginStep) enter(m Model) (Model, tea.Cmd) {
	m.skipped &^= 1 << stLogin
	if m.d.Login == nil {
		m.ph = phInfo
		return m, nil
	}
	m.loginErr = nil
	return m.setForm(fkLogin, m.loginForm(m.loginFor))
}

func (loginStep) formDone(m Model) (Model, tea.Cmd) {
	m.gen++
	m.ph, m.loading, m.form = phLoading, "Logging in to "+m.loginFor, nil
	user, pass := strings.TrimSpace(m.v.user), m.v.pass
	m.v.pass = ""
	m, spin := m.spin()
	return m, tea.Batch(m.loginCmd(m.loginFor, user, pass), spin)
}

// skip leaves the log-in undone, and says so.
func (m Model) skipLogin() (Model, tea.Cmd) {
	m.skipped |= 1 << stLogin
	name := m.loginFor
	next, cmd := m.enterStep(m.afterLogin)
	next.setNote(lvInfo, "Not logged in to "+name+" (skipped): its status still shows, but reads that need a token will fail there.")
	return next, cmd
}

func (loginStep) key(m Model, k tea.KeyMsg) (Model, tea.Cmd) {
	if m.ph == phInfo && key.Matches(k, m.keys.Next) {
		return m.enterStep(m.afterLogin)
	}
	return m, nil
}

func (loginStep) view(m Model, _ int) (top, bottom []string) {
	if m.ph == phInfo {
		return m.infoView(), nil
	}
	return nil, nil
}

func (loginStep) explain(Model) string {
	return "Tokens are local to each performance cluster: the secondary's old tokens went with the " +
		"purge, and the primary's tokens are not valid here. The auth methods were replicated, so " +
		"the same username and password work on the secondary and give a token issued by it. " +
		"Writes made with that token are forwarded to the primary."
}

func (m Model) infoView() []string {
	// stLogin without a Login function: explain what to do by hand.
	out := []string{m.st.Form.Prompt.Render("Log in to " + m.loginFor), ""}
	out = append(out, m.para("Tokens are local to each performance cluster: "+m.loginFor+"'s old token went with the purge. Log in through an auth method replicated from the primary, for example:")...)
	out = append(out, "  "+m.st.Muted.Render("export VAULT_ADDR="+m.addrOf(m.loginFor)))
	out = append(out, m.code(cmdLogin(orDefault(m.d.Username, "<username>")))...)
	out = append(out, "")
	out = append(out, m.para("then give vaultrepl the new token (config file or --cluster) and restart it.")...)
	return append(out, "", m.st.Form.Prompt.Render("enter: continue"))
}

func (m Model) loginContext() []string {
	out := []string{m.st.Form.Prompt.Render("Log in to " + m.loginFor)}
	out = append(out, m.para("Its previous token is gone (tokens are local; "+m.loginFor+" was purged). The auth methods came from the primary, so the same credentials work here and give a token issued by "+m.loginFor+". esc skips this.")...)
	if m.d.LoginHint != "" {
		out = append(out, m.para(m.levelText(lvInfo, m.d.LoginHint))...)
	}
	if m.loginErr != nil {
		what, fix := errText(m.loginErr)
		out = append(out, m.para(m.levelText(lvFail, "Login failed: "+what))...)
		if fix != "" {
			out = append(out, m.para(m.st.Pane.Hint.Render("what to do: "+fix))...)
		}
	}
	return out
}

func (m Model) onLogin(msg loginMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	if msg.err != nil || msg.op == nil {
		m.loginErr = msg.err
		if m.loginErr == nil {
			m.loginErr = fmt.Errorf("login to %s returned no client", msg.cluster)
		}
		return m.setForm(fkLogin, m.loginForm(m.loginFor))
	}
	for i := range m.d.Clusters {
		if m.d.Clusters[i].Name == msg.cluster {
			m.d.Clusters[i].Op = msg.op
		}
	}
	m.loginErr = nil
	changed := ClientChangedMsg{Cluster: msg.cluster, Op: msg.op}
	next, cmd := m.enterStep(m.afterLogin)
	next.setNote(lvPass, "Logged in to "+msg.cluster+" as "+strings.TrimSpace(m.v.user)+"; the dashboard now uses this token there.")
	return next, tea.Batch(func() tea.Msg { return changed }, cmd)
}
