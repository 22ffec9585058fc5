package sim

import (
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configures a lab.
type Options struct {
	Topology  string        // "fresh" (default), "global", "datacenter", "fleet:N"
	Seed      int64         // 0: a random seed (see Lab.Seed)
	Clock     Clock         // nil: real time scaled by Speed; NewManualClock(t) for tests
	Speed     float64       // simulated time per real time (default 1)
	PortBase  int           // 0: ephemeral ports; else N, N+1, … in topology order, control after the clusters
	Latency   time.Duration // real time added to every response of every cluster, jittered ±10%
	WriteRate float64       // background writes per second on each primary (0: none)
	// Students, when above 0, builds the topology once per student, each
	// set with its own names ("s01-vault-a", "s02-vault-a", …), tokens
	// and replication: a classroom on one lab, one control endpoint.
	Students int
	// Exercise names a lesson (see Exercises) whose progress the lab
	// checks against its own state, per student.
	Exercise string
	// TLS serves every cluster over HTTPS with a certificate signed by a CA
	// the lab makes (Lab.CACertPEM; WriteStateFile writes it beside the
	// state file). The control endpoint stays plain HTTP on loopback.
	TLS bool
}

// maxStudents bounds Options.Students: every cluster is a listener.
const maxStudents = 64

// ClusterInfo is how to reach one simulated cluster.
type ClusterInfo struct {
	Name  string `json:"name"`
	Addr  string `json:"addr"`  // "http://127.0.0.1:port" ("https://" with Options.TLS); "" before Start
	Token string `json:"token"` // the root token the lab issued for it (see package doc)
}

// Lab is a set of simulated Vault Enterprise clusters. All methods are safe
// for concurrent use.
type Lab struct {
	mu       sync.Mutex
	opts     Options
	topology string
	seed     int64
	clock    Clock
	manual   *ManualClock
	scaled   *scaledClock
	offset   time.Duration // Advance on a caller-supplied clock
	modelNow time.Time     // the model has been stepped up to here
	bootTime time.Time     // when the lab was built (licence dates derive from it)
	ids      *ids

	licenseID string
	tls       *labTLS // nil: plain HTTP

	clusters   []*cluster
	byName     map[string]*cluster
	groups     []*group // one per student; one unnamed group without students
	links      map[[2]string]time.Duration
	partitions map[[2]string]bool
	username   string
	password   string
	unsealKey  string

	// unwrapTimeout bounds a secondary's call to its primary's unwrap
	// endpoint, like Vault's own client timeout.
	unwrapTimeout time.Duration

	// parked, when set (tests), hears the name of each cluster whose request
	// has just parked in a hang.
	parked chan string

	started  bool
	closed   bool
	closing  chan struct{}
	ctx      context.Context // cancelled by Close: ends outbound calls
	cancel   context.CancelFunc
	serving  sync.WaitGroup // Serve loops and the driver
	inflight sync.WaitGroup // handlers running
	control  *http.Server
	ctrlAddr string
}

// New builds a lab; it serves nothing until Start (or Handler).
func New(opts Options) (*Lab, error) {
	if opts.Topology == "" {
		opts.Topology = "fresh"
	}
	if opts.Speed == 0 {
		opts.Speed = 1
	}
	if opts.Speed < 0 || opts.WriteRate < 0 || opts.Latency < 0 || opts.PortBase < 0 || opts.PortBase > 65535 || opts.Students < 0 {
		return nil, errors.New("lab options: speed, write rate, latency, port base and students must not be negative")
	}
	if opts.Students > maxStudents {
		return nil, fmt.Errorf("lab options: at most %d students", maxStudents)
	}
	ex, err := exerciseByName(opts.Exercise)
	if err != nil {
		return nil, err
	}
	spec, err := parseTopology(opts.Topology)
	if err != nil {
		return nil, err
	}
	seed := opts.Seed
	if seed == 0 {
		var b [8]byte
		if _, err := crand.Read(b[:]); err != nil {
			return nil, err
		}
		seed = int64(binary.LittleEndian.Uint64(b[:]) >> 1)
	}
	l := &Lab{
		opts:          opts,
		topology:      opts.Topology,
		seed:          seed,
		clock:         opts.Clock,
		ids:           newIDs(seed),
		byName:        map[string]*cluster{},
		links:         map[[2]string]time.Duration{},
		partitions:    map[[2]string]bool{},
		username:      "operator",
		unwrapTimeout: 10 * time.Second,
		closing:       make(chan struct{}),
	}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	switch c := opts.Clock.(type) {
	case nil:
		l.scaled = newScaledClock(opts.Speed)
		l.clock = l.scaled
	case *ManualClock:
		l.manual = c
	}
	l.modelNow = l.clock.Now()
	l.bootTime = l.modelNow
	if opts.TLS {
		t, err := newLabTLS(time.Now(), strconv.FormatInt(seed, 10))
		if err != nil {
			return nil, fmt.Errorf("lab TLS: %w", err)
		}
		l.tls = t
	}
	l.licenseID, l.password, l.unsealKey = identity(l.ids)
	if ex != nil && ex.topology != "" && opts.Topology != ex.topology {
		if opts.Topology != "fresh" {
			return nil, fmt.Errorf("exercise %q runs on topology %q, not %q", ex.name, ex.topology, opts.Topology)
		}
		l.topology, spec = ex.topology, mustTopology(ex.topology)
	}
	if n := max(1, opts.Students) * len(spec.clusters); n > maxFleet {
		return nil, fmt.Errorf("lab options: %d clusters is more than %d", n, maxFleet)
	}
	for k := range max(1, opts.Students) {
		g := &group{index: k}
		if opts.Students > 0 {
			g.name = fmt.Sprintf("s%02d", k+1)
		}
		l.groups = append(l.groups, g)
		if k > 0 {
			l.ids = l.groupIDs(k)
		}
		if err := l.buildGroup(g, spec); err != nil {
			return nil, err
		}
		if ex != nil {
			g.exercise = newExerciseRun(ex, l.modelNow)
			ex.setup(l, g)
		}
	}
	return l, nil
}

// identity draws the lab-wide secrets from the seed's stream: the licence
// ID, the userpass password and the unseal key.
func identity(g *ids) (licenseID, password, unsealKey string) {
	licenseID = g.uuid()
	password = g.alnum(20)
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(g.r.UintN(256))
	}
	return licenseID, password, base64.StdEncoding.EncodeToString(key)
}

