package wizard

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/vaultrepl/vaultrepl/ops"
	"github.com/vaultrepl/vaultrepl/theme"
)

// formKind says what a completed form means.
type formKind int

const (
	fkNone    formKind = iota
	fkType             // performance or DR
	fkPrimary          // which cluster is (or becomes) the primary
	fkTarget           // which cluster becomes the secondary
	fkPaste            // an activation token generated elsewhere
	fkInputs           // the step's parameters
	fkConfirm          // the typed cluster name
	fkLogin            // userpass re-authentication
	fkNext             // what to do after the setup
	fkSave             // where to save the activation token
)

// values is where huh writes what the operator entered. It lives behind a
// pointer because huh keeps pointers to its fields while Model is copied on
// every Update.
type values struct {
	typ      string
	cluster  string
	addr     string
	id       string
	ttl      string
	paste    string
	tls      string
	caFile   string
	caPath   string
	certFile string
	keyFile  string
	confirm  string
	user     string
	pass     string
	next     string
	savePath string
}

// huhTheme derives huh's styles from ours. Focus and selection are marked
// by text (the "> " selector, the left bar), so forms read the same under
// NO_COLOR.
func huhTheme(st theme.Styles) *huh.Theme {
	t := huh.ThemeBase()
	bar := lipgloss.NormalBorder()
	if st.ASCII {
		bar = lipgloss.ASCIIBorder()
	}
	f := &t.Focused
	f.Base = st.Renderer.NewStyle().PaddingLeft(1).BorderStyle(bar).BorderLeft(true).BorderForeground(st.Palette.Accent)
	f.Card = f.Base
	f.Title = st.Form.Prompt
	f.NoteTitle = st.Form.Prompt
	f.Description = st.Muted
	f.ErrorIndicator = st.Form.Error.SetString(" *")
	f.ErrorMessage = st.Form.Error.SetString(" *")
	f.SelectSelector = st.Accent.SetString("> ")
	f.Option = st.Text
	f.SelectedOption = st.Accent
	f.TextInput.Cursor = st.Accent
	f.TextInput.Placeholder = st.Form.Placeholder
	f.TextInput.Prompt = st.Accent
	f.TextInput.Text = st.Form.Input
	t.Blurred = t.Focused
	t.Blurred.Base = t.Focused.Base.BorderStyle(lipgloss.HiddenBorder())
	t.Blurred.Card = t.Blurred.Base
	t.Blurred.SelectSelector = st.Renderer.NewStyle().SetString("  ")
	t.Group.Title = st.Form.Title
	t.Group.Description = st.Muted
	return t
}

// huhKeys takes ctrl+c and the select filter away from huh: the host owns
// ctrl+c (it quits the app), and esc is the wizard's back key, which would
// otherwise be needed to leave a filter.
func huhKeys() *huh.KeyMap {
	k := huh.NewDefaultKeyMap()
	k.Quit = key.NewBinding(key.WithDisabled())
	k.Select.Filter = key.NewBinding(key.WithDisabled())
	k.Select.SetFilter = key.NewBinding(key.WithDisabled())
	k.Select.ClearFilter = key.NewBinding(key.WithDisabled())
	k.Select.GotoTop = key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first"))
	k.Select.GotoBottom = key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last"))
	return k
}

func (m Model) newForm(groups ...*huh.Group) *huh.Form {
	return huh.NewForm(groups...).
		WithTheme(m.ht).
		WithKeyMap(huhKeys()).
		WithShowHelp(false).
		WithShowErrors(true)
}

func (m Model) typeForm() *huh.Form {
	m.v.typ = "performance"
	if m.start.TypeKnown && m.start.Type == ops.DR {
		m.v.typ = "dr"
	}
	return m.newForm(huh.NewGroup(
		huh.NewSelect[string]().
			Title("Which replication do you want to set up?").
			Value(&m.v.typ).
			Options(
				huh.NewOption("Performance: secondaries serve reads locally, writes go to the primary", "performance"),
				huh.NewOption("Disaster recovery (DR): a warm standby that takes over when promoted", "dr"),
			),
	))
}

