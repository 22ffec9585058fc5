package wizard

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the wizard's key bindings. Bindings that do not apply to the
// current screen are disabled, so help never lists a key that does nothing.
type KeyMap struct {
	Next    key.Binding // continue, execute after review
	Back    key.Binding // one screen back; at the start, close
	Close   key.Binding // leave the wizard (confirmation when work would be lost)
	Retry   key.Binding // re-run the pre-flight checks, retry a failed write
	Reveal  key.Binding // show or hide the activation token
	Copy    key.Binding // copy the activation token (OSC 52)
	Save    key.Binding // save the activation token to a 0600 file
	Login   key.Binding // re-authenticate on a cluster whose token is gone
	Explain key.Binding // training mode on/off
	Help    key.Binding // full help on/off
	Yes     key.Binding // answer a yes/no question
	No      key.Binding
}

// DefaultKeyMap returns the default bindings; each call returns a new value.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Close:   key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "close wizard")),
		Retry:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-check")),
		Reveal:  key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "reveal token")),
		Copy:    key.NewBinding(key.WithKeys("y", "c"), key.WithHelp("y", "copy (OSC 52)")),
		Save:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save to file")),
		Login:   key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "log in")),
		Explain: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "explain")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Yes:     key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:      key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "no")),
	}
}
