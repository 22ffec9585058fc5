package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The control endpoint: a small JSON API on its own loopback port that drives
// the lab's faults, for trainers and scripts (see the package doc for routes).

type controlFault struct {
	Kind     string `json:"kind"`
	Cluster  string `json:"cluster,omitempty"`
	Peer     string `json:"peer,omitempty"`
	Duration string `json:"duration,omitempty"` // Go duration: "250ms", "-3s"
	Status   int    `json:"status,omitempty"`
	Count    int    `json:"count,omitempty"`
	Response string `json:"response,omitempty"`
	Type     string `json:"type,omitempty"`
	Off      bool   `json:"off,omitempty"`
}

// ClusterSummary is a cluster's state as the control endpoint shows it.
type ClusterSummary struct {
	Name        string        `json:"name"`
	Addr        string        `json:"addr"`
	Version     string        `json:"version"`
	Enterprise  bool          `json:"enterprise"`
	Sealed      bool          `json:"sealed"`
	Stopped     bool          `json:"stopped"`
	Performance RoleSummary   `json:"performance"`
	DR          RoleSummary   `json:"dr"`
	Faults      []ActiveFault `json:"faults"`
}

// RoleSummary is one replication role in brief.
type RoleSummary struct {
	Mode       string `json:"mode"`
	State      string `json:"state,omitempty"`
	Primary    string `json:"primary,omitempty"` // for a secondary: its primary's lab name
	Connection string `json:"connection_state,omitempty"`
}

// Summaries describes every cluster (no tokens).
func (l *Lab) Summaries() []ClusterSummary {
	l.mu.Lock()
	l.syncLocked()
	out := make([]ClusterSummary, len(l.clusters))
	for i, c := range l.clusters {
		out[i] = ClusterSummary{Name: c.name, Addr: c.apiAddr, Version: c.displayVersion(), Enterprise: !c.ce,
			Sealed: c.sealed, Stopped: c.stopped, Performance: summarise(c, c.perf), DR: summarise(c, c.dr)}
		if c.drSecondary() && c.perf.mode == modeDisabled {
			out[i].Performance = RoleSummary{Mode: modeDisabled}
		}
	}
	l.mu.Unlock()
	for i := range out {
		out[i].Faults = l.ActiveFaults(out[i].Name)
		if out[i].Faults == nil {
			out[i].Faults = []ActiveFault{}
		}
	}
	return out
}

func summarise(c *cluster, r *role) RoleSummary {
	s := RoleSummary{Mode: r.mode}
	if r.mode == modePrimary || r.mode == modeSecondary {
		s.State = r.state
	}
	if r.isSecondary() {
		s.Primary, s.Connection = r.upstream, r.connState
	}
	return s
}

