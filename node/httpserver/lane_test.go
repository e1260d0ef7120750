package httpserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http/httpguts"
)

// mimic answers as the API's submission does, by what the body says: it
// reads the body under a limit, and says in X-Seen what it saw of the
// request, so that a lane request and net/http's are compared whole.
var mimic = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Seen", fmt.Sprintf("%s %s %s %s %q %d %q", r.Method, r.URL, r.RequestURI, r.Proto, r.Host,
		r.ContentLength, r.Header.Get("Content-Type")))
	if r.Header.Get("Content-Type") == "skip" {
		io.WriteString(w, "body not read")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, mimicLimit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
	case err != nil:
		w.Header().Set("Connection", "close")
		http.Error(w, "timeout", http.StatusRequestTimeout)
	case string(body) == "ok":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"code": "OK"}`+"\n")
	case string(body) == "none":
	case string(body) == "sniff":
		io.WriteString(w, "<html><body>hi</body></html>")
	case string(body) == "close":
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	case string(body) == "nocontent":
		w.WriteHeader(http.StatusNoContent)
	case string(body) == "panic":
		panic(http.ErrAbortHandler)
	default:
		w.Header().Set("Retry-After", "1")
		w.Header().Add("X-Two", "a")
		w.Header().Add("X-Two", "b")
		http.Error(w, "refused: "+string(body), http.StatusServiceUnavailable)
	}
})

const mimicLimit = 64

// startPair serves h with net/http alone and with a lane for POST /x, and
// returns both addresses and the lane's server.
func startPair(t *testing.T, h http.Handler) (plain, laned string, s *Server) {
	t.Helper()
	c := Config{ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second}
	listen := func() net.Listener {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return ln
	}
	p := New(h, c, context.Background())
	pl := listen()
	go p.Serve(pl)
	s = NewServer(h, c, context.Background(), Lane{Paths: []string{"/x"}, MaxBody: mimicLimit})
	ll := listen()
	go s.Serve(ll)
	t.Cleanup(func() { p.Close(); s.Close() })
	return pl.Addr().String(), ll.Addr().String(), s
}

// next is what transcript sends after the request under test: a lane
// request, which shows that the first one's body was read to its end and
// no further, then a GET.
const next = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok" + "GET /after HTTP/1.1\r\nHost: h\r\n\r\n"

// transcript sends req, then next on the same connection (or, halfClose,
// closes its sending side after req), and writes what came back: each
// answer's status, headers but Date, and body, then whether the connection
// was closed.
func transcript(t *testing.T, addr, req string, halfClose bool) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	answers := 3
	if halfClose {
		answers = 1
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatal(err)
		}
		c.(*net.TCPConn).CloseWrite()
	} else if _, err := io.WriteString(c, req+next); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out strings.Builder
	for i := 0; i < answers; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			fmt.Fprintf(&out, "closed (%v)\n", errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF))
			return out.String()
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(&out, "%s %v\n", resp.Status, resp.Close)
		keys := make([]string, 0, len(resp.Header))
		for k := range resp.Header {
			if k != "Date" {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&out, "%s: %q\n", k, resp.Header[k])
		}
		if _, ok := resp.Header["Date"]; !ok {
			out.WriteString("no Date\n")
		}
		fmt.Fprintf(&out, "%q\n", body)
	}
	return out.String()
}

// TestLaneAnswersAsNetHTTP: every request, whether the lane answers it or
// hands it to net/http, gets the same answer as from net/http alone —
// status, headers, body, and whether the connection stays open for the
// next request — and the plain ones are the lane's.
func TestLaneAnswersAsNetHTTP(t *testing.T) {
	plain, laned, s := startPair(t, mimic)
	const head = "POST /x HTTP/1.1\r\nHost: h\r\n"
	for _, c := range []struct {
		name, req string
		lane      bool // the lane answers it
		halfClose bool // the client sends no more after it
	}{
		{"accepted", head + "Content-Type: application/octet-stream\r\nContent-Length: 2\r\n\r\nok", true, false},
		{"Go's client", "POST /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 2\r\n" +
			"Content-Type: application/octet-stream\r\nAccept-Encoding: gzip\r\n\r\nok", true, false},
		{"curl", "POST /x HTTP/1.1\r\nHost: [::1]:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nContent-Type: application/json\r\n" +
			"Content-Length: 2\r\n\r\nok", true, false},
		{"lower-case names, spaces around values", "POST /x HTTP/1.1\r\nhost:h\r\ncontent-length:   2 \r\nCONNECTION: Keep-Alive\r\n\r\nok", true, false},
		{"refused", head + "Content-Length: 4\r\n\r\nnope", true, false},
		{"nothing written", head + "Content-Length: 4\r\n\r\nnone", true, false},
		{"type sniffed", head + "Content-Length: 5\r\n\r\nsniff", true, false},
		{"handler closes", head + "Content-Length: 5\r\n\r\nclose", true, false},
		{"no content", head + "Content-Length: 9\r\n\r\nnocontent", true, false},
		{"body not read", head + "Content-Type: skip\r\nContent-Length: 10\r\n\r\n0123456789", true, false},
		{"empty body", head + "Content-Length: 0\r\n\r\n", true, false},
		{"aborted", head + "Content-Length: 5\r\n\r\npanic", true, false},
		{"body at the limit", head + "Content-Length: 64\r\n\r\n" + strings.Repeat("a", 64), true, false},
		{"CRLF after the body", head + "Content-Length: 2\r\n\r\nok\r\n", true, false},
		{"body cut short", head + "Content-Length: 10\r\n\r\nabc", true, true},
		{"body cut short, not read", head + "Content-Type: skip\r\nContent-Length: 10\r\n\r\nabc", true, true},
		{"head cut short", head + "Content-Length: 10\r\n", false, true},

		{"body over the limit", head + "Content-Length: 65\r\n\r\n" + strings.Repeat("a", 65), false, false},
		{"GET", "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", false, false},
		{"query", "POST /x?a=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"other path", "POST /y HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"HTTP/1.0", "POST /x HTTP/1.0\r\nHost: h\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"chunked", head + "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false, false},
		{"length and chunked", head + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false, false},
		{"two lengths", head + "Content-Length: 2\r\nContent-Length: 3\r\n\r\nok!", false, false},
		{"two hosts", head + "Host: g\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"no host", "POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"no length", head + "\r\n", false, false},
		{"signed length", head + "Content-Length: +2\r\n\r\nok", false, false},
		{"expect", head + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"folded", head + "Content-Length: 2\r\nUser-Agent: a\r\n b\r\n\r\nok", false, false},
		{"bare LF", "POST /x HTTP/1.1\nHost: h\nContent-Length: 2\n\nok", false, false},
		{"connection close", head + "Connection: close\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"another header", head + "X-Request-Id: 7\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"space before colon", head + "Content-Length : 2\r\n\r\nok", false, false},
		{"control byte", head + "User-Agent: a\x01b\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"long head", head + "User-Agent: " + strings.Repeat("u", 5000) + "\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"lower-case method", "post /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			served, handed := s.Served(), s.Handed()
			want, got := transcript(t, plain, c.req, c.halfClose), transcript(t, laned, c.req, c.halfClose)
			if got != want {
				t.Errorf("with the lane:\n%s\nnet/http alone:\n%s", got, want)
			}
			// (The lane answers next's POST too when it answered the
			// request under test and the connection stayed open; next's
			// GET hands the connection over.)
			wantServed := map[bool]uint64{true: 1}[c.lane]
			if c.lane && !c.halfClose && !strings.Contains(got, "closed") {
				wantServed = 2
			}
			if n := s.Served() - served; n != wantServed {
				t.Errorf("the lane answered %d requests, want %d (%d connections handed)", n, wantServed, s.Handed()-handed)
			}
		})
	}
}

// TestLanePipelines: requests sent back to back on one connection, lane
// requests and another between them, are answered in order.
func TestLanePipelines(t *testing.T) {
	_, laned, s := startPair(t, mimic)
	c, err := net.Dial("tcp", laned)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	one := "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok"
	two := "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nnop"
	io.WriteString(c, one+two+one+"GET /x HTTP/1.1\r\nHost: h\r\n\r\n"+one)
	br := bufio.NewReader(c)
	for i, want := range []int{202, 503, 202, 503, 202} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("answer %d: %d, want %d", i, resp.StatusCode, want)
		}
	}
	if s.Served() != 3 || s.Handed() != 1 {
		t.Fatalf("lane served %d and handed %d; want 3 and 1 (the GET hands the connection over)", s.Served(), s.Handed())
	}
}

// TestLaneShutdown: Shutdown closes the lane's idle connections at once,
// waits for a request being answered, and refuses new connections.
func TestLaneShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") == "slow" {
			started <- struct{}{}
			<-release
		}
		io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(h, Config{}, context.Background(), Lane{Paths: []string{"/x"}})
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	addr := ln.Addr().String()
	ask := func(c net.Conn, typ string) (*http.Response, error) {
		io.WriteString(c, "POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: "+typ+"\r\nContent-Length: 1\r\n\r\na")
		return http.ReadResponse(bufio.NewReader(c), nil)
	}
	idle, _ := net.Dial("tcp", addr)
	defer idle.Close()
	if resp, err := ask(idle, "fast"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("idle connection's request: %v %v", resp, err)
	}
	busy, _ := net.Dial("tcp", addr)
	defer busy.Close()
	answered := make(chan *http.Response, 1)
	go func() {
		resp, _ := ask(busy, "slow")
		answered <- resp
	}()
	<-started
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	if !closedWithin(idle, 10*time.Second) {
		t.Fatal("Shutdown left the idle lane connection open")
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while a request was being answered", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if resp := <-answered; resp == nil || resp.StatusCode != 200 || !resp.Close {
		t.Fatalf("the request being answered at Shutdown: %v (its answer must say the connection closes)", resp)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve returned %v, want ErrServerClosed", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("a connection was accepted after Shutdown")
	}
}

// TestRequestEndsWhenTheClientLeaves: a handler waiting on its request's
// context (as a submission held for room in the mempool does) sees it done
// when the client closes the connection, and not when the client sends its
// next request early, which is then answered in turn.
func TestRequestEndsWhenTheClientLeaves(t *testing.T) {
	bothServers(t, func(t *testing.T, lane bool) {
		ended := make(chan bool, 1)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			kind := r.Header.Get("Content-Type")
			var done <-chan struct{}
			if kind == "early" {
				done = r.Context().Done() // asked before the body is read
			}
			io.ReadAll(r.Body)
			if kind != "" {
				if done == nil {
					done = r.Context().Done()
				}
				// Long enough for a loaded machine to see a client leave;
				// a held request ("hold") waits only a second.
				wait := 10 * time.Second
				if kind == "hold" {
					wait = time.Second
				}
				select {
				case <-done:
					ended <- true
				case <-time.After(wait):
					ended <- false
				}
			}
			io.WriteString(w, "answered")
		})
		addr, _ := serve(t, Config{ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}, h, lane)
		const wait = "POST / HTTP/1.1\r\nHost: h\r\nContent-Type: wait\r\nContent-Length: 1\r\n\r\na"
		const plain = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\na"

		for _, req := range []string{wait, strings.Replace(wait, "wait", "early", 1)} {
			c := dialFrom(t, "127.0.0.1", addr)
			io.WriteString(c, req)
			time.Sleep(100 * time.Millisecond)
			c.Close()
			select {
			case e := <-ended:
				if !e {
					t.Fatalf("%q: the request's context was not done 10 s after its client closed the connection", req)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the handler did not return")
			}
		}

		// The next request arrives while the handler waits (the watch
		// reads it from the connection).
		c := dialFrom(t, "127.0.0.1", addr)
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, strings.Replace(wait, "wait", "hold", 1))
		time.Sleep(200 * time.Millisecond)
		io.WriteString(c, plain)
		br := bufio.NewReader(c)
		for i := 0; i < 2; i++ {
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("answer %d: %v", i, err)
			}
			body, _ := io.ReadAll(resp.Body)
			if string(body) != "answered" {
				t.Fatalf("answer %d: %q", i, body)
			}
		}
		if <-ended {
			t.Fatal("the request's context ended when its client sent the next request")
		}
	})
}

// FuzzParseHeadAgreesWithNetHTTP: whatever head the lane takes, net/http
// reads as the same request — method, path, version, Host, Content-Length,
// Content-Type, no transfer coding — ending at the same byte.
func FuzzParseHeadAgreesWithNetHTTP(f *testing.F) {
	for _, s := range []string{
		"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok",
		"POST /x HTTP/1.1\r\nhost:h\r\ncontent-length:   2 \r\nConnection: keep-alive\r\nContent-Type: a/b\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: [::1]:80\r\nUser-Agent: x\r\nAccept: */*\r\nAccept-Encoding: gzip\r\nContent-Length: 0\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n x\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	lines, paths := [][]byte{[]byte("POST /x HTTP/1.1\r\n")}, []string{"/x"}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, _ := parseHead(b, lines, paths, 1<<20)
		if h.size == 0 {
			return
		}
		br := bufio.NewReaderSize(bytes.NewReader(b), len(b)+16)
		r, err := http.ReadRequest(br)
		if err != nil {
			t.Fatalf("the lane takes %q; net/http: %v", b[:h.size], err)
		}
		if r.Method != "POST" || r.URL.String() != "/x" || r.Proto != "HTTP/1.1" || r.Host != string(h.host) ||
			r.ContentLength != h.contentLength || r.Header.Get("Content-Type") != string(h.contentType) ||
			len(r.TransferEncoding) != 0 || r.Close {
			t.Fatalf("the lane reads %q as %+v; net/http as %s %s %s host %q length %d type %q te %v close %v",
				b[:h.size], h, r.Method, r.URL, r.Proto, r.Host, r.ContentLength, r.Header.Get("Content-Type"), r.TransferEncoding, r.Close)
		}
		// What net/http's server checks beyond ReadRequest (conn.readRequest).
		if !httpguts.ValidHostHeader(r.Host) {
			t.Fatalf("the lane takes %q; net/http's server refuses its Host %q", b[:h.size], r.Host)
		}
		for k, vs := range r.Header {
			for _, v := range vs {
				if !httpguts.ValidHeaderFieldName(k) || !httpguts.ValidHeaderFieldValue(v) {
					t.Fatalf("the lane takes %q; net/http's server refuses its header %q: %q", b[:h.size], k, v)
				}
			}
		}
		if rest := br.Buffered(); rest != len(b)-h.size {
			t.Fatalf("the lane's head of %q is %d bytes; net/http's %d", b, h.size, len(b)-rest)
		}
	})
}
