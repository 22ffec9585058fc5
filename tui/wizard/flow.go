package wizard

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/vaultrepl/vaultrepl/ops"
)

// enterStep starts a step from its first screen.
func (m Model) enterStep(s step) (Model, tea.Cmd) {
	m.step = s
	m.seen |= 1 << s
	m.note = ""
	m.gen++
	m.checks, m.already, m.err, m.diag = nil, false, nil, nil
	m.rechecks = 0
	m.res = ops.WriteResult{}
	m.form, m.fk = nil, fkNone
	switch s {
	case stType:
		return m.setForm(fkType, m.typeForm())
	case stPrimary, stToken, stVerify:
		if m.primary == "" {
			return m.openSelect(fkPrimary)
		}
		return m.runChecks()
	case stActivate:
		if m.secondary == "" {
			return m.openSelect(fkTarget)
		}
		if !m.hasTok || m.tokUsed {
			return m.setForm(fkPaste, m.pasteForm())
		}
		return m.runChecks()
	case stWatch:
		if m.secondary == "" {
			return m.openSelect(fkTarget)
		}
		if m.primary == "" {
			m.primary = m.primaryOf(m.secondary)
		}
		if m.primary == "" {
			return m.openSelect(fkPrimary)
		}
		return m.startWatch()
	case stLogin:
		if m.d.Login == nil {
			m.ph = phInfo
			return m, nil
		}
		m.loginErr = nil
		return m.setForm(fkLogin, m.loginForm(m.loginFor))
	case stNext:
		return m.setForm(fkNext, m.nextForm(m.nextChoices()))
	}
	return m, nil
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

// remember keeps the latest status of each cluster for the choices.
func (m *Model) remember(fs ...facts) {
	for _, f := range fs {
		if f.Name != "" {
			m.survey[f.Name] = f
		}
	}
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

// primaryOf finds the configured primary of a secondary: the cluster that is
// a primary of the same replication set (cluster_id).
func (m Model) primaryOf(secondary string) string {
	f, ok := m.survey[secondary]
	if !ok {
		return ""
	}
	id := f.of(m.typ).ClusterID
	for name, p := range m.survey {
		if name != secondary && id != "" && p.of(m.typ).Mode == ops.ModePrimary && p.of(m.typ).ClusterID == id {
			return name
		}
	}
	return ""
}

// runChecks starts the current step's pre-flight reads.
func (m Model) runChecks() (Model, tea.Cmd) {
	m.gen++
	m.ph = phLoading
	m.checks = nil
	var cmd tea.Cmd
	switch m.step {
	case stPrimary:
		c, _ := m.cluster(m.primary)
		m.loading = "Pre-flight checks on " + m.primary
		cmd = m.factsCmd(c, opCapPaths(m.typ, ops.OpEnablePrimary), false, nil)
	case stToken:
		c, _ := m.cluster(m.primary)
		m.loading = "Pre-flight checks on " + m.primary
		cmd = m.factsCmd(c, opCapPaths(m.typ, ops.OpSecondaryToken), false, m.othersThan(m.primary))
	case stActivate:
		c, _ := m.cluster(m.secondary)
		m.loading = "Pre-flight checks on " + m.secondary + " and the token's primary"
		m.tokInfo, m.tokErr = tokenInfoOf(m.tok)
		m.actPrimary = m.clusterByAddr(m.tokInfo.Addr)
		if m.actPrimary == "" && m.tokFromHere {
			m.actPrimary = m.primary
		}
		var others []Cluster
		if p, ok := m.cluster(m.actPrimary); ok {
			others = append(others, p)
		}
		cmd = m.factsCmd(c, opCapPaths(m.typ, ops.OpEnableSecondary), true, others)
	case stVerify:
		c, _ := m.cluster(m.primary)
		if m.ver.Path == "" || m.ver.Written {
			m.ver = verifyState{Type: m.typ, Primary: m.primary, Path: newCanaryPath()}
		}
		m.loading = "Pre-flight checks on " + m.primary + " and its secondaries"
		cmd = m.verifyFactsCmd(c, m.typ, m.ver.Path, m.othersThan(m.primary))
	default:
		return m, nil
	}
	m, spin := m.spin()
	return m, tea.Batch(cmd, spin)
}

func (m Model) othersThan(name string) []Cluster {
	var out []Cluster
	for _, c := range m.d.Clusters {
		if c.Name != name {
			out = append(out, c)
		}
	}
	return out
}

// tokenInfoOf prefers what ops decoded when the token was generated here.
func tokenInfoOf(t ops.ActivationToken) (tokenInfo, error) {
	if !t.Expires.IsZero() {
		return tokenInfo{Expires: t.Expires, IssuedAt: t.IssuedAt, NotBefore: t.NotBefore, Addr: t.Addr, Type: "wrapping"}, nil
	}
	return decodeToken(t.Token)
}

func (m Model) onFacts(msg factsMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	m, cmd := m.evaluate(msg)
	// Blockers that clear by themselves are re-read, a bounded number of
	// times: reads are retried automatically, writes never are.
	if m.autoRecheck() {
		m.rechecks++
		return m, tea.Batch(cmd, m.recheckAfter(m.d.Interval))
	}
	return m, cmd
}

const maxRechecks = 30

// evaluate turns a step's pre-flight reads into checks and the next screen.
func (m Model) evaluate(msg factsMsg) (Model, tea.Cmd) {
	m.main, m.others = msg.main, msg.others
	m.remember(msg.main)
	m.remember(msg.others...)
	switch m.step {
	case stPrimary:
		c, _ := m.cluster(m.primary)
		m.checks, m.already = checkEnablePrimary(msg.main, m.typ, c)
		if anyFailed(m.checks) || m.already {
			m.ph = phChecks
			return m, nil
		}
		return m.setForm(fkInputs, m.primaryInputs())
	case stToken:
		m.checks = checkSecondaryToken(msg.main, m.typ)
		if anyFailed(m.checks) {
			m.ph = phChecks
			return m, nil
		}
		if m.secondary == "" && !m.askedSec {
			return m.showSelect(fkTarget)
		}
		return m.showTokenInputs()
	case stActivate:
		return m.activateFacts(msg)
	case stVerify:
		return m.verifyFacts(msg)
	}
	return m, nil
}

func (m Model) showTokenInputs() (Model, tea.Cmd) {
	known := m.main.of(m.typ).KnownSecondaries
	if m.v.id == "" || validateSecondaryID(m.v.id, known) != nil {
		m.v.id = suggestID(m.secondary, known)
	}
	return m.setForm(fkInputs, m.tokenInputs(known))
}

// suggestID proposes the secondary's cluster name as its id, made unique.
func suggestID(name string, known []string) string {
	if name == "" {
		return ""
	}
	id := name
	for i := 2; validateSecondaryID(id, known) != nil; i++ {
		id = fmt.Sprintf("%s-%d", name, i)
	}
	return id
}

func (m Model) activateFacts(msg factsMsg) (Model, tea.Cmd) {
	c, _ := m.cluster(m.secondary)
	a := activation{Token: m.tok.Token, Info: m.tokInfo, InfoErr: m.tokErr, FromHere: m.tokFromHere, PrimaryRef: m.actPrimary}
	if p, ok := m.cluster(m.actPrimary); ok {
		a.PrimaryAddr = p.Address
	}
	for i := range msg.others {
		if msg.others[i].Name == m.actPrimary {
			a.Primary = &msg.others[i]
		}
	}
	m.checks, m.needAddr = checkActivate(msg.main, m.typ, c, a, m.d.Now())
	if anyFailed(m.checks) {
		m.ph = phChecks
		return m, nil
	}
	if m.needAddr && m.v.addr == "" {
		// What the primary advertises first; else where vaultrepl reaches it.
		m.v.addr = orDefault(m.tokInfo.Addr, a.PrimaryAddr)
	}
	return m.setForm(fkInputs, m.activateInputs(m.needAddr))
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
	case fkLogin:
		m.gen++
		m.ph, m.loading, m.form = phLoading, "Logging in to "+m.loginFor, nil
		user, pass := strings.TrimSpace(v.user), v.pass
		v.pass = ""
		m, spin := m.spin()
		return m, tea.Batch(m.loginCmd(m.loginFor, user, pass), spin)
	case fkNext:
		return m.nextChosen(v.next)
	case fkSave:
		m.ph, m.form = phToken, nil
		return m, saveCmd(expandHome(v.savePath), m.tok.Token)
	case fkNone:
	}
	return m, nil
}

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
	}
	if !m.hasTok || m.tokUsed {
		return m.setForm(fkPaste, m.pasteForm())
	}
	return m.runChecks()
}

