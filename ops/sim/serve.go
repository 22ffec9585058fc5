package sim

// Serving: loopback listeners, the real-time driver, shutdown, and the
// outbound client clusters use to call each other (partition-aware).

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Start listens on 127.0.0.1 (never another address): one port per cluster in
// topology order, then the control endpoint. With a real-time clock it also
// starts the driver that moves the model while nobody is asking.
func (l *Lab) Start() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("lab is closed")
	}
	if l.started {
		return errors.New("lab already started")
	}
	var opened []net.Listener
	fail := func(err error) error {
		for _, ln := range opened {
			ln.Close()
		}
		return err
	}
	lns := make([]net.Listener, len(l.clusters))
	for i, c := range l.clusters {
		port := 0
		if l.opts.PortBase > 0 {
			port = l.opts.PortBase + i
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return fail(fmt.Errorf("start lab cluster %s: %w", c.name, err))
		}
		opened = append(opened, ln)
		lns[i] = ln
	}
	cport := 0
	if l.opts.PortBase > 0 {
		cport = l.opts.PortBase + len(l.clusters)
	}
	cln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cport)))
	if err != nil {
		return fail(fmt.Errorf("start lab control endpoint: %w", err))
	}
	scheme := "http://"
	if l.tls != nil {
		scheme = "https://"
		for i := range lns {
			lns[i] = tls.NewListener(lns[i], l.tls.serverConfig())
		}
	}
	for i, c := range l.clusters {
		c.port = lns[i].Addr().(*net.TCPAddr).Port
		c.apiAddr = scheme + lns[i].Addr().String()
		if !c.stopped {
			l.serve(c, lns[i])
		} else {
			lns[i].Close()
		}
	}
	l.ctrlAddr = cln.Addr().String()
	l.control = &http.Server{Handler: l.ControlHandler(), ReadHeaderTimeout: 10 * time.Second}
	l.serving.Add(1)
	go func() {
		defer l.serving.Done()
		_ = l.control.Serve(cln)
	}()
	if l.manual == nil {
		l.serving.Add(1)
		go l.drive()
	}
	l.started = true
	return nil
}

func (l *Lab) serve(c *cluster, ln net.Listener) {
	srv := &http.Server{Handler: c.handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: serverLog}
	done := make(chan struct{})
	c.srv, c.served = srv, done
	l.serving.Add(1)
	go func() {
		defer l.serving.Done()
		defer close(done)
		_ = srv.Serve(ln)
	}()
}

// serverLog is net/http's error log for the clusters without the TLS
// handshake failures: in a TLS lab a client that does not trust the lab's CA
// is a lesson, not a fault, and its failure shows at the client; logged here
// it would scroll the trainer's terminal. Everything else (a handler's panic)
// still reaches stderr.
var serverLog = log.New(handshakeFilter{os.Stderr}, "", log.LstdFlags)

type handshakeFilter struct{ w io.Writer }

func (f handshakeFilter) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("TLS handshake error")) {
		return len(p), nil
	}
	return f.w.Write(p)
}

// drive moves the model with real time so that background writes, heartbeats
// and syncs happen between requests.
func (l *Lab) drive() {
	defer l.serving.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-l.closing:
			return
		case <-t.C:
			l.mu.Lock()
			l.syncLocked()
			l.mu.Unlock()
		}
	}
}

// Close stops every listener, releases hung and delayed requests, cancels
// outbound calls and waits for all of the lab's goroutines.
func (l *Lab) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.closing)
	l.cancel()
	var servers []*http.Server
	for _, c := range l.clusters {
		if c.srv != nil {
			servers = append(servers, c.srv)
			c.srv = nil
		}
	}
	if l.control != nil {
		servers = append(servers, l.control)
	}
	l.mu.Unlock()

	var errs []error
	for _, s := range servers {
		if err := s.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	l.serving.Wait()
	l.inflight.Wait()
	for _, c := range l.clusters {
		c.outbound.CloseIdleConnections()
	}
	return errors.Join(errs...)
}

// newOutbound builds the HTTP client a cluster uses to call other clusters
// (the unwrap during activation). Its dialer honours partitions: a partitioned
// peer looks like a dial timeout, returned at once so tests need not wait.
func (l *Lab) newOutbound(c *cluster) {
	d := &net.Dialer{Timeout: 5 * time.Second}
	c.outbound = &http.Transport{
		Proxy: nil, // loopback only: never through a proxy from the environment
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if !loopback(addr) {
				// The lab lives on 127.0.0.1: a primary_api_addr elsewhere
				// (a typo, a real hostname) must not leave the machine.
				return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("the lab reaches only 127.0.0.1 (simulated)")}
			}
			if l.partitionedFrom(c, addr) {
				ta, _ := net.ResolveTCPAddr(network, addr)
				return nil, &net.OpError{Op: "dial", Net: network, Addr: ta, Err: errDialTimeout{}}
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     30 * time.Second,
	}
	if l.tls != nil {
		// A secondary unwraps at its primary over HTTPS and trusts the
		// lab's CA, as a real one given ca_file would.
		c.outbound.TLSClientConfig = l.tls.clientConfig()
	}
	c.client = &http.Client{Transport: c.outbound}
}

// errDialTimeout reads like the error a dial into a black-holed network gives.
type errDialTimeout struct{}

func (errDialTimeout) Error() string   { return "i/o timeout" }
func (errDialTimeout) Timeout() bool   { return true }
func (errDialTimeout) Temporary() bool { return true }

// partitionedFrom reports whether addr belongs to a cluster partitioned from c.
func (l *Lab) partitionedFrom(c *cluster, addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	for _, o := range l.clusters {
		if o != c && o.apiAddr != "" && (strconv.Itoa(o.port) == port || hostPortOf(o.apiAddr) == addr) {
			if l.partitions[pairKey(c.name, o.name)] {
				return true
			}
		}
	}
	return false
}

// hostPortOf is an API address without its scheme.
func hostPortOf(apiAddr string) string {
	_, hp, found := strings.Cut(apiAddr, "://")
	if !found {
		return apiAddr
	}
	return hp
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
