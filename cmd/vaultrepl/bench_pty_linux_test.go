package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/vaultrepl/vaultrepl/ops/sim"
	"github.com/vaultrepl/vaultrepl/ops/sim/simtest"
)

// These benchmarks run the real vaultrepl binary in a pseudo-terminal of
// 160×48, the way an operator runs it, and measure that process alone from
// /proc: the lab it watches lives in the benchmark's own process.

// BenchmarkIdleDashboard measures the dashboard's idle cost (the project's
// budget: under 2% of one core and 60 MB of RSS; the goal is 1%):
// 32 clusters (a fleet:32 lab), polling every 2 s, for VAULTREPL_IDLE
// (default 60s) after every cluster has been read once. It reports CPU
// seconds per minute (budget < 1.2, i.e. 2% of one core) and the peak RSS
// (VmHWM, budget < 60 MB). `make bench-idle` runs it.
func BenchmarkIdleDashboard(b *testing.B) {
	bin := vaultreplBinary(b) // before isolate: the build uses the user's Go caches
	isolate(b)
	measure := 60 * time.Second
	if v := os.Getenv("VAULTREPL_IDLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			b.Fatalf("VAULTREPL_IDLE=%q: want a duration such as 60s", v)
		}
		measure = d
	}
	lab := simtest.Start(b, sim.Options{Topology: "fleet:32", WriteRate: 2})
	cfg := fleetConfig(b, lab)

	var cpus, rss []float64
	for b.Loop() {
		p := startInPTY(b, bin, "--config", cfg, "--interval", "2s")
		if _, ok := p.waitFor(regexp.MustCompile(`32/32 reachable`), 30*time.Second); !ok {
			p.stop(b)
			b.Fatalf("the dashboard never showed 32/32 reachable:\n%s", p.tail())
		}
		// Let the staggered loops settle into their rhythm, then measure.
		time.Sleep(2 * time.Second)
		socks0 := procSockets(b, p.cmd.Process.Pid)
		cpu0, at0 := procCPU(b, p.cmd.Process.Pid), time.Now()
		time.Sleep(measure)
		cpu1, at1 := procCPU(b, p.cmd.Process.Pid), time.Now()
		hwm := procHWM(b, p.cmd.Process.Pid)
		// Keep-alive: the polls reuse the connections they had; a socket
		// open now that was not open before was dialled meanwhile.
		socks1, dialled := procSockets(b, p.cmd.Process.Pid), 0
		for s := range socks1 {
			if !socks0[s] {
				dialled++
			}
		}
		b.Logf("sockets: %d open before the measurement, %d after, %d of them new", len(socks0), len(socks1), dialled)
		p.stop(b)
		perMin := (cpu1 - cpu0).Seconds() / at1.Sub(at0).Minutes()
		cpus, rss = append(cpus, perMin), append(rss, float64(hwm)/(1<<20))
		b.Logf("dashboard on fleet:32, polling every 2s, over %v: %.3f CPU-s/min (%.2f%% of one core; budget < 1.2, 2%%), peak RSS %.1f MB (budget < 60)",
			at1.Sub(at0).Round(time.Second), perMin, perMin/60*100, float64(hwm)/(1<<20))
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(medianF(cpus), "cpu-s/min")
	b.ReportMetric(medianF(cpus)/60*100, "%core")
	b.ReportMetric(medianF(rss), "peak-RSS-MB")
}

// BenchmarkDemoStartup measures `vaultrepl demo` from exec to the first
// frame that shows a cluster's data, and to the frame that shows all four
// clusters (budget: first frame with data under 1 s).
func BenchmarkDemoStartup(b *testing.B) {
	bin := vaultreplBinary(b) // before isolate: the build uses the user's Go caches
	isolate(b)
	var first, all []time.Duration
	anyData, allData := regexp.MustCompile(`[1-4]/4 reachable`), regexp.MustCompile(`4/4 reachable`)
	for b.Loop() {
		start := time.Now()
		p := startInPTY(b, bin, "demo")
		at1, ok1 := p.waitFor(anyData, 20*time.Second)
		at2, ok2 := p.waitFor(allData, 20*time.Second)
		p.stop(b)
		if !ok1 || !ok2 {
			b.Fatalf("no data on screen:\n%s", p.tail())
		}
		first, all = append(first, at1.Sub(start)), append(all, at2.Sub(start))
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ms(median(first)), "first-data-ms")
	b.ReportMetric(ms(median(all)), "all-clusters-ms")
	b.Logf("vaultrepl demo, medians of %d starts: first frame with data after %.0f ms (budget < 1000), all four clusters after %.0f ms",
		len(first), ms(median(first)), ms(median(all)))
}

// BenchmarkDemoStartupSilent is BenchmarkDemoStartup in a terminal that
// answers no query (script, serial consoles, CI): the first frame must not
// wait for answers that never come (it waited 10 s when the background was
// asked twice with a 5 s timeout each).
func BenchmarkDemoStartupSilent(b *testing.B) {
	bin := vaultreplBinary(b) // before isolate: the build uses the user's Go caches
	isolate(b)
	var first []time.Duration
	anyData := regexp.MustCompile(`[1-4]/4 reachable`)
	for b.Loop() {
		start := time.Now()
		p := startInPTYWith(b, ptyOptions{silent: true}, bin, "demo")
		at, ok := p.waitFor(anyData, 30*time.Second)
		p.stop(b)
		if !ok {
			b.Fatalf("no data on screen:\n%s", p.tail())
		}
		first = append(first, at.Sub(start))
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ms(median(first)), "first-data-ms")
	b.Logf("vaultrepl demo in a terminal that answers nothing, median of %d starts: first frame with data after %.0f ms",
		len(first), ms(median(first)))
}

