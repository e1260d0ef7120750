package node_test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/node/nodetest"
)

// The node's HTTP server applies the http.* keys: a connection that sends
// nothing is closed by the read timeout, and a client's connections beyond
// its cap are closed as they arrive. (Before, the server set only a 10 s
// header timeout and took every connection.)
func TestNodeHTTPServerAppliesLimits(t *testing.T) {
	nw := nodetest.New(t, nodetest.Options{Validators: 1})
	h := &nw.Members[0].Config.HTTP
	h.ReadTimeout, h.WriteTimeout, h.IdleTimeout = time.Second, time.Second, time.Second
	h.MaxConnections, h.MaxConnectionsPerClient, h.LimitLoopback = 100, 2, true
	nw.StartAll()
	addr := strings.TrimPrefix(nw.Members[0].URL, "http://")

	closed := func(c net.Conn, within time.Duration) bool {
		_ = c.SetReadDeadline(time.Now().Add(within))
		_, err := io.Copy(io.Discard, c)
		ne, ok := err.(net.Error)
		return !(ok && ne.Timeout())
	}
	var conns []net.Conn
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	if !closed(conns[2], 5*time.Second) {
		t.Fatal("a third connection from one client stayed open; the cap is 2")
	}
	if !closed(conns[0], 10*time.Second) {
		t.Fatal("a silent connection is still open 10 s after a 1 s read timeout")
	}
}