func (m Model) inputsDone() (Model, tea.Cmd) {
	v := m.v
	m.form = nil
	switch m.step {
	case stPrimary:
		m.epReq = ops.EnablePrimaryRequest{PrimaryClusterAddr: strings.TrimSpace(v.addr)}
	case stToken:
		ttl := defaultTTL
		if s := strings.TrimSpace(v.ttl); s != "" {
			ttl, _ = time.ParseDuration(s) // validated by the form
		}
		m.stReq = ops.SecondaryTokenRequest{ID: strings.TrimSpace(v.id), TTL: ttl}
	case stActivate:
		r := ops.EnableSecondaryRequest{Token: m.tok.Token}
		if m.needAddr {
			r.PrimaryAPIAddr = strings.TrimSpace(v.addr)
		}
		if v.tls == "yes" {
			r.CAFile, r.CAPath = strings.TrimSpace(v.caFile), strings.TrimSpace(v.caPath)
			r.ClientCertFile, r.ClientKeyFile = strings.TrimSpace(v.certFile), strings.TrimSpace(v.keyFile)
		}
		m.esReq = r
	}
	m.ph = phReview
	return m, nil
}

// execute follows the review: writes that change a cluster's role on a
// protected cluster, and every activation, first need the typed name.
func (m Model) execute() (Model, tea.Cmd) {
	switch m.step {
	case stPrimary:
		if c, _ := m.cluster(m.primary); c.Protected {
			return m.setForm(fkConfirm, m.confirmForm(c.Name, c.Name+" is PROTECTED: type "+c.Name+" to enable it as a "+typeName(m.typ)+" primary"))
		}
	case stActivate:
		if !m.tokenFresh() {
			// The countdown may have run out while the operator read the review.
			return m.runChecks()
		}
		return m.setForm(fkConfirm, m.confirmForm(m.secondary, "Type "+m.secondary+" to purge it and activate it as a "+typeName(m.typ)+" secondary"))
	}
	return m.send()
}

