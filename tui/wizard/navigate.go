package wizard

import (
	"net/url"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// enterStep starts a step from its first screen: the step model decides
// which (a cluster choice, a form, the pre-flight).
func (m Model) enterStep(s step) (Model, tea.Cmd) {
	m.step = s
	m.seen |= 1 << s
	m.note = ""
	m.gen++
	m.checks, m.already, m.err, m.diag = nil, false, nil, nil
	m.unclear, m.landed, m.rechecked = nil, nil, false
	m.rechecks = 0
	m.res = ops.WriteResult{}
	m.form, m.fk = nil, fkNone
	sm := stepOf(s)
	if sm == nil {
		return m, nil
	}
	return sm.enter(m)
}

// openSelect refreshes every cluster's status, then asks for a cluster.
func (m Model) openSelect(kind formKind) (Model, tea.Cmd) {
	m.gen++
	m.ph, m.fk = phLoading, kind
	m.loading = "Reading the clusters' replication status"
	m, spin := m.spin()
	return m, tea.Batch(m.surveyCmd(), spin)
}

func (m Model) onSurvey(msg surveyMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	m.remember(msg.facts...)
	if m.fk == fkNone { // the opening survey
		return m.enterStep(m.step)
	}
	return m.showSelect(m.fk)
}

func (m Model) showSelect(kind formKind) (Model, tea.Cmd) {
	t := typeName(m.typ)
	switch kind {
	case fkPrimary:
		title := map[step]string{
			stPrimary: "Which cluster becomes the " + t + " primary?",
			stToken:   "Which " + t + " primary issues the activation token?",
			stVerify:  "Which " + t + " primary should the check write to?",
			stWatch:   "Which cluster is the " + t + " primary of " + m.secondary + "?",
		}[m.step]
		desc := "Each cluster's current roles are shown next to its name."
		if c, ok := stepOf(m.step).(chooser); ok {
			title, desc = c.choose(m, kind)
		}
		return m.setForm(fkPrimary, m.clusterForm(title, desc, m.d.Clusters, m.defaultPrimary()))
	case fkTarget:
		var choices []Cluster
		for _, c := range m.d.Clusters {
			if c.Name != m.primary {
				choices = append(choices, c)
			}
		}
		if len(choices) == 0 {
			m.ph, m.form = phChecks, nil
			m.checks = []check{fail("clusters", "no cluster other than "+m.primary+" is configured",
				"add the secondary to the configuration (config file or --cluster name=address) and start again")}
			return m, nil
		}
		title := "Which cluster becomes the " + t + " secondary?"
		desc := "Activation purges that cluster's data; you will see what it would lose before anything is sent."
		switch m.step {
		case stToken:
			title = "Which cluster will use this token?"
			desc = "It names the token's id; the token itself can be used anywhere. Choose (none) for a cluster not listed here."
			choices = append(choices, Cluster{Name: ""})
		case stWatch:
			title = "Which " + t + " secondary do you want to watch?"
			desc = ""
		}
		if c, ok := stepOf(m.step).(chooser); ok {
			title, desc = c.choose(m, kind)
		}
		return m.setForm(fkTarget, m.targetForm(title, desc, choices))
	}
	return m, nil
}

func (m Model) targetForm(title, desc string, choices []Cluster) *huh.Form {
	return m.clusterForm(title, desc, choices, m.defaultSecondary())
}

// defaultPrimary prefers a cluster that already is a primary of the type,
// then one where the type is disabled.
func (m Model) defaultPrimary() string {
	if f := m.start.Focused; f != "" {
		// The operator pressed w on this cluster: start there, unless it
		// is a secondary of the type (it cannot be this type's primary).
		if _, ok := m.cluster(f); ok && m.survey[f].of(m.typ).Mode != ops.ModeSecondary {
			return f
		}
	}
	for _, c := range m.d.Clusters {
		if f, ok := m.survey[c.Name]; ok && f.of(m.typ).Mode == ops.ModePrimary {
			return c.Name
		}
	}
	if m.typ == ops.DR {
		// A DR primary is usually the performance primary too.
		for _, c := range m.d.Clusters {
			if f, ok := m.survey[c.Name]; ok && f.of(ops.Performance).Mode == ops.ModePrimary {
				return c.Name
			}
		}
	}
	for _, c := range m.d.Clusters {
		if f, ok := m.survey[c.Name]; ok && f.of(m.typ).Mode == ops.ModeDisabled {
			return c.Name
		}
	}
	if len(m.d.Clusters) > 0 {
		return m.d.Clusters[0].Name
	}
	return ""
}

// defaultSecondary prefers an unconfigured cluster other than the primary
// (for watch: a secondary of the type).
func (m Model) defaultSecondary() string {
	want := ops.ModeDisabled
	if m.step == stWatch {
		want = ops.ModeSecondary
	}
	for _, c := range m.d.Clusters {
		f, ok := m.survey[c.Name]
		if c.Name == m.primary || !ok || f.of(m.typ).Mode != want {
			continue
		}
		if want == ops.ModeDisabled && m.typ == ops.DR && f.of(ops.Performance).Mode != ops.ModeDisabled {
			continue
		}
		if want == ops.ModeDisabled && f.of(ops.DR).Mode == ops.ModeSecondary {
			continue
		}
		return c.Name
	}
	for _, c := range m.d.Clusters {
		if c.Name != m.primary {
			return c.Name
		}
	}
	return ""
}

// tokenInfoOf prefers what ops decoded when the token was generated here.
func tokenInfoOf(t ops.ActivationToken) (tokenInfo, error) {
	if !t.Expires.IsZero() {
		return tokenInfo{Expires: t.Expires, IssuedAt: t.IssuedAt, NotBefore: t.NotBefore, Addr: t.Addr, Type: "wrapping"}, nil
	}
	return decodeToken(t.Token)
}

// formDone acts on a completed form.
func (m Model) formDone() (Model, tea.Cmd) {
	v := m.v
	switch m.fk {
	case fkType:
		m.typ = ops.Performance
		if v.typ == "dr" {
			m.typ = ops.DR
		}
		return m.enterStep(firstStep(m.start.Flow))
	case fkPrimary:
		m.primary, m.askedPri = v.cluster, true
		if m.step == stWatch {
			return m.startWatch()
		}
		return m.runChecks()
	case fkTarget:
		return m.targetChosen(v.cluster)
	case fkPaste:
		m.tok = ops.ActivationToken{Token: strings.TrimSpace(v.paste)}
		v.paste = ""
		m.hasTok, m.tokFromHere, m.tokUsed = true, false, false
		return m.runChecks()
	case fkInputs:
		return m.inputsDone()
	case fkConfirm:
		return m.send()
	case fkLogin, fkNext:
		if fd, ok := stepOf(m.step).(formDoner); ok {
			return fd.formDone(m)
		}
	case fkSave:
		m.ph, m.form = phToken, nil
		return m, saveCmd(expandHome(v.savePath), m.tok.Token)
	case fkNone:
	}
	return m, nil
}

// targetChosen: the secondary was picked. Each step goes on its own way.
func (m Model) targetChosen(name string) (Model, tea.Cmd) {
	m.secondary, m.askedSec = name, true
	switch m.step {
	case stToken:
		return m.showTokenInputs()
	case stWatch:
		m.primary = m.primaryOf(name)
		if m.primary == "" {
			return m.showSelect(fkPrimary)
		}
		return m.startWatch()
	case stActivate:
		if !m.hasTok || m.tokUsed {
			return m.setForm(fkPaste, m.pasteForm())
		}
	}
	// Any other step: its pre-flight, on the cluster just chosen.
	return m.runChecks()
}

// back goes one screen back; from a step's first screen it offers to close.
func (m Model) back() (Model, tea.Cmd) {
	if m.dra.started && m.ph == phForm && m.fk == fkNext {
		// esc on a key share: the attempt is deleted, then the choice of
		// how to get the token again.
		m, cancel := m.cancelDRToken()
		m2, cmd := m.askTokenAgain()
		return m2, tea.Batch(cancel, cmd)
	}
	switch m.ph {
	case phRunning:
		m.setNote(lvWarn, "a write is in flight: wait for its result")
		return m, nil
	case phConfirm:
		m.form = nil
		m.ph = phReview
		m.setNote(lvWarn, "Cancelled: nothing was sent to "+m.confirmTarget()+".")
		return m, nil
	case phReview:
		if ws, ok := m.writer(); ok {
			if f := ws.inputs(m); f != nil {
				return m.setForm(fkInputs, f)
			}
		}
	case phResult:
		if m.err != nil {
			if m.retryBlocked() {
				m.err, m.rechecked = nil, false
				m.ph = phChecks
				return m, nil
			}
			m.ph, m.err = phReview, nil
			return m, nil
		}
	case phForm:
		return m.backFromForm()
	case phChecks, phLoading:
		m.gen++ // drop reads still in flight
		if m.askedPri && m.choosesPrimary() {
			m.primary = ""
			return m.openSelect(fkPrimary)
		}
		if m.askedSec && m.choosesSecondary() {
			m.secondary = ""
			return m.openSelect(fkTarget)
		}
		if m.step == stLogin {
			return m.enterStep(m.afterLogin)
		}
	case phInfo:
		return m.enterStep(m.afterLogin)
	case phToken, phWatching, phPolling, phCleanup, phDone:
	}
	return m.askClose()
}

func (m Model) backFromForm() (Model, tea.Cmd) {
	switch m.fk {
	case fkInputs:
		if m.step == stToken && m.askedSec {
			return m.showSelect(fkTarget)
		}
		if m.askedPri && (m.choosesPrimary() && m.step != stVerify) {
			m.primary = ""
			return m.openSelect(fkPrimary)
		}
		if m.askedSec && m.choosesSecondary() {
			m.secondary = ""
			return m.openSelect(fkTarget)
		}
	case fkPaste:
		if m.askedSec {
			m.secondary = ""
			return m.openSelect(fkTarget)
		}
	case fkTarget:
		if m.step == stToken {
			m.form = nil
			m.ph = phChecks
			return m, nil
		}
	case fkSave:
		m.ph, m.form = phToken, nil
		return m, nil
	case fkLogin:
		// Skipping the login is allowed: status needs no token.
		return m.skipLogin()
	case fkType, fkPrimary, fkNext, fkConfirm, fkNone:
	}
	return m.askClose()
}

func (m Model) confirmTarget() string {
	if ws, ok := m.writer(); ok {
		return ws.target(m)
	}
	return m.primary
}

func (m Model) onCopied(msg copiedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.setNote(lvWarn, "Could not copy: "+msg.err.Error()+". Save it to a file (s) instead.")
	} else {
		m.setNote(lvPass, "Activation token "+msg.did+".")
	}
	return m, nil
}

