package sim

import (
	"errors"
	"fmt"
)

// Reset puts a student's clusters (every cluster when student is "") back in
// the topology's starting state without restarting the process: faults are
// cleared, replication is as the topology sets it up, data written since is
// gone and the exercise starts again. The clusters keep their addresses, and
// because a set is rebuilt from the same random stream it was first built
// from, they get the same root tokens back: with the same --seed, a lab's
// tokens are the same from one run and one reset to the next.
func (l *Lab) Reset(student string) error {
	groups, err := l.groupsNamed(student)
	if err != nil {
		return err
	}
	var errs []error
	for _, g := range groups {
		// Outside the lock: a stopped cluster is listened for again and a
		// hang is released, as ClearFaults does.
		for _, c := range g.clusters {
			errs = append(errs, l.ClearFaults(c.name))
		}
		errs = append(errs, l.resetGroup(g))
	}
	return errors.Join(errs...)
}

// groupsNamed is the named student's group, or every group for "".
func (l *Lab) groupsNamed(student string) ([]*group, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if student == "" {
		return append([]*group(nil), l.groups...), nil
	}
	for _, g := range l.groups {
		if g.name == student {
			return []*group{g}, nil
		}
	}
	return nil, &unknownStudentError{name: student}
}

// unknownStudentError names no student of the lab: 404 on the control
// endpoint.
type unknownStudentError struct{ name string }

func (e *unknownStudentError) Error() string {
	return fmt.Sprintf("no student named %q in this lab", e.name)
}

// resetGroup rebuilds the group's clusters and copies the new state into
// the existing cluster values, so that their listeners, handlers and
// outbound clients (which point at them) keep serving.
func (l *Lab) resetGroup(g *group) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.syncLocked()
	spec, err := parseTopology(l.topology)
	if err != nil {
		return err
	}
	spec = spec.prefixed(g.prefix())
	saved := l.ids
	l.ids = l.groupIDs(g.index)
	fresh, err := l.makeClusters(spec, g.clusters[0].index)
	if err != nil {
		l.ids = saved
		return err
	}
	for i, c := range g.clusters {
		n := fresh[i]
		n.handler, n.srv, n.served = c.handler, c.srv, c.served
		n.client, n.outbound = c.client, c.outbound
		n.port, n.apiAddr = c.port, c.apiAddr
		*c = *n
		for k := range l.partitions {
			if k[0] == c.name || k[1] == c.name {
				delete(l.partitions, k)
			}
		}
	}
	for k, d := range spec.links {
		l.links[k] = d
	}
	// The runtime stream (request IDs, activation tokens) goes on from the
	// group's, so the same requests after a reset give the same answers.
	if g.exercise != nil {
		g.exercise = newExerciseRun(g.exercise.ex, l.modelNow)
		g.exercise.ex.setup(l, g)
	}
	return nil
}