// clusterOption labels a cluster with what the wizard last saw of it.
func (m Model) clusterOption(c Cluster) string {
	if c.Name == "" {
		return "(none: a cluster not listed here)"
	}
	label := c.Name
	if c.Label != "" {
		label += " (" + c.Label + ")"
	}
	if c.Protected {
		label += " [PROTECTED]"
	}
	f, ok := m.survey[c.Name]
	switch {
	case !ok:
	case f.Snap.Replication == nil:
		what, _ := errText(f.Err)
		if what == "" {
			what, _ = errText(f.Snap.ReplicationErr)
		}
		if f.Snap.Health != nil && f.Snap.Health.Sealed {
			what = "sealed"
		}
		if what != "" {
			label += " - " + firstClause(what)
		}
	case f.Snap.Replication.CommunityEdition:
		label += " - Community Edition"
	default:
		r := f.Snap.Replication
		label += " - perf " + r.Performance.Mode.String() + ", DR " + r.DR.Mode.String()
	}
	return label
}

func firstClause(s string) string {
	if i := strings.IndexAny(s, ":("); i > 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// clusterForm asks for a cluster among choices, preselecting def.
func (m Model) clusterForm(title, desc string, choices []Cluster, def string) *huh.Form {
	opts := make([]huh.Option[string], 0, len(choices))
	for _, c := range choices {
		opts = append(opts, huh.NewOption(m.clusterOption(c), c.Name))
	}
	m.v.cluster = def
	return m.newForm(huh.NewGroup(
		// Value before Options: huh positions the list on the value when the
		// options are set.
		huh.NewSelect[string]().Title(title).Description(desc).Value(&m.v.cluster).Options(opts...),
	))
}

func (m Model) pasteForm() *huh.Form {
	m.v.paste = ""
	return m.newForm(huh.NewGroup(
		huh.NewInput().
			Title("Activation token").
			Description("Paste the wrapping_token printed by …/primary/secondary-token on the primary. It stays masked.").
			EchoMode(huh.EchoModePassword).
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("paste the token")
				}
				_, err := decodeToken(s)
				return err
			}).
			Value(&m.v.paste),
	))
}

func (m Model) primaryInputs() *huh.Form {
	return m.newForm(huh.NewGroup(
		huh.NewInput().
			Title("primary_cluster_addr (optional)").
			Description("The cluster address (port 8201) secondaries connect to, e.g. a load balancer. Empty: each node's cluster_addr.").
			Validate(optionalURL).
			Value(&m.v.addr),
	))
}

func (m Model) tokenInputs(known []string) *huh.Form {
	return m.newForm(huh.NewGroup(
		huh.NewInput().
			Title("Secondary id").
			Description("A unique name for the secondary; it shows up in known_secondaries and as its secondary_id.").
			Validate(func(s string) error { return validateSecondaryID(s, known) }).
			Value(&m.v.id),
		huh.NewInput().
			Title("TTL").
			Description("How long the token can be used (default 30m). It is single-use.").
			Placeholder("30m").
			Validate(validateTTL).
			Value(&m.v.ttl),
	))
}

