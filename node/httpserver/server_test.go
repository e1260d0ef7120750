package httpserver

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serve starts the server New builds for h with c, on Listen's listener on
// 127.0.0.1, and returns its address; with a lane, NewServer's, whose lane
// takes POSTs to /, and the count of requests the lane answered (laneServed,
// 0 without).
func serve(t *testing.T, c Config, h http.Handler, lane bool) (string, *Listener) {
	t.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Listen(raw, c)
	laneServed = func() uint64 { return 0 }
	if lane {
		srv := NewServer(h, c, context.Background(), Lane{Paths: []string{"/"}})
		laneServed = srv.Served
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	} else {
		srv := New(h, c, context.Background())
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	}
	return ln.Addr().String(), ln
}

// laneServed is the lane's count of the server serve started last.
var laneServed func() uint64

// bothServers runs f against net/http's server and against the lane's.
// (With the lane, a test's GETs are net/http's, handed over by the lane;
// its plain POSTs to / are the lane's.)
func bothServers(t *testing.T, f func(t *testing.T, lane bool)) {
	for _, lane := range []bool{false, true} {
		name := "net/http"
		if lane {
			name = "lane"
		}
		t.Run(name, func(t *testing.T) { f(t, lane) })
	}
}

// dialFrom opens a TCP connection to addr from the loopback address src
// (127.0.0.0/8 is all loopback on Linux), so one test can be many clients.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedWithin reports whether the server closes c (a read ends) within d,
// discarding whatever it answered before; d is far longer than the timeout
// under test, so a slow machine does not fail it, and an unlimited server
// does.
func closedWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, err := io.ReadAll(r.Body); err != nil {
		http.Error(w, err.Error(), http.StatusRequestTimeout)
		return
	}
	io.WriteString(w, "ok")
})

// A client that stops sending its body, one that sends nothing, and one
// that keeps an idle keep-alive connection are each disconnected by the
// server's timeouts.
// (With the lane, the slow body is the lane's: it fits the lane's limit.)
func TestTimeoutsEndStalledConnections(t *testing.T) { bothServers(t, timeoutsEndStalledConnections) }

func timeoutsEndStalledConnections(t *testing.T, lane bool) {
	addr, _ := serve(t, Config{ReadTimeout: time.Second, WriteTimeout: time.Second, IdleTimeout: time.Second}, echo, lane)

	slowBody := dialFrom(t, "127.0.0.1", addr)
	io.WriteString(slowBody, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nthe first bytes of a body that never ends")
	silent := dialFrom(t, "127.0.0.1", addr)
	idle := dialFrom(t, "127.0.0.1", addr)
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the idle connection's request: %v %v", resp, err)
	}
	resp.Body.Close()

	// The same after a lane request (net/http's own, without the lane).
	idlePost := dialFrom(t, "127.0.0.1", addr)
	io.WriteString(idlePost, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
	resp, err = http.ReadResponse(bufio.NewReader(idlePost), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the idle connection's POST: %v %v", resp, err)
	}
	resp.Body.Close()

	for name, c := range map[string]net.Conn{"slow body": slowBody, "silent": silent, "idle keep-alive": idle, "idle after a POST": idlePost} {
		if !closedWithin(c, 10*time.Second) {
			t.Errorf("%s: the connection is still open 10 s after a 1 s timeout", name)
		}
	}
	if lane && laneServed() != 2 {
		t.Errorf("the lane answered %d requests; want the slow body's and the idle POST's", laneServed())
	}
}

// A client that does not read its response is cut off by WriteTimeout:
// the server does not keep writing to it (it gets much less than sent).
// (A GET: with the lane, net/http's after the hand-off; the lane's own
// answers are held whole and at most 1 MiB.)
func TestWriteTimeoutEndsUnreadResponse(t *testing.T) { bothServers(t, writeTimeoutEndsUnreadResponse) }

func writeTimeoutEndsUnreadResponse(t *testing.T, lane bool) {
	const size = 256 << 20
	addr, _ := serve(t, Config{ReadTimeout: time.Second, WriteTimeout: time.Second, IdleTimeout: time.Second},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			chunk := make([]byte, 1<<20)
			for i := 0; i < size/len(chunk); i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}), lane)
	c := dialFrom(t, "127.0.0.1", addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(3 * time.Second) // not reading: the socket buffers fill, the server's write blocks past its deadline
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _ := io.Copy(io.Discard, c)
	if n >= size {
		t.Fatalf("the client got all %d bytes; the write timeout did not end the response", n)
	}
}

// Connections beyond the per-client cap, or beyond the cap in all, are
// closed as they arrive; a freed slot is taken again; a client is an IPv4
// address (loopback exempt unless LimitLoopback).
func TestConnectionCaps(t *testing.T) { bothServers(t, connectionCaps) }

func connectionCaps(t *testing.T, lane bool) {
	c := Config{ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 30 * time.Second,
		MaxConns: 4, MaxConnsPerClient: 2, LimitLoopback: true}
	addr, ln := serve(t, c, echo, lane)
	works := func(conn net.Conn) bool {
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return false
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}
	a1, a2 := dialFrom(t, "127.0.0.1", addr), dialFrom(t, "127.0.0.1", addr)
	if !works(a1) || !works(a2) {
		t.Fatal("a client's first two connections do not work")
	}
	if a3 := dialFrom(t, "127.0.0.1", addr); works(a3) {
		t.Fatal("a client's third connection was served; the cap is 2")
	}
	b1, c1 := dialFrom(t, "127.0.0.2", addr), dialFrom(t, "127.0.0.3", addr)
	if !works(b1) || !works(c1) {
		t.Fatal("other clients are refused while one is at its cap")
	}
	if d1 := dialFrom(t, "127.0.0.4", addr); works(d1) {
		t.Fatal("a fifth connection was served; the cap in all is 4")
	}
	if ln.Refused() != 2 || ln.Open() != 4 {
		t.Fatalf("refused %d, open %d; want 2 and 4", ln.Refused(), ln.Open())
	}
	a1.Close()
	waitFor(t, "the closed connection's slot", func() bool { return ln.Open() == 3 })
	if !works(dialFrom(t, "127.0.0.1", addr)) {
		t.Fatal("a freed slot is not taken again")
	}

	// Loopback is exempt from the per-client cap unless asked.
	c.LimitLoopback, c.MaxConns = false, 100
	addr, _ = serve(t, c, echo, lane)
	for i := 0; i < 5; i++ {
		if !works(dialFrom(t, "127.0.0.1", addr)) {
			t.Fatalf("loopback connection %d refused without LimitLoopback", i)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A client is an IPv4 address or an IPv6 /64.
func TestClient(t *testing.T) {
	for _, c := range []struct{ ip, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"::1", "::/64"},
	} {
		if got := Client(net.ParseIP(c.ip)); got != c.want {
			t.Errorf("Client(%s) = %s, want %s", c.ip, got, c.want)
		}
	}
	if Client(nil) != "" {
		t.Error("a nil IP has a client")
	}
	r := &http.Request{RemoteAddr: "[2001:db8:1:2::99]:443"}
	if got := Client(RemoteIP(r)); !strings.HasSuffix(got, "/64") {
		t.Errorf("RemoteIP of %s: %s", r.RemoteAddr, got)
	}
}
