package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/qianchain/qianchain/contracts/demo"
)

// startAttacks starts every attack on tgt; they run until ctx ends, then
// close what they hold (attacks.wait).
func startAttacks(ctx context.Context, o Options, tgt target, obsKey crypto.PrivKey) *attacks {
	a := newAttacks()
	// Each attack comes from loopback addresses of its own, 127.0.K.2 and
	// up: the node counts a client per address.
	from := func(k, i, clients int) string { return fmt.Sprintf("127.0.%d.%d", k, 2+i%clients) }
	// The connections open over rampUp, not in one burst of thousands
	// that would spend the shared cores on the attacker's dialling.
	ramp := func(i, n int) time.Duration { return time.Duration(i) * rampUp / time.Duration(max(n, 1)) }
	for i := 0; i < o.Idle; i++ {
		src, wait := from(1, i, o.Clients), ramp(i, o.Idle)
		a.start(func() { sleep(ctx, wait); idleConn(ctx, a, src, tgt.HTTP) })
	}
	for i := 0; i < o.SlowBodies; i++ {
		src, wait := from(2, i, o.Clients), ramp(i, o.SlowBodies)
		a.start(func() { sleep(ctx, wait); slowBody(ctx, a, src, tgt.HTTP) })
	}
	// Enough subscribers' addresses to reach the cap in all, not only
	// each address's share of it.
	streamClients := max(o.Clients, (o.Streams+5)/6)
	for i := 0; i < o.Streams; i++ {
		src, wait := from(3, i, streamClients), ramp(i, o.Streams)
		a.start(func() { sleep(ctx, wait); silentSubscriber(ctx, a, src, tgt.HTTP) })
	}
	if o.FloodRate > 0 {
		a.start(func() {
			flood(ctx, a, o.FloodRate, o.Clients, func(i int) string { return from(4, i, o.Clients) }, tgt)
		})
	}
	for i := 0; i < o.Garbage; i++ {
		src := from(5, i, o.Clients)
		a.start(func() { garbage(ctx, a, src, tgt.P2P) })
	}
	a.start(func() { outsider(ctx, a, tgt) })
	if o.FrameStreams > 0 {
		a.start(func() { frames(ctx, a, obsKey, tgt, o.FrameStreams, o.Fillers) })
	}
	return a
}

// rampUp is how long the attack takes to open its connections.
const rampUp = 5 * time.Second

// refusedBackoff is how long a connection refused at once waits before it
// tries again: the attack holds thousands of connections rather than
// opening thousands a second, which on loopback would spend the shared
// cores on the attacker as much as on node0.
const refusedBackoff = 5 * time.Second

// dialFrom opens a TCP connection to addr from the loopback address src.
func dialFrom(ctx context.Context, src, addr string, rcvbuf int) (net.Conn, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	if rcvbuf > 0 {
		// Set before connecting, so the window offered to the node is small
		// from the start.
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf) })
			if err != nil {
				return err
			}
			return serr
		}
	}
	return d.DialContext(ctx, "tcp", addr)
}

// holdUntilClosed waits until the peer closes c (a read ends) or ctx ends,
// and says whether the peer closed it.
func holdUntilClosed(ctx context.Context, c net.Conn) bool {
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, c); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		c.Close()
		<-done
		return false
	}
}

// idleConn opens a connection and sends nothing, again and again.
func idleConn(ctx context.Context, a *attacks, src, addr string) {
	const name = "idle"
	for ctx.Err() == nil {
		c, ok := dialOrWait(ctx, a, name, src, addr, 0)
		if !ok {
			continue
		}
		opened := time.Now()
		a.add(name, "open", 1)
		closedByNode := holdUntilClosed(ctx, c)
		c.Close()
		a.add(name, "open", -1)
		if !closedByNode {
			return
		}
		closed(ctx, a, name, opened)
	}
}

// slowBody sends a batch submission's headers announcing 16,000,000 bytes,
// then a byte a second, again and again.
func slowBody(ctx context.Context, a *attacks, src, addr string) {
	const name = "slow-body"
	for ctx.Err() == nil {
		c, ok := dialOrWait(ctx, a, name, src, addr, 0)
		if !ok {
			continue
		}
		opened := time.Now()
		a.add(name, "open", 1)
		answer := make(chan string, 1)
		go func() { answer <- status(bufio.NewReader(c)) }()
		_, err := io.WriteString(c, "POST /v1/txs/batch HTTP/1.1\r\nHost: node0\r\nContent-Type: application/json\r\nContent-Length: 16000000\r\n\r\n{")
		var got string
		answered := false
		tick := time.NewTicker(time.Second)
	trickle:
		for err == nil {
			select {
			case <-ctx.Done():
				break trickle
			case got = <-answer:
				answered = true
				break trickle
			case <-tick.C:
				_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
				_, err = c.Write([]byte(" "))
			}
		}
		tick.Stop()
		c.Close()
		if !answered {
			got = <-answer // the reader ends with the connection
		}
		a.add(name, "open", -1)
		if ctx.Err() != nil {
			return
		}
		if got != "" {
			a.add(name, got, 1)
		} else {
			closed(ctx, a, name, opened)
		}
	}
}