// ptyProc is a process on the slave side of a pseudo-terminal. A goroutine
// reads everything it draws and, unless the terminal is silent, answers the
// two queries a terminal answers at start-up (background colour, cursor
// position), as a terminal would. A silent one answers nothing, like
// `script`, some serial consoles and CI runners.
type ptyProc struct {
	cmd    *exec.Cmd
	master *os.File
	silent bool
	mu     sync.Mutex
	out    bytes.Buffer
	seen   int // bytes of out already searched by waitFor
	done   chan struct{}
}

// ptyOptions say how the terminal behaves and what the process is given.
type ptyOptions struct {
	silent bool     // answer no query
	env    []string // added to the environment (after TERM and the locale)
}

func startInPTY(tb testing.TB, bin string, args ...string) *ptyProc {
	tb.Helper()
	return startInPTYWith(tb, ptyOptions{}, bin, args...)
}

func startInPTYWith(tb testing.TB, o ptyOptions, bin string, args ...string) *ptyProc {
	tb.Helper()
	master, slave, err := openPTY(160, 48)
	if err != nil {
		tb.Fatalf("no pseudo-terminal: %v", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=", "LC_CTYPE=", "NO_COLOR=", "COLORFGBG=")
	cmd.Env = append(cmd.Env, o.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		master.Close()
		slave.Close()
		tb.Fatal(err)
	}
	slave.Close()
	p := &ptyProc{cmd: cmd, master: master, silent: o.silent, done: make(chan struct{})}
	go p.read()
	return p
}

var (
	oscBackground = []byte("\x1b]11;?")
	cursorQuery   = []byte("\x1b[6n")
)

func (p *ptyProc) read() {
	defer close(p.done)
	buf := make([]byte, 32<<10)
	for {
		n, err := p.master.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if !p.silent && bytes.Contains(chunk, oscBackground) {
				_, _ = p.master.WriteString("\x1b]11;rgb:0000/0000/0000\x1b\\")
			}
			if !p.silent && bytes.Contains(chunk, cursorQuery) {
				_, _ = p.master.WriteString("\x1b[1;1R")
			}
			p.mu.Lock()
			p.out.Write(chunk)
			p.mu.Unlock()
		}
		if err != nil {
			return // EIO once the process has gone
		}
	}
}

// waitFor returns when the output since the last match matches re.
func (p *ptyProc) waitFor(re *regexp.Regexp, limit time.Duration) (time.Time, bool) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		b := p.out.Bytes()[p.seen:]
		loc := re.FindIndex(b)
		if loc != nil {
			p.seen += loc[1]
		}
		p.mu.Unlock()
		if loc != nil {
			return time.Now(), true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Time{}, false
}

// output is everything the process has written so far.
func (p *ptyProc) output() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.out.Bytes())
}

// tail is the end of the output, escape sequences made visible.
func (p *ptyProc) tail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.out.Bytes()
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return strings.ReplaceAll(string(b), "\x1b", "^[")
}

// stop presses q and waits for a clean exit (killing the process if it
// does not go within ten seconds).
func (p *ptyProc) stop(tb testing.TB) {
	tb.Helper()
	_, _ = p.master.WriteString("q")
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			tb.Errorf("vaultrepl exited with %v:\n%s", err, p.tail())
		}
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-exited
		tb.Errorf("q did not quit within 10s:\n%s", p.tail())
	}
	p.master.Close()
	<-p.done
}

// openPTY opens a pseudo-terminal pair of cols×rows.
func openPTY(cols, rows uint16) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*os.File, *os.File, error) {
		master.Close()
		return nil, nil, err
	}
	var unlock int32
	if err := ioctl(master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); err != nil {
		return fail(fmt.Errorf("unlock pty: %w", err))
	}
	var n uint32
	if err := ioctl(master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); err != nil {
		return fail(fmt.Errorf("pty number: %w", err))
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return fail(err)
	}
	ws := struct{ rows, cols, x, y uint16 }{rows, cols, 0, 0}
	if err := ioctl(slave.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws))); err != nil {
		slave.Close()
		return fail(fmt.Errorf("window size: %w", err))
	}
	return master, slave, nil
}

func ioctl(fd, req, arg uintptr) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, req, arg); e != 0 {
		return e
	}
	return nil
}

// userHZ is the unit of utime and stime in /proc/<pid>/stat: USER_HZ,
// which Linux fixes at 100 for user space on every architecture Go runs on.
const userHZ = 100

// procCPU is the user plus system CPU time of a process (all its threads).
func procCPU(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// The command name, in parentheses, may contain spaces: count fields
	// after its closing parenthesis (field 3, the state, comes first).
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	utime, err1 := strconv.ParseInt(fields[14-3], 10, 64)
	stime, err2 := strconv.ParseInt(fields[15-3], 10, 64)
	if err1 != nil || err2 != nil {
		tb.Fatalf("/proc/%d/stat: %q", pid, s)
	}
	return time.Duration(utime+stime) * time.Second / userHZ
}

// procHWM is a process's peak resident set size (VmHWM) in bytes.
// procSockets is the set of sockets process pid has open ("socket:[inode]").
func procSockets(tb testing.TB, pid int) map[string]bool {
	tb.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]bool{}
	for _, fd := range fds {
		if target, err := os.Readlink(dir + "/" + fd.Name()); err == nil && strings.HasPrefix(target, "socket:") {
			out[target] = true
		}
	}
	return out
}

func procHWM(tb testing.TB, pid int) int64 {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				tb.Fatalf("VmHWM %q", line)
			}
			return kb << 10
		}
	}
	tb.Fatalf("/proc/%d/status has no VmHWM", pid)
	return 0
}

func medianF(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
