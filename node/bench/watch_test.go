package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/view"
)

// A node whose event stream is refused (its subscribers at their cap, say)
// is polled instead: the watcher still reads every block, in order, once.
// (The stream itself is exercised against a real validator by
// TestBenchSeesItsTransactionsCommit.)
func TestWatcherPollsWhenTheStreamIsRefused(t *testing.T) {
	var tip, streams atomic.Uint64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/events", func(w http.ResponseWriter, r *http.Request) {
		streams.Add(1)
		http.Error(w, `{"code":"ERR_TOO_MANY_STREAMS"}`, http.StatusServiceUnavailable)
	})
	mux.HandleFunc("GET /v1/blocks/{height}/txhashes", func(w http.ResponseWriter, r *http.Request) {
		h, _ := strconv.ParseUint(r.PathValue("height"), 10, 64)
		if h > tip.Load() {
			http.Error(w, `{"code":"ERR_NOT_FOUND"}`, http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(view.BlockTxHashes{Height: h, Time: time.Unix(int64(h), 0).UTC().Format(time.RFC3339Nano),
			TxHashes: []ledger.Hash{{byte(h)}}})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var got []uint64
	var last atomic.Uint64
	w := &watcher{c: client.New(srv.URL), next: 3, seen: func(_ time.Time, b *view.BlockTxHashes) {
		got = append(got, uint64(b.TxHashes[0][0]))
		last.Store(b.Height)
	}}
	tip.Store(2) // heights 1 and 2 were committed before the run
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- w.run(context.Background(), stop) }()
	for h := uint64(3); h <= 7; h++ {
		time.Sleep(30 * time.Millisecond)
		tip.Store(h)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		time.Sleep(20 * time.Millisecond)
		if last.Load() == 7 || time.Now().After(deadline) {
			break
		}
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[3 4 5 6 7]" || len(w.blocks) != 5 {
		t.Fatalf("read %v (%d blocks), want [3 4 5 6 7]", got, len(w.blocks))
	}
	if streams.Load() == 0 {
		t.Fatal("the watcher never asked for the event stream")
	}
}