// dialOrWait opens a connection to addr from src for the attack name (with
// a receive buffer of rcvbuf bytes unless 0). A dial that fails is counted
// and waited out for a second, and ok is false.
func dialOrWait(ctx context.Context, a *attacks, name, src, addr string, rcvbuf int) (c net.Conn, ok bool) {
	c, err := dialFrom(ctx, src, addr, rcvbuf)
	if err != nil {
		a.add(name, "dial failed", 1)
		sleep(ctx, time.Second)
		return nil, false
	}
	return c, true
}

// closed counts a connection opened at opened that node0 closed: refused
// when it lasted under half a second (then waits refusedBackoff before the
// next), closed otherwise.
func closed(ctx context.Context, a *attacks, name string, opened time.Time) {
	if time.Since(opened) < 500*time.Millisecond {
		a.add(name, "refused", 1)
		sleep(ctx, refusedBackoff)
	} else {
		a.add(name, "closed", 1)
	}
}

// status reads an HTTP response's status and, for an error, its code:
// "408 ERR_REQUEST_TIMEOUT"; "" when the connection ends first.
func status(br *bufio.Reader) string {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	return answerOf(resp)
}

// answerOf is a response's status and, for an error, the code its JSON body
// gives: "429 ERR_RATE_LIMITED". It reads at most 4 KiB of an error's body.
func answerOf(resp *http.Response) string {
	s := fmt.Sprint(resp.StatusCode)
	if resp.StatusCode >= 400 {
		var e struct{ Code string }
		if json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&e) == nil && e.Code != "" {
			s += " " + e.Code
		}
	}
	return s
}

// silentSubscriber subscribes to the event stream with a 4 KiB receive
// buffer and never reads past the headers; it lets go after two minutes
// (the node has dropped it by then) and subscribes again. A refusal waits
// out its Retry-After.
func silentSubscriber(ctx context.Context, a *attacks, src, addr string) {
	const name = "streams"
	for ctx.Err() == nil {
		c, ok := dialOrWait(ctx, a, name, src, addr, 4096)
		if !ok {
			continue
		}
		io.WriteString(c, "GET /v1/events HTTP/1.1\r\nHost: node0\r\n\r\n")
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReaderSize(c, 512)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			c.Close()
			a.add(name, "no answer", 1)
			sleep(ctx, time.Second)
			continue
		}
		if resp.StatusCode != http.StatusOK {
			got := answerOf(resp)
			c.Close()
			a.add(name, got, 1)
			sleep(ctx, 10*time.Second)
			continue
		}
		a.add(name, "subscribed", 1)
		a.add(name, "held", 1)
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Minute):
		}
		c.Close()
		a.add(name, "held", -1)
	}
}

// flood requests the consumer page and the lot's JSON alternately, rate
// times a second in all, from clients addresses over keep-alive
// connections.
func flood(ctx context.Context, a *attacks, rate, clients int, src func(int) string, tgt target) {
	const name = "flood"
	lot := demo.DemoLot
	paths := []struct{ path, accept string }{
		{tgt.PagePath, "text/html"},
		{"/v1/lots/" + lot.Key + "/" + lot.Ext, "application/json"},
	}
	jobs := make(chan int, 256)
	workers := 4 * clients
	done := make(chan struct{})
	for w := 0; w < workers; w++ {
		ip := src(w)
		tr := &http.Transport{MaxIdleConnsPerHost: 4, DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}).DialContext}
		hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range jobs {
				p := paths[i%len(paths)]
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+tgt.HTTP+p.path, nil)
				req.Header.Set("Accept", p.accept)
				resp, err := hc.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						a.add(name, "error", 1)
					}
					continue
				}
				got := answerOf(resp)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				a.add(name, got, 1)
			}
			tr.CloseIdleConnections()
		}()
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i := 0; ctx.Err() == nil; i++ {
		select {
		case <-ctx.Done():
		case <-tick.C:
			select {
			case jobs <- i:
			default:
				a.add(name, "not sent (workers busy)", 1)
			}
		}
	}
	close(jobs)
	for w := 0; w < workers; w++ {
		<-done
	}
}
