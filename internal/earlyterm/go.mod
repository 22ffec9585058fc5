module earlyterm

go 1.26.0

require (
	github.com/charmbracelet/lipgloss v1.1.0
	golang.org/x/sys v0.48.0
)
