package node

import (
	"sync"

	"github.com/qianchain/qianchain/ledger"
)

// BlockEvent tells subscribers that a block was committed.
type BlockEvent struct {
	Height  uint64      `json:"height"`
	Hash    ledger.Hash `json:"hash"`
	Time    int64       `json:"time"`
	TxCount int         `json:"tx_count"`
	AppHash ledger.Hash `json:"app_hash"`
	Events  []Event     `json:"events,omitempty"`
}

// Hub fans committed-block events out to subscribers. A subscriber that
// falls behind by more than its buffer loses events rather than slowing the
// chain; it can tell from the heights.
type Hub struct {
	mu   sync.Mutex
	subs map[chan BlockEvent]struct{}
}

func newHub() *Hub { return &Hub{subs: map[chan BlockEvent]struct{}{}} }

// Subscribe returns a channel of events and a function that ends the
// subscription.
func (h *Hub) Subscribe(buffer int) (<-chan BlockEvent, func()) {
	ch := make(chan BlockEvent, buffer)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
		h.mu.Unlock()
	}
}

func (h *Hub) publish(ev BlockEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}