// groupIDs is the random stream a group's clusters are built from. The first
// group continues the seed's stream after identity, as a lab without
// students always has; the others start from a seed of their own. Reset
// rebuilds a group from the same stream, so it gets the same tokens back.
func (l *Lab) groupIDs(k int) *ids {
	if k == 0 {
		g := newIDs(l.seed)
		identity(g)
		return g
	}
	return newIDs(l.seed + int64(k)*7919)
}

func mustTopology(name string) topoSpec {
	spec, err := parseTopology(name)
	if err != nil {
		panic(err) // exercise topologies are constants of this package
	}
	return spec
}

// now is the lab's time; handlers and the model read nothing else.
func (l *Lab) now() time.Time {
	t := l.clock.Now()
	if l.manual == nil && l.scaled == nil {
		t = t.Add(l.offset)
	}
	return t
}

// syncLocked steps the model in whole quanta up to the clock. Because steps
// are aligned to the model's own time, Advance(10s) and ten Advance(1s) give
// the same result.
func (l *Lab) syncLocked() {
	target := l.now()
	for next := l.modelNow.Add(quantum); !next.After(target); next = l.modelNow.Add(quantum) {
		l.modelNow = next
		l.step(next)
	}
}

// Seed is the seed in use (the random one when Options.Seed was 0), so a run
// can be reproduced.
func (l *Lab) Seed() int64 { return l.seed }

// Topology is the topology the lab was built with.
func (l *Lab) Topology() string { return l.topology }

// Now is the lab's current simulated time.
func (l *Lab) Now() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now()
}

// Advance runs the model forward by d: it moves a manual clock, or skips a
// real-time clock ahead (handy in training to expire an activation token).
func (l *Lab) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.manual != nil:
		l.manual.Advance(d)
	case l.scaled != nil:
		l.scaled.skip(d)
	default:
		l.offset += d
	}
	l.syncLocked()
}

// Student is one student's set of clusters.
type Student struct {
	Name     string        `json:"name"` // "s01"
	Clusters []ClusterInfo `json:"clusters"`
}

// Students lists the students' sets (nil for a lab without students).
func (l *Lab) Students() []Student {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.opts.Students == 0 {
		return nil
	}
	out := make([]Student, len(l.groups))
	for i, g := range l.groups {
		out[i].Name = g.name
		for _, c := range g.clusters {
			out[i].Clusters = append(out[i].Clusters, ClusterInfo{Name: c.name, Addr: c.apiAddr, Token: c.rootToken})
		}
	}
	return out
}

// Clusters lists the clusters in topology order.
func (l *Lab) Clusters() []ClusterInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]ClusterInfo, len(l.clusters))
	for i, c := range l.clusters {
		out[i] = ClusterInfo{Name: c.name, Addr: c.apiAddr, Token: c.rootToken}
	}
	return out
}