func (m Model) tokenFresh() bool {
	return m.tokErr == nil && m.tokInfo.Expires.After(m.d.Now())
}

// send performs the step's write. It is reached only from an explicit key
// press (review, typed confirmation, or retry), never automatically.
func (m Model) send() (Model, tea.Cmd) {
	m.gen++
	m.ph, m.form, m.err, m.note = phRunning, nil, nil, ""
	var cmd tea.Cmd
	switch m.step {
	case stPrimary:
		c, _ := m.cluster(m.primary)
		cmd = m.enablePrimaryCmd(c, m.typ, m.epReq)
	case stToken:
		c, _ := m.cluster(m.primary)
		cmd = m.secondaryTokenCmd(c, m.typ, m.stReq)
	case stActivate:
		if !m.tokenFresh() {
			return m.runChecks()
		}
		c, _ := m.cluster(m.secondary)
		var pri *Cluster
		if p, ok := m.cluster(m.actPrimary); ok {
			pri = &p
		}
		cmd = m.enableSecondaryCmd(c, m.typ, m.esReq, pri)
	case stVerify:
		c, _ := m.cluster(m.primary)
		cmd = m.canaryCmd(c, m.typ, m.ver.Path, false)
	default:
		return m, nil
	}
	m, spin := m.spin()
	return m, tea.Batch(cmd, spin)
}

func (m Model) onWrite(msg writeMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen || m.ph != phRunning {
		return m, nil
	}
	m.err, m.res, m.diag = msg.err, msg.res, msg.diag
	m.ph = phResult
	if msg.err != nil {
		return m, nil
	}
	var target, action string
	switch m.step {
	case stPrimary:
		target, action = m.primary, "enable "+typeName(m.typ)+" primary"
	case stToken:
		target, action = m.primary, "generate "+typeName(m.typ)+" secondary token"
		m.tok, m.hasTok, m.tokFromHere, m.tokUsed, m.revealed = msg.tok, true, true, false, false
		if m.tok.ID == "" {
			m.tok.ID = m.stReq.ID
		}
		m.secondaryID = m.tok.ID
		m.tokInfo, m.tokErr = tokenInfoOf(m.tok)
		m.ph = phToken
	case stActivate:
		target, action = m.secondary, "enable "+typeName(m.typ)+" secondary"
		m.tokUsed = true
		m.tok.Token = "" // single-use: forget the secret as soon as it is spent
		m.esReq.Token = ""
	}
	m.markChanged(target)
	wrote := func() tea.Msg { return WroteMsg{Cluster: target, Action: action} }
	if m.step == stActivate {
		m, watch := m.beginWatch()
		return m, tea.Batch(wrote, watch)
	}
	return m, wrote
}

