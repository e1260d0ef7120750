package main

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// link is a TCP proxy for one directed pair of nodes: node From dials
// Addr() to reach node To. Every libp2p connection between two nodes runs
// through the link of whichever side dialled, so cutting both links of a
// pair separates the pair completely, without root and without touching
// the nodes.
//
// A cut link closes its live connections (both halves) and refuses new
// ones by accepting and closing them at once; healing accepts again. The
// listener stays bound throughout, so the address in the nodes' config
// stays valid. All methods are safe for concurrent use.
type link struct {
	From, To int
	ln       net.Listener
	target   string // the To node's real TCP listen address

	mu     sync.Mutex
	cut    bool
	closed bool
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup

	// Counters, for the report and the tests.
	accepted, refused int
}

// newLink listens on 127.0.0.1 (a port from the kernel) and forwards to
// target. avoid lists ports the nodes will bind later, which the link
// must not take.
func newLink(from, to int, target string, avoid map[int]bool) (*link, error) {
	var ln net.Listener
	for tries := 0; ; tries++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		if !avoid[l.Addr().(*net.TCPAddr).Port] {
			ln = l
			break
		}
		// Keep the unlucky listener open until we have another port, so
		// the kernel does not hand the same one back.
		defer l.Close()
		if tries > 100 {
			return nil, errors.New("proxy: no free port outside the nodes' ports")
		}
	}
	l := &link{From: from, To: to, ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	l.wg.Add(1)
	go l.serve()
	return l, nil
}

// Addr is the address the From node dials.
func (l *link) Addr() *net.TCPAddr { return l.ln.Addr().(*net.TCPAddr) }

func (l *link) serve() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return // closed
		}
		l.mu.Lock()
		if l.cut || l.closed {
			l.refused++
			l.mu.Unlock()
			c.Close()
			continue
		}
		l.accepted++
		l.conns[c] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go l.forward(c)
	}
}

// forward copies both ways between an accepted connection and a fresh one
// to the target, until either side ends or the link is cut.
func (l *link) forward(in net.Conn) {
	defer l.wg.Done()
	defer l.drop(in)
	out, err := net.DialTimeout("tcp", l.target, 2*time.Second)
	if err != nil {
		return // the target is down: the dialler sees the connection close
	}
	l.mu.Lock()
	if l.cut || l.closed {
		l.mu.Unlock()
		out.Close()
		return
	}
	l.conns[out] = struct{}{}
	l.mu.Unlock()
	defer l.drop(out)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		// Half-close would keep a cut connection half alive; close both.
		dst.Close()
		src.Close()
		done <- struct{}{}
	}
	go pipe(out, in)
	go pipe(in, out)
	<-done
	<-done
}

func (l *link) drop(c net.Conn) {
	c.Close()
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
}

// Cut closes every live connection and refuses new ones until Heal.
func (l *link) Cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cut = true
	for c := range l.conns {
		c.Close()
	}
}

// Heal accepts connections again.
func (l *link) Heal() {
	l.mu.Lock()
	l.cut = false
	l.mu.Unlock()
}

// IsCut reports whether the link refuses connections.
func (l *link) IsCut() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cut
}

// Live is the number of open connections (each forwarded connection counts
// twice: the accepted half and the dialled half).
func (l *link) Live() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// Close stops the listener and every connection, and waits for the
// goroutines.
func (l *link) Close() {
	l.mu.Lock()
	l.closed = true
	for c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	l.ln.Close()
	l.wg.Wait()
}

// fabric is every link of a network, by directed pair.
type fabric struct {
	links map[[2]int]*link
}

// pair returns the links between a and b, in both directions (those that
// exist: validators do not dial observers).
func (f *fabric) pair(a, b int) []*link {
	var out []*link
	for _, k := range [][2]int{{a, b}, {b, a}} {
		if l, ok := f.links[k]; ok {
			out = append(out, l)
		}
	}
	return out
}

// between returns the links joining any node of g to any node of h.
func (f *fabric) between(g, h []int) []*link {
	var out []*link
	for _, a := range g {
		for _, b := range h {
			out = append(out, f.pair(a, b)...)
		}
	}
	return out
}

// touching returns every link to or from node i.
func (f *fabric) touching(i int) []*link {
	var out []*link
	for k, l := range f.links {
		if k[0] == i || k[1] == i {
			out = append(out, l)
		}
	}
	return out
}

// healAll heals every link.
func (f *fabric) healAll() {
	for _, l := range f.links {
		l.Heal()
	}
}

func (f *fabric) close() {
	for _, l := range f.links {
		l.Close()
	}
}