func (m Model) activateInputs(needAddr bool) *huh.Form {
	var groups []*huh.Group
	if needAddr {
		desc := "The primary's API address as the secondary can reach it: the secondary calls it to unwrap the token."
		if m.tokInfo.Addr != "" {
			desc += " The token names " + m.tokInfo.Addr + "."
		}
		if p, ok := m.cluster(state[activateState](m, stActivate).primary); ok && p.Address != "" {
			desc += " vaultrepl reaches " + p.Name + " at " + p.Address + "."
		}
		groups = append(groups, huh.NewGroup(
			huh.NewInput().
				Title("primary_api_addr").
				Description(desc).
				Validate(requiredURL).
				Value(&m.v.addr),
		))
	}
	if m.v.tls == "" {
		m.v.tls = "no"
	}
	groups = append(groups,
		huh.NewGroup(
			huh.NewSelect[string]().
				Title("TLS options for reaching the primary").
				Description("Needed when the primary's certificate is not signed by a CA the secondary's Vault trusts.").
				Value(&m.v.tls).
				Options(
					huh.NewOption("None: the secondary already trusts the primary's certificate", "no"),
					huh.NewOption("Set ca_file / ca_path (and client certificate)", "yes"),
				),
		),
		huh.NewGroup(
			huh.NewInput().Title("ca_file").Description("PEM file on the secondary's Vault servers (not on this machine).").Value(&m.v.caFile),
			huh.NewInput().Title("ca_path").Description("Directory of PEM files on the secondary's Vault servers.").Value(&m.v.caPath),
			huh.NewInput().Title("client_cert_file (optional)").Description("Not documented for replication; only if your Vault needs it.").Value(&m.v.certFile),
			huh.NewInput().Title("client_key_file (optional)").Value(&m.v.keyFile),
		).WithHideFunc(func() bool { return m.v.tls != "yes" }),
	)
	return m.newForm(groups...)
}

// confirmDesc is said under every typed confirmation (esc, the way out,
// is on the help line). Once enter sends the write, quitting does not
// stop it: the write
// runs detached from the wizard (cut mid-request it may or may not have
// happened), and vaultrepl waits for it before exiting.
const confirmDesc = "After enter, ctrl+c does not stop it: vaultrepl waits for the reply."

// confirmForm asks for the target cluster's name, typed.
func (m Model) confirmForm(name, title string) *huh.Form {
	m.v.confirm = ""
	return m.newForm(huh.NewGroup(
		huh.NewInput().
			Title(title).
			Description(confirmDesc).
			Validate(func(s string) error {
				if strings.TrimSpace(s) != name {
					return fmt.Errorf("type %s exactly, or press esc to cancel", name)
				}
				return nil
			}).
			Value(&m.v.confirm),
	))
}

func (m Model) loginForm(cluster string) *huh.Form {
	if m.v.user == "" {
		m.v.user = m.d.Username
	}
	m.v.pass = ""
	return m.newForm(huh.NewGroup(
		huh.NewInput().Title("Username").Description("userpass on "+cluster+" (the auth method was replicated from the primary)").
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("enter a username")
				}
				return nil
			}).Value(&m.v.user),
		huh.NewInput().Title("Password").EchoMode(huh.EchoModePassword).Value(&m.v.pass),
	))
}

// nextChoice is an entry of the "what next" menu.
type nextChoice struct {
	label, value string
}

func (m Model) nextForm(choices []nextChoice) *huh.Form {
	opts := make([]huh.Option[string], len(choices))
	for i, c := range choices {
		opts[i] = huh.NewOption(c.label, c.value)
	}
	m.v.next = choices[0].value
	return m.newForm(huh.NewGroup(huh.NewSelect[string]().Title("What next?").Value(&m.v.next).Options(opts...)))
}

func (m Model) saveForm(def string) *huh.Form {
	m.v.savePath = def
	return m.newForm(huh.NewGroup(
		huh.NewInput().
			Title("Save the activation token to").
			Description("Created with mode 0600; an existing file is never overwritten.").
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("enter a file name")
				}
				if _, err := os.Stat(expandHome(s)); err == nil {
					return errors.New("that file exists: pick a new name")
				}
				return nil
			}).
			Value(&m.v.savePath),
	))
}

func expandHome(p string) string {
	p = strings.TrimSpace(p)
	if strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, p[2:])
		}
	}
	return p
}

func optionalURL(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return requiredURL(s)
}

func requiredURL(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return errors.New("enter an address such as https://vault.example.com:8200")
	}
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return errors.New("start with https:// (or http://)")
	}
	if len(s) <= len("https://") {
		return errors.New("add the host name")
	}
	return nil
}