// ControlHandler serves the control API (Start serves it on its own port).
func (l *Lab) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeControl(w, http.StatusOK, map[string]any{
			"routes": []string{
				"GET  /clusters        clusters, roles and active faults",
				"GET  /faults          the fault catalogue",
				"GET  /faults/active   active faults per cluster",
				`POST /faults          apply one: {"kind":"partition","cluster":"a","peer":"b"}`,
				`POST /faults/clear    {"cluster":"a"} clears one cluster; {} clears all`,
				`POST /advance         {"duration":"5m"} moves simulated time forward`,
				`POST /reset           {"student":"s01"} resets one student's clusters; {} resets the lab`,
				"GET  /students        each student's clusters (no tokens)",
				"GET  /exercise        each student's exercise checklist (?student=s01 for one)",
			},
			"topology": l.Topology(),
		})
	})
	mux.HandleFunc("GET /clusters", func(w http.ResponseWriter, _ *http.Request) {
		writeControl(w, http.StatusOK, l.Summaries())
	})
	mux.HandleFunc("GET /faults", func(w http.ResponseWriter, _ *http.Request) {
		writeControl(w, http.StatusOK, map[string]any{"kinds": FaultKinds(), "responses": ResponseFaults()})
	})
	mux.HandleFunc("GET /faults/active", func(w http.ResponseWriter, _ *http.Request) {
		m := map[string][]ActiveFault{}
		for _, s := range l.Summaries() {
			m[s.Name] = s.Faults
		}
		writeControl(w, http.StatusOK, m)
	})
	mux.HandleFunc("POST /faults", func(w http.ResponseWriter, r *http.Request) {
		var f controlFault
		if err := decodeControl(r, &f); err != nil {
			writeControlError(w, http.StatusBadRequest, err)
			return
		}
		spec := FaultSpec{Kind: f.Kind, Cluster: f.Cluster, Peer: f.Peer, Status: f.Status, Count: f.Count,
			Response: ResponseFault(f.Response), Type: f.Type, Off: f.Off}
		if f.Duration != "" {
			d, err := time.ParseDuration(f.Duration)
			if err != nil {
				writeControlError(w, http.StatusBadRequest, err)
				return
			}
			spec.Duration = d
		}
		if err := l.ApplyFault(spec); err != nil {
			writeControlError(w, controlStatus(err), err)
			return
		}
		writeControl(w, http.StatusOK, map[string]any{"ok": true, "faults": l.ActiveFaults(f.Cluster)})
	})
	mux.HandleFunc("POST /faults/clear", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Cluster string `json:"cluster"`
		}
		if err := decodeControl(r, &body); err != nil {
			writeControlError(w, http.StatusBadRequest, err)
			return
		}
		names := []string{body.Cluster}
		if body.Cluster == "" {
			names = nil
			for _, c := range l.Clusters() {
				names = append(names, c.Name)
			}
			l.HealAll()
		}
		for _, n := range names {
			if err := l.ClearFaults(n); err != nil {
				writeControlError(w, controlStatus(err), err)
				return
			}
		}
		writeControl(w, http.StatusOK, map[string]any{"ok": true})
	})
	mux.HandleFunc("POST /advance", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Duration string `json:"duration"`
		}
		if err := decodeControl(r, &body); err != nil {
			writeControlError(w, http.StatusBadRequest, err)
			return
		}
		d, err := time.ParseDuration(body.Duration)
		if err != nil || d <= 0 {
			writeControlError(w, http.StatusBadRequest, errors.New(`duration must be a positive Go duration such as "5m"`))
			return
		}
		l.Advance(d)
		writeControl(w, http.StatusOK, map[string]any{"ok": true, "now": l.Now().UTC().Format(time.RFC3339)})
	})
	l.classroomRoutes(mux)
	return l.controlGuard(mux)
}

// controlGuard keeps web pages out of the control endpoint. A page the
// trainee has open can send a "simple" cross-origin POST (text/plain, no
// preflight), and a DNS-rebinding name resolving to 127.0.0.1 can even read
// the answers. So every request must name the loopback address the endpoint
// listens on in Host, must not come from a foreign Origin, and a POST must
// be application/json, which a page cannot send cross-origin without a
// preflight that this endpoint never grants.
func (l *Lab) controlGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status, err := l.checkControlRequest(r); err != nil {
			writeControlError(w, status, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (l *Lab) checkControlRequest(r *http.Request) (int, error) {
	port := ""
	if u := l.ControlURL(); u != "" {
		_, port, _ = net.SplitHostPort(strings.TrimPrefix(u, "http://"))
	}
	if !loopbackHostPort(r.Host, port) {
		return http.StatusForbidden, fmt.Errorf("host %q is not this endpoint's loopback address", r.Host)
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Scheme != "http" || u.Path != "" || !loopbackHostPort(u.Host, port) {
			return http.StatusForbidden, fmt.Errorf("origin %q may not use the control endpoint", origin)
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			return http.StatusUnsupportedMediaType, errors.New("send the body as Content-Type: application/json")
		}
	}
	return 0, nil
}

// loopbackHostPort reports whether hostport is a loopback name or address
// with the given port (any port when port is "", before Start).
func loopbackHostPort(hostport, port string) bool {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if port != "" && p != port {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func decodeControl(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) { // an empty body is {}
		return err
	}
	return nil
}

// controlStatus maps an unknown cluster to 404 and everything else to 400.
func controlStatus(err error) int {
	if _, ok := errors.AsType[*unknownClusterError](err); ok {
		return http.StatusNotFound
	}
	if _, ok := errors.AsType[*unknownStudentError](err); ok {
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

func writeControl(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeControlError(w http.ResponseWriter, status int, err error) {
	writeControl(w, status, map[string]string{"error": err.Error()})
}
