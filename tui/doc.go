// Package tui is vaultrepl's dashboard: a pane per configured cluster with
// its performance and DR replication status, a detail view, a topology view,
// the equivalent vault commands, full help, and in demo mode a lab menu that
// injects simulator faults. It hosts the setup wizard (package tui/wizard)
// as an Overlay that cmd opens through Deps.Wizard.
//
// The package never talks to Vault itself: it consumes ops types through the
// small interfaces it declares (StatusReader, LabControl), so tests drive it
// with fakes and an injected clock. Each cluster has its own poll loop
// (tea.Tick re-armed on each result, one read in flight, a timeout, backoff
// with jitter after errors, generation tags so a refresh never doubles the
// rate, sys/health only every Deps.HealthEvery while the cluster is
// healthy, and timers of a second or more fired on a shared grid of the
// wall clock so that an idle dashboard wakes a few times a second, not once
// per poll); one failing cluster only dims its own pane. Frames that change
// nothing on screen reuse the last grid, header and help line, and fleets
// of more than eight clusters are assessed at most four times a second:
// an idle dashboard of 32 clusters polled every 2 s should use at most
// 1–2% of one core (make bench-idle measures it).
package tui
