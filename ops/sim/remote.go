package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// ReadStateFile reads a state file written by WriteStateFile or
// WriteStudentStateFiles (a running lab's, for `vaultrepl --lab`).
func ReadStateFile(path string) (StateFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return StateFile{}, fmt.Errorf("read lab state file: %w", err)
	}
	var st StateFile
	if err := json.Unmarshal(b, &st); err != nil {
		return StateFile{}, fmt.Errorf("read lab state file %s: %w", path, err)
	}
	if len(st.Clusters) == 0 {
		return StateFile{}, fmt.Errorf("read lab state file %s: it lists no clusters", path)
	}
	return st, nil
}

// Remote drives a lab in another process through its control endpoint: the
// same fault methods as *Lab, for a dashboard opened on a running lab.
type Remote struct {
	base string
	hc   *http.Client
}

// NewRemote returns a client of the control endpoint at base
// ("http://127.0.0.1:18204"). It refuses anything but loopback: the control
// endpoint never listens elsewhere, and a state file naming another host is
// not one the lab wrote.
func NewRemote(base string, timeout time.Duration) (*Remote, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || !loopback(u.Host) {
		return nil, fmt.Errorf("lab control endpoint %q: want http://127.0.0.1:port", base)
	}
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	return &Remote{base: strings.TrimRight(base, "/"),
		hc: &http.Client{Timeout: timeout, Transport: &http.Transport{Proxy: nil}}}, nil
}

// call sends one JSON request and decodes the answer into out (when set).
func (r *Remote) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return fmt.Errorf("lab control endpoint: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<22))
	if err != nil {
		return fmt.Errorf("lab control endpoint: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return errors.New(e.Error)
		}
		return fmt.Errorf("lab control endpoint: %s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (r *Remote) fault(f controlFault) error {
	return r.call(context.Background(), http.MethodPost, "/faults", f, nil)
}

// Partition cuts the network between two clusters.
func (r *Remote) Partition(a, b string) error {
	return r.fault(controlFault{Kind: KindPartition, Cluster: a, Peer: b})
}

// Heal restores the network between two clusters.
func (r *Remote) Heal(a, b string) error {
	return r.fault(controlFault{Kind: KindHeal, Cluster: a, Peer: b})
}

// Seal seals a cluster.
func (r *Remote) Seal(name string) error { return r.fault(controlFault{Kind: KindSeal, Cluster: name}) }

// Unseal unseals a cluster.
func (r *Remote) Unseal(name string) error {
	return r.fault(controlFault{Kind: KindUnseal, Cluster: name})
}

// Stop stops a cluster's process.
func (r *Remote) Stop(name string) error { return r.fault(controlFault{Kind: KindStop, Cluster: name}) }

// Restart starts a stopped cluster again.
func (r *Remote) Restart(name string) error {
	return r.fault(controlFault{Kind: KindRestart, Cluster: name})
}

// SetLatency sets the cluster's added latency (0 removes it).
func (r *Remote) SetLatency(name string, d time.Duration) error {
	return r.fault(controlFault{Kind: KindLatency, Cluster: name, Duration: d.String()})
}

// FailRequests answers the cluster's next count requests with status.
func (r *Remote) FailRequests(name string, status, count int) error {
	return r.fault(controlFault{Kind: KindFailRequests, Cluster: name, Status: status, Count: count})
}

// SkewClock skews the cluster's clock.
func (r *Remote) SkewClock(name string, d time.Duration) error {
	return r.fault(controlFault{Kind: KindSkewClock, Cluster: name, Duration: d.String()})
}

// PromoteWithoutDemote promotes the cluster's secondary of replicationType
// ("dr" or "performance") and leaves its primary as it is (split brain).
func (r *Remote) PromoteWithoutDemote(name, replicationType string) error {
	return r.fault(controlFault{Kind: KindPromoteNoDemote, Cluster: name, Type: replicationType})
}

// ClearFaults removes every fault of a cluster.
func (r *Remote) ClearFaults(name string) error {
	return r.call(context.Background(), http.MethodPost, "/faults/clear", map[string]string{"cluster": name}, nil)
}

// Reset resets one student's clusters, or the whole lab for "".
func (r *Remote) Reset(student string) error {
	return r.call(context.Background(), http.MethodPost, "/reset", map[string]string{"student": student}, nil)
}

// ActiveFaults lists the faults in effect, by cluster.
func (r *Remote) ActiveFaults(ctx context.Context) (map[string][]ActiveFault, error) {
	var m map[string][]ActiveFault
	err := r.call(ctx, http.MethodGet, "/faults/active", nil, &m)
	return m, err
}

// Progress is each student's exercise checklist ("" for all).
func (r *Remote) Progress(ctx context.Context, student string) ([]ExerciseProgress, error) {
	var out struct {
		Progress []ExerciseProgress `json:"progress"`
	}
	path := "/exercise"
	if student != "" {
		path += "?student=" + url.QueryEscape(student)
	}
	err := r.call(ctx, http.MethodGet, path, nil, &out)
	return out.Progress, err
}

// LabState is what the dashboard shows of a lab besides the clusters'
// own answers: the faults in effect and the exercise checklists.
type LabState struct {
	Faults   map[string][]ActiveFault
	Progress []ExerciseProgress
}

// State reads the faults in effect and the checklists of a local lab.
func (l *Lab) State(_ context.Context, student string) (LabState, error) {
	st := LabState{Faults: map[string][]ActiveFault{}}
	for _, c := range l.Clusters() {
		if f := l.ActiveFaults(c.Name); len(f) > 0 {
			st.Faults[c.Name] = f
		}
	}
	p, err := l.Progress(student)
	st.Progress = p
	return st, err
}

// State reads the faults in effect and the checklists of a remote lab.
func (r *Remote) State(ctx context.Context, student string) (LabState, error) {
	f, err := r.ActiveFaults(ctx)
	if err != nil {
		return LabState{}, err
	}
	st := LabState{Faults: map[string][]ActiveFault{}}
	for k, v := range f {
		if len(v) > 0 {
			st.Faults[k] = v
		}
	}
	st.Progress, err = r.Progress(ctx, student)
	return st, err
}
