package httpserver

import (
	"io"
	"net"
	"testing"
	"time"
)

// TestListenerConnClosesWrite: a connection from the capped listener can
// end its sending side and still read, as a TCP connection can, so that a
// server closing a connection whose request it did not read whole lets the
// client read the answer first (net/http's closeWriteAndWait, the lane's).
func TestListenerConnClosesWrite(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := NewListener(raw, 0, 0, false)
	defer ln.Close()
	client := dialFrom(t, "127.0.0.1", ln.Addr().String())
	_ = client.SetDeadline(time.Now().Add(10 * time.Second))
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	_ = server.SetDeadline(time.Now().Add(10 * time.Second))
	cw, ok := server.(interface{ CloseWrite() error })
	if !ok {
		t.Fatal("the listener's connection has no CloseWrite")
	}
	io.WriteString(server, "answer")
	if err := cw.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(client); err != nil || string(got) != "answer" {
		t.Fatalf("the client read %q, %v; want the answer, then the end", got, err)
	}
	io.WriteString(client, "more")
	buf := make([]byte, 4)
	if _, err := io.ReadFull(server, buf); err != nil || string(buf) != "more" {
		t.Fatalf("after CloseWrite the server read %q, %v", buf, err)
	}
}
