package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/httpserver"
)

// StreamBlock is the data of a "block" server-sent event.
type StreamBlock struct {
	Height  uint64      `json:"height"`
	Hash    ledger.Hash `json:"hash"`
	Time    string      `json:"time"`
	TxCount int         `json:"tx_count"`
	AppHash ledger.Hash `json:"app_hash"`
}

// StreamEvent is the data of an "event" server-sent event: something a
// committed transaction did (docs/state.md lists the types).
type StreamEvent struct {
	Height uint64       `json:"height"`
	Type   string       `json:"type"`
	TxHash ledger.Hash  `json:"tx_hash"`
	Attrs  []StreamAttr `json:"attrs"`
}

// StreamAttr is an event attribute.
type StreamAttr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Stream limits.
const (
	maxReplay = 1000 // blocks replayed from the store on (re)connect
	heartbeat = 15 * time.Second
	// streamBacklog is the blocks buffered per subscriber before it loses
	// some: a channel of that many events is allocated per subscriber
	// (112 bytes each), and a subscriber whose write cannot finish within
	// the write timeout is dropped long before 256 blocks pass.
	streamBacklog = 256
)

// events is GET /v1/events: a text/event-stream of "block" events (id =
// height), each followed by the "event" events of its transactions.
// ?types=a,b keeps only those event types (blocks are always sent);
// ?from=H (or the Last-Event-ID header a reconnecting EventSource sends,
// meaning "after H") replays committed blocks from the store first, at most
// 1000. A subscriber that cannot keep up loses blocks rather than slowing
// the chain; the heights tell it, and it may reconnect with Last-Event-ID.
//
// The server's read and write timeouts are for whole requests and
// responses; a stream has neither end. Its read deadline is cleared (the
// request is read; left set, its expiry would cancel the stream), and each
// write gets a deadline of its own, so a subscriber that stops reading is
// dropped within Streams.WriteTimeout of the next write instead of holding
// its goroutine and backlog. Subscribers are capped (streamCap).
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	if _, ok := w.(http.Flusher); !ok {
		writeError(w, http.StatusInternalServerError, "ERR_INTERNAL", "the connection cannot stream")
		return
	}
	var from uint64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		h, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "ERR_BAD_REQUEST", "Last-Event-ID must be a height")
			return
		}
		from = h + 1
	}
	if v := r.URL.Query().Get("from"); v != "" {
		h, err := strconv.ParseUint(v, 10, 64)
		if err != nil || h == 0 {
			writeError(w, http.StatusBadRequest, "ERR_BAD_HEIGHT", fmt.Sprintf("from=%q is not a positive height", v))
			return
		}
		from = h
	}
	var types map[string]bool
	if v := r.URL.Query().Get("types"); v != "" {
		types = map[string]bool{}
		for _, t := range strings.Split(v, ",") {
			types[strings.TrimSpace(t)] = true
		}
	}
	release, ok := s.streams.acquire(httpserver.RemoteIP(r))
	if !ok {
		w.Header().Set("Retry-After", "10")
		writeError(w, http.StatusServiceUnavailable, "ERR_TOO_MANY_STREAMS",
			fmt.Sprintf("the event stream has its most subscribers (%d in all, %d per client); retry later", s.streams.Max, s.streams.PerClient))
		return
	}
	defer release()
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	// Every write is preceded by deadline(); flush sends what was written.
	deadline := func() { _ = rc.SetWriteDeadline(time.Now().Add(s.streams.WriteTimeout)) }
	flush := func() error { return rc.Flush() }

	// Subscribe before replaying, so nothing falls between the two.
	ch, cancel := s.n.Events.Subscribe(streamBacklog)
	defer cancel()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	deadline()
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: 2000\n\n")
	if flush() != nil {
		return
	}

	var sent uint64
	if from > 0 {
		tip := s.n.Store.Height()
		if tip >= maxReplay && from < tip-maxReplay+1 {
			from = tip - maxReplay + 1
		}
		for ht := from; ht <= tip; ht++ {
			ev, err := s.storedBlock(ht)
			if err != nil {
				fmt.Fprintf(w, "event: error\ndata: %q\n\n", err.Error())
				_ = flush()
				return
			}
			deadline()
			if writeBlock(w, ev, types) != nil {
				return
			}
			sent = ht
		}
		if flush() != nil {
			return
		}
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			deadline()
			if _, err := fmt.Fprintf(w, ": keep-alive\n\n"); err != nil || flush() != nil {
				return
			}
		case ev, ok := <-ch:
			if !ok {
				return
			}
			if ev.Height <= sent {
				continue
			}
			deadline()
			if writeBlock(w, ev, types) != nil || flush() != nil {
				return
			}
			sent = ev.Height
		}
	}
}

// storedBlock rebuilds a committed block's event from the store.
func (s *Server) storedBlock(h uint64) (node.BlockEvent, error) {
	b, err := s.n.Store.Block(h)
	if err != nil {
		return node.BlockEvent{}, err
	}
	ev := node.BlockEvent{Height: h, Hash: b.Hash(), Time: b.Header.Time, TxCount: len(b.Txs)}
	ev.AppHash, _ = s.n.Store.AppHash(h)
	hashes := store.TxHashes(b.Txs)
	results, err := s.n.Store.Results(h, hashes)
	if err != nil {
		return ev, err
	}
	for i, res := range results {
		o, err := node.DecodeOutcome(res)
		if err != nil {
			return ev, err
		}
		for _, e := range o.Events {
			ev.Events = append(ev.Events, node.Event{Type: e.Type, TxHash: hashes[i], Attrs: e.Attrs})
		}
	}
	return ev, nil
}

func writeBlock(w http.ResponseWriter, ev node.BlockEvent, types map[string]bool) error {
	b, _ := json.Marshal(StreamBlock{Height: ev.Height, Hash: ev.Hash, Time: time.Unix(0, ev.Time).UTC().Format(time.RFC3339Nano), TxCount: ev.TxCount, AppHash: ev.AppHash})
	if _, err := fmt.Fprintf(w, "id: %d\nevent: block\ndata: %s\n\n", ev.Height, b); err != nil {
		return err
	}
	for _, e := range ev.Events {
		if types != nil && !types[e.Type] {
			continue
		}
		se := StreamEvent{Height: ev.Height, Type: e.Type, TxHash: e.TxHash, Attrs: []StreamAttr{}}
		for _, a := range e.Attrs {
			se.Attrs = append(se.Attrs, StreamAttr{Key: a.Key, Value: a.Value})
		}
		b, _ := json.Marshal(se)
		if _, err := fmt.Fprintf(w, "event: event\ndata: %s\n\n", b); err != nil {
			return err
		}
	}
	return nil
}
