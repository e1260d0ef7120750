package node_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/nodetest"
)

// TestStopWaitsForRequestsBeforeClosingTheStore: a request still reading
// the store when the node stops (a page under load outlasting Stop's 3 s
// grace) finishes before the store closes. Before, Stop closed the store
// under it: the handler panicked in Pebble ("pebble: closed"), its
// iterator leaked, Close failed and `qian start` exited 1 on SIGTERM.
func TestStopWaitsForRequestsBeforeClosingTheStore(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out Stop's grace period")
	}
	started := make(chan struct{})
	var readErr error
	finished := make(chan struct{})
	nw := nodetest.New(t, nodetest.Options{Validators: 1,
		Handler: func(n *node.Node) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer close(finished)
				close(started)
				// A slow reader: an iterator open over the store for
				// longer than the grace period.
				readErr = n.Store.Iterate(nil, nil, func(k, v []byte) bool {
					time.Sleep(4 * time.Second)
					return false
				})
			})
		}})
	nw.StartAll()
	nw.WaitHeight(1, 30*time.Second)
	m := nw.Members[0]
	go func() {
		resp, err := http.Get("http://" + m.Node.HTTPAddr() + "/slow")
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	err := m.Node.Stop()
	m.Node = nil
	select {
	case <-finished:
	default:
		t.Fatal("Stop returned while the request was still reading the store")
	}
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if readErr != nil {
		t.Fatalf("the request's read: %v", readErr)
	}
}