func (m Model) checksKey(k tea.KeyMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Retry):
		m.rechecks = 0
		return m.runChecks()
	case key.Matches(k, m.keys.Next) && m.already:
		return m.enterStep(m.stepAfter())
	case key.Matches(k, m.keys.Login) && m.d.Login != nil:
		if name := m.invalidTokenCluster(); name != "" {
			m.loginFor, m.afterLogin = name, m.step
			return m.enterStep(stLogin)
		}
	}
	return m, nil
}

// invalidTokenCluster names a cluster whose token a failed check rejected.
func (m Model) invalidTokenCluster() string {
	for _, c := range m.checks {
		if c.Level == lvFail && strings.HasPrefix(c.Fix, "log in") {
			if i := strings.Index(c.Detail, ":"); i > 0 {
				return c.Detail[:i]
			}
		}
	}
	return ""
}

// stepAfter is the step that follows the current one in the setup.
func (m Model) stepAfter() step {
	switch m.step {
	case stType:
		return firstStep(m.start.Flow)
	case stPrimary:
		return stToken
	case stToken:
		return stActivate
	case stActivate:
		return stWatch
	case stWatch:
		if m.typ == ops.Performance {
			return stLogin
		}
		return stNext
	case stLogin, stVerify, stNext:
		return stNext
	}
	return stNext
}

func (m Model) resultKey(k tea.KeyMsg) (Model, tea.Cmd) {
	if m.err != nil {
		if key.Matches(k, m.keys.Retry) {
			// Back to the review: retrying a write is always the operator's
			// decision, made again with the command in front of them.
			m.ph, m.err = phReview, nil
			if m.step == stVerify && m.ver.Removing {
				m.ph = phCleanup
			}
			return m, nil
		}
		return m, nil
	}
	if !key.Matches(k, m.keys.Next) {
		return m, nil
	}
	if m.step == stActivate {
		m.loginFor, m.afterLogin = m.secondary, stNext
	}
	return m.enterStep(m.stepAfter())
}

// back goes one screen back; from a step's first screen it offers to close.
func (m Model) back() (Model, tea.Cmd) {
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
		switch m.step {
		case stPrimary:
			return m.setForm(fkInputs, m.primaryInputs())
		case stToken:
			return m.setForm(fkInputs, m.tokenInputs(m.main.of(m.typ).KnownSecondaries))
		case stActivate:
			return m.setForm(fkInputs, m.activateInputs(m.needAddr))
		}
	case phResult:
		if m.err != nil {
			m.ph, m.err = phReview, nil
			return m, nil
		}
	case phForm:
		return m.backFromForm()
	case phChecks, phLoading:
		m.gen++ // drop reads still in flight
		if m.askedPri && (m.step == stPrimary || m.step == stToken || m.step == stVerify) {
			m.primary = ""
			return m.openSelect(fkPrimary)
		}
		if m.askedSec && m.step == stActivate {
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
		if m.askedPri && (m.step == stPrimary || m.step == stToken) {
			m.primary = ""
			return m.openSelect(fkPrimary)
		}
		if m.askedSec && m.step == stActivate {
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
		next, cmd := m.enterStep(m.afterLogin)
		next.setNote(lvInfo, "Not logged in to "+m.loginFor+": its status still shows, but reads that need a token will fail there.")
		return next, cmd
	case fkType, fkPrimary, fkNext, fkConfirm, fkNone:
	}
	return m.askClose()
}

func (m Model) confirmTarget() string {
	if m.step == stActivate {
		return m.secondary
	}
	return m.primary
}

func (m Model) tokenKey(k tea.KeyMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Reveal):
		m.revealed = !m.revealed
	case key.Matches(k, m.keys.Copy):
		return m, copyCmd(m.d.Copy, m.tok.Token)
	case key.Matches(k, m.keys.Save):
		return m.setForm(fkSave, m.saveForm(m.defaultSavePath()))
	case key.Matches(k, m.keys.Next):
		m.revealed = false
		return m.enterStep(stActivate)
	}
	return m, nil
}