// Userpass returns the lab's userpass credentials, valid on every cluster (and
// on secondaries through replication).
func (l *Lab) Userpass() (username, password string) { return l.username, l.password }

// UnsealKey is the single unseal key (threshold 1) all lab clusters share: the
// key share a DR operation token generation asks for.
func (l *Lab) UnsealKey() string { return l.unsealKey }

// ControlURL is the control endpoint's base URL ("" before Start).
func (l *Lab) ControlURL() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ctrlAddr == "" {
		return ""
	}
	return "http://" + l.ctrlAddr
}

// Handler returns the named cluster's Vault API handler, for tests that mount
// a cluster under httptest. Such a cluster has no API address of its own until
// SetAPIAddr tells it where it is served.
func (l *Lab) Handler(name string) http.Handler {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.byName[name]; c != nil {
		return c.handler
	}
	return http.NotFoundHandler()
}

// SetAPIAddr records where a cluster mounted with Handler is served (e.g. an
// httptest URL); it becomes the addr claim of the activation tokens it issues.
func (l *Lab) SetAPIAddr(name, addr string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, err := l.cluster(name)
	if err != nil {
		return err
	}
	c.apiAddr = addr
	return nil
}

// unknownClusterError is a fault or lookup naming no cluster of the lab: the
// control endpoint answers it with 404.
type unknownClusterError struct{ name string }

func (e *unknownClusterError) Error() string {
	return fmt.Sprintf("no cluster named %q in this lab", e.name)
}

func (l *Lab) cluster(name string) (*cluster, error) {
	c := l.byName[name]
	if c == nil {
		return nil, &unknownClusterError{name: name}
	}
	return c, nil
}

// StateFile is the JSON WriteStateFile writes.
type StateFile struct {
	Clusters  []ClusterInfo `json:"clusters"`
	Control   string        `json:"control"`
	Userpass  UserpassLogin `json:"userpass"`
	UnsealKey string        `json:"unseal_key"`
	Topology  string        `json:"topology"`
	Seed      int64         `json:"seed"`
	Student   string        `json:"student,omitempty"`  // a student's own file: whose clusters these are
	Students  []string      `json:"students,omitempty"` // the class's file: every student
	Exercise  string        `json:"exercise,omitempty"`
	// CACert is the path of the CA certificate that verifies the clusters'
	// HTTPS (a lab started with TLS): VAULT_CACERT, or a cluster's ca_file.
	CACert string `json:"ca_cert,omitempty"`
}

// UserpassLogin is the lab's userpass user, valid on every cluster.
type UserpassLogin struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// WriteStateFile writes the clusters, control URL and credentials as JSON
// with mode 0600 (it holds root tokens), replacing path atomically.
func (l *Lab) WriteStateFile(path string) error {
	st := l.state()
	if l.tls != nil {
		ca, err := l.writeCACert(path)
		if err != nil {
			return err
		}
		st.CACert = ca
	}
	for _, s := range l.Students() {
		st.Students = append(st.Students, s.Name)
	}
	return writeState(path, st)
}

// StudentStateFile is where WriteStudentStateFiles puts a student's file
// beside the class's: /tmp/lab.json → /tmp/lab.s01.json.
func StudentStateFile(path, student string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "." + student + cmpOr(ext, ".json")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// WriteStudentStateFiles writes, for each student, a state file with only
// that student's clusters (same format, same control endpoint) beside
// path, so each trainee opens a dashboard on their own set. It returns the
// paths written.
func (l *Lab) WriteStudentStateFiles(path string) ([]string, error) {
	var paths []string
	ca := ""
	if l.tls != nil {
		// The class's CA certificate, which WriteStateFile put beside path.
		var err error
		if ca, err = filepath.Abs(CACertFile(path)); err != nil {
			ca = CACertFile(path)
		}
	}
	for _, s := range l.Students() {
		st := l.state()
		st.CACert = ca
		st.Clusters, st.Student = s.Clusters, s.Name
		p := StudentStateFile(path, s.Name)
		if err := writeState(p, st); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func (l *Lab) state() StateFile {
	return StateFile{Clusters: l.Clusters(), Control: l.ControlURL(),
		Userpass: UserpassLogin{l.username, l.password}, UnsealKey: l.unsealKey,
		Topology: l.Topology(), Seed: l.seed, Exercise: l.opts.Exercise}
}

func writeState(path string, st StateFile) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".vaultrepl-lab-*")
	if err != nil {
		return fmt.Errorf("write lab state file: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp, 0o600)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write lab state file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write lab state file: %w", err)
	}
	return nil
}
