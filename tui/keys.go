package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the dashboard answers to. Help texts are ASCII: the
// arrow symbols are ambiguous-width and would shift the help columns in an
// East Asian locale. DefaultKeyMap returns a new
// value each time; the model enables and disables bindings on its own copy
// to match the screen, so help never lists a key that would do nothing.
type KeyMap struct {
	Up, Down, Left, Right key.Binding
	Next, Prev            key.Binding
	Jump                  key.Binding // 1–9
	PageUp, PageDown      key.Binding
	Top, Bottom           key.Binding
	Enter, Back           key.Binding
	Refresh, RefreshAll   key.Binding
	Pause                 key.Binding
	Filter, Unhealthy     key.Binding
	Topology, Commands    key.Binding
	Lab, Wizard           key.Binding
	Offer                 key.Binding // a: what the focused cluster's finding offers (revoke an unused token)
	Help                  key.Binding
	Redraw                key.Binding
	Quit, ForceQuit       key.Binding
	Copy                  key.Binding // y: what is focused, to the clipboard
	Sort                  key.Binding // s: cycle the order of the panes
	Search                key.Binding // / in the detail view
	NextMatch, PrevMatch  key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("k/up", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("j/down", "down")),
		Left:       key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("h/left", "left")),
		Right:      key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("l/right", "right")),
		Next:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous")),
		Jump:       key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "jump")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:        key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:     key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Enter:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Refresh:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		RefreshAll: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "refresh all")),
		Pause:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Unhealthy:  key.NewBinding(key.WithKeys("!"), key.WithHelp("!", "unhealthy only")),
		Topology:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "topology")),
		Commands:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "vault commands")),
		Lab:        key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "lab faults")),
		Wizard:     key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "setup wizard")),
		Offer:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "revoke unused token")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Redraw:     key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "redraw")),
		Quit:       key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:  key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Copy:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy")),
		Sort:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Search:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		NextMatch:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n/N", "next/previous match")),
		PrevMatch:  key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
	}
}