func (m Model) onCopied(msg copiedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.setNote(lvWarn, "Could not copy: "+msg.err.Error()+". Save it to a file (s) instead.")
	} else {
		m.setNote(lvPass, "Copied to the clipboard (OSC 52). The terminal must allow clipboard writes.")
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

// startWatch shows the watch screen, starting the poll loop unless it is
// already following this secondary (it starts the moment activation
// succeeds, so the timeline begins there, not when the operator moves on).
func (m Model) startWatch() (Model, tea.Cmd) {
	m.step, m.ph = stWatch, phWatching
	m.gen++
	m.form, m.fk = nil, fkNone
	if m.watch.Secondary == m.secondary && m.watch.Type == m.typ && (m.watching() || m.watch.Done) {
		return m.spin()
	}
	return m.beginWatch()
}

// beginWatch starts following m.secondary; the loop has its own generation
// so that moving between screens does not drop its polls.
func (m Model) beginWatch() (Model, tea.Cmd) {
	m.watchGen++
	m.watch = watchState{Type: m.typ, Secondary: m.secondary, Primary: m.primary, ID: m.secondaryID, Started: m.d.Now()}
	sec, _ := m.cluster(m.secondary)
	pri, _ := m.cluster(m.primary)
	m, spin := m.spin()
	return m, tea.Batch(m.watchCmd(sec, pri), spin)
}

func (m Model) onWatch(msg watchMsg) (Model, tea.Cmd) {
	if msg.gen != m.watchGen || !m.watching() {
		return m, nil
	}
	m.watch = m.watch.observe(msg.obs, m.d.StuckAfter)
	if m.watch.Done {
		return m, nil
	}
	return m, m.watchAfter(m.d.Interval)
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

func (m Model) watchKey(k tea.KeyMsg) (Model, tea.Cmd) {
	if key.Matches(k, m.keys.Next) && m.watch.Done {
		if m.typ == ops.Performance {
			m.loginFor, m.afterLogin = m.secondary, stNext
			return m.enterStep(stLogin)
		}
		return m.enterStep(stNext)
	}
	return m, nil
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

// nextChoices are the offers after a secondary is streaming.
func (m Model) nextChoices() []nextChoice {
	var cs []nextChoice
	if m.primary != "" {
		if m.typ == ops.Performance {
			cs = append(cs, nextChoice{"Verify propagation (a canary auth method on " + m.primary + ")", "verify"})
		} else {
			cs = append(cs, nextChoice{"Verify propagation (the DR secondaries' WAL position)", "verify"})
		}
		cs = append(cs, nextChoice{"Add another " + typeName(m.typ) + " secondary to " + m.primary, "another"})
		other := ops.DR
		if m.typ == ops.DR {
			other = ops.Performance
		}
		if f, ok := m.survey[m.primary]; !ok || f.of(other).Mode != ops.ModePrimary {
			cs = append(cs, nextChoice{"Set up " + typeName(other) + " replication from " + m.primary, "other"})
		}
	}
	return append(cs, nextChoice{"Close the wizard", "close"})
}

func (m Model) nextChosen(choice string) (Model, tea.Cmd) {
	m.form = nil
	switch choice {
	case "verify":
		m.ver = verifyState{}
		return m.enterStep(stVerify)
	case "another", "other":
		if choice == "other" {
			if m.typ == ops.DR {
				m.typ = ops.Performance
			} else {
				m.typ = ops.DR
			}
		}
		m.secondary, m.askedSec, m.secondaryID = "", false, ""
		m.watch = watchState{}
		m.hasTok, m.tokFromHere, m.tokUsed = false, false, false
		m.tok = ops.ActivationToken{}
		m.v.id, m.v.addr, m.v.tls = "", "", ""
		if choice == "other" {
			return m.enterStep(stPrimary)
		}
		return m.enterStep(stToken)
	}
	return m.close()
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