func (m Model) onSaved(msg savedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.setNote(lvFail, "Not saved: "+msg.err.Error())
	} else {
		m.setNote(lvPass, "Saved to "+msg.path+" (mode 0600). Delete it once the secondary is activated.")
	}
	return m, nil
}

func (m Model) onPollDue(msg pollDueMsg) (Model, tea.Cmd) {
	if msg.watch {
		if msg.gen != m.watchGen || !m.watching() {
			return m, nil
		}
		sec, _ := m.cluster(m.watch.Secondary)
		pri, _ := m.cluster(m.watch.Primary)
		return m, m.watchCmd(sec, pri)
	}
	if msg.gen != m.gen || m.ph != phPolling {
		return m, nil
	}
	return m, m.probeCmd(m.ver.Type, m.ver.Path, m.pendingClusters())
}

// normAddr makes addresses comparable: scheme and host lower-cased, no
// trailing slash, default ports made explicit.
func normAddr(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return strings.TrimRight(strings.ToLower(s), "/")
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + host + ":" + port + strings.TrimRight(u.Path, "/")
}

// choosesPrimary: the current step acts on the primary it asked for, so
// back from its first screens asks again.
func (m Model) choosesPrimary() bool {
	if ws, ok := m.writer(); ok {
		return m.primary != "" && ws.target(m) == m.primary
	}
	return m.step == stVerify
}

// choosesSecondary: the current step acts on the secondary it asked for.
func (m Model) choosesSecondary() bool {
	ws, ok := m.writer()
	return ok && m.secondary != "" && ws.target(m) == m.secondary
}
