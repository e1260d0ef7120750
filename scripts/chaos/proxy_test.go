package main

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// echoServer answers every line with the same line.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a line through c and reads the echo; a closed or refused
// connection gives an error (the deadline only guards against a hang).
func roundTrip(c net.Conn, line string) (string, error) {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(line + "\n")); err != nil {
		return "", err
	}
	s, err := bufio.NewReader(c).ReadString('\n')
	return s, err
}

func TestLinkForwardsCutsAndHeals(t *testing.T) {
	l, err := newLink(0, 1, echoServer(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	live, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if got, err := roundTrip(live, "before"); err != nil || got != "before\n" {
		t.Fatalf("through the link: %q, %v", got, err)
	}

	// A cut closes the live connection ...
	l.Cut()
	if got, err := roundTrip(live, "during"); err == nil {
		t.Fatalf("a cut link carried %q on a connection opened before the cut", got)
	}
	// ... and refuses new ones: they are accepted, then closed unanswered.
	fresh, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := roundTrip(fresh, "during"); err == nil {
		t.Fatalf("a cut link carried %q on a new connection", got)
	}
	fresh.Close()
	if !l.IsCut() {
		t.Fatal("IsCut is false after Cut")
	}

	// Healed, the same address works again.
	l.Heal()
	again, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got, err := roundTrip(again, "after"); err != nil || got != "after\n" {
		t.Fatalf("after healing: %q, %v", got, err)
	}
	l.mu.Lock()
	accepted, refused := l.accepted, l.refused
	l.mu.Unlock()
	if accepted != 2 || refused != 1 {
		t.Fatalf("accepted %d, refused %d; want 2 and 1", accepted, refused)
	}
}

func TestLinkAvoidsPorts(t *testing.T) {
	// Take a port, then ask for a link that must avoid it: the link must
	// land elsewhere even if the kernel offers that port again.
	first, err := newLink(0, 1, "127.0.0.1:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	taken := first.Addr().Port
	first.Close()
	l, err := newLink(0, 1, "127.0.0.1:1", map[int]bool{taken: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Addr().Port == taken {
		t.Fatalf("link took avoided port %d", taken)
	}
}

// The fabric of a testnet: validators 0-3 dial each other, the observer 4
// dials every validator; nobody dials the observer.
func testFabric() *fabric {
	f := &fabric{links: map[[2]int]*link{}}
	for a := 0; a < 5; a++ {
		for b := 0; b < 4; b++ {
			if a != b {
				f.links[[2]int{a, b}] = &link{From: a, To: b}
			}
		}
	}
	return f
}

func TestFabricSelections(t *testing.T) {
	f := testFabric()
	if n := len(f.links); n != 16 {
		t.Fatalf("%d links, want 16", n)
	}
	// Isolating a validator cuts its 3+3 links with the other validators
	// and the observer's link to it.
	if n := len(f.touching(2)); n != 7 {
		t.Fatalf("touching(2): %d links, want 7", n)
	}
	// Isolating the observer cuts its 4 outgoing links.
	if n := len(f.touching(4)); n != 4 {
		t.Fatalf("touching(4): %d links, want 4", n)
	}
	// A 2-2 split with the observer on one side: 2x2 validator pairs, both
	// directions, plus the observer's links to the 2 validators across.
	got := f.between([]int{0, 1, 4}, []int{2, 3})
	if len(got) != 10 {
		t.Fatalf("between: %d links, want 10", len(got))
	}
	for _, l := range got {
		inA := l.From == 0 || l.From == 1 || l.From == 4
		inB := l.To == 2 || l.To == 3
		if inA != inB {
			t.Fatalf("link %d->%d does not cross the split", l.From, l.To)
		}
	}
	if n := len(f.pair(4, 0)); n != 1 {
		t.Fatalf("pair(observer, node0): %d links, want 1 (validators do not dial observers)", n)
	}
}
