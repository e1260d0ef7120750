package gateway

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/node/gateway/index"
)

// subscription is a webhook subscription to a named query, delivered from
// committed blocks. Cursor is durable: every event with a smaller seq was
// delivered (or does not match), so a restarted gateway resumes at the
// first event it may not have delivered. Delivery is at least once; each
// event carries its eventID so receivers can drop repeats.
type subscription struct {
	ID                string     `json:"id"`
	Query             string     `json:"query"`
	Dest              string     `json:"dest"`
	Secret            string     `json:"secret,omitempty"` // the client's signatureToken
	CreatedAt         time.Time  `json:"createdAt"`
	LastNotifiedAt    *time.Time `json:"lastNotifiedAt,omitempty"`
	InitialRecordTime string     `json:"initialRecordTime,omitempty"`
	Cursor            uint64     `json:"cursor"`
}

// SubscriptionView is GS1's subscription response.
type SubscriptionView struct {
	Dest              string `json:"dest"`
	SubscriptionID    string `json:"subscriptionID"`
	CreatedAt         string `json:"createdAt"`
	LastNotifiedAt    string `json:"lastNotifiedAt,omitempty"`
	InitialRecordTime string `json:"initialRecordTime,omitempty"`
	Stream            bool   `json:"stream"`
	Cursor            uint64 `json:"qian:cursor"`
}

func (s *subscription) view() SubscriptionView {
	v := SubscriptionView{Dest: s.Dest, SubscriptionID: s.ID, CreatedAt: s.CreatedAt.Format(time.RFC3339Nano),
		InitialRecordTime: s.InitialRecordTime, Stream: true, Cursor: s.Cursor}
	if s.LastNotifiedAt != nil {
		v.LastNotifiedAt = s.LastNotifiedAt.Format(time.RFC3339Nano)
	}
	return v
}

func subKey(query, id string) []byte { return key(tSub, query, id) }

// DeliveryBatch is the most events one webhook call carries.
const DeliveryBatch = 100

// subscriptions delivers webhook subscriptions. One goroutine (run)
// delivers; the HTTP handlers add and remove.
type subscriptions struct {
	g    *Gateway
	mu   sync.Mutex
	subs map[string]*subscription // by id
	wake chan struct{}
	// retryAt holds back a subscription whose receiver failed.
	retryAt map[string]time.Time
	fails   map[string]int
}

func newSubscriptions(g *Gateway) (*subscriptions, error) {
	s := &subscriptions{g: g, wake: make(chan struct{}, 1), retryAt: map[string]time.Time{}, fails: map[string]int{}}
	return s, s.load()
}

func (s *subscriptions) load() error {
	m := map[string]*subscription{}
	err := scanJSON(s.g.db, []byte{tSub}, func(_ []byte, sub *subscription) bool {
		m[sub.ID] = sub
		return true
	})
	if err == nil {
		s.mu.Lock()
		s.subs = m
		s.mu.Unlock()
	}
	return err
}

func (s *subscriptions) reload() {
	if err := s.load(); err != nil {
		s.g.log.Error("reload subscriptions", "err", err)
	}
}

func (s *subscriptions) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscriptions) run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		s.deliverAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-tick.C:
		}
	}
}

func (s *subscriptions) deliverAll(ctx context.Context) {
	s.mu.Lock()
	var todo []*subscription
	now := time.Now()
	for id, sub := range s.subs {
		if now.After(s.retryAt[id]) {
			c := *sub
			todo = append(todo, &c)
		}
	}
	s.mu.Unlock()
	for _, sub := range todo {
		for ctx.Err() == nil {
			more, err := s.deliver(ctx, sub)
			if err != nil {
				s.mu.Lock()
				s.fails[sub.ID]++
				backoff := min(time.Duration(1<<min(s.fails[sub.ID], 6))*time.Second, time.Minute)
				s.retryAt[sub.ID] = time.Now().Add(backoff)
				s.mu.Unlock()
				s.g.log.Warn("deliver subscription; will retry", "subscription", sub.ID, "dest", sub.Dest, "in", backoff, "err", err)
				break
			}
			s.mu.Lock()
			delete(s.fails, sub.ID)
			s.mu.Unlock()
			if !more {
				break
			}
		}
	}
}

// deliver sends the next batch of matching events and advances the cursor
// once the receiver answered 2xx. more reports that events may follow.
func (s *subscriptions) deliver(ctx context.Context, sub *subscription) (more bool, err error) {
	var nq namedQuery
	found, err := getJSON(s.g.db, key(tQuery, sub.Query), &nq)
	if err != nil || !found {
		return false, err
	}
	params, err := queryParams(nq.Query)
	if err != nil {
		return false, err
	}
	q, err := index.Parse(params)
	if err != nil {
		return false, err
	}
	q.ByEventTime, q.Desc = false, false // chain order, which the cursor follows
	hi := s.g.ix.Count()
	if sub.Cursor >= hi {
		return false, nil
	}
	var pos *index.Position
	if sub.Cursor > 0 {
		pos = &index.Position{Seq: sub.Cursor - 1}
	}
	page, err := s.g.ix.Run(q, DeliveryBatch, pos)
	if err != nil {
		return false, err
	}
	next := hi
	switch {
	case len(page.Entries) > 0:
		next = page.Entries[len(page.Entries)-1].Seq + 1
	case page.Next != nil && page.Next.Include:
		next = page.Next.Seq // not examined yet
	case page.Next != nil:
		next = page.Next.Seq + 1
	}
	if len(page.Entries) > 0 {
		doc, err := s.g.queryDocument(page.Entries, sub.Query, sub.ID)
		if err != nil {
			return false, err
		}
		if err := s.post(ctx, sub, doc); err != nil {
			return false, err
		}
		now := time.Now().UTC()
		sub.LastNotifiedAt = &now
	}
	sub.Cursor = next
	if err := s.save(sub); err != nil {
		return false, err
	}
	return page.Next != nil, nil
}

func (s *subscriptions) post(ctx context.Context, sub *subscription, doc []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Dest, bytes.NewReader(doc))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/ld+json")
	req.Header.Set("GS1-EPCIS-Version", EPCISVersion)
	req.Header.Set("GS1-CBV-Version", CBVVersion)
	if sub.Secret != "" {
		// HMAC-SHA256 of the body under the client's signatureToken, hex.
		m := hmac.New(sha256.New, []byte(sub.Secret))
		m.Write(doc)
		req.Header.Set("GS1-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
	}
	resp, err := s.g.opt.Webhook.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return nil
}

// save persists the subscription's cursor, unless it was deleted
// meanwhile.
func (s *subscriptions) save(sub *subscription) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.subs[sub.ID]
	if !ok {
		return nil
	}
	b := s.g.db.NewBatch()
	defer b.Close()
	if err := setJSON(b, subKey(sub.Query, sub.ID), sub); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return err
	}
	cur.Cursor, cur.LastNotifiedAt = sub.Cursor, sub.LastNotifiedAt
	return nil
}

func (g *Gateway) postSubscription(w http.ResponseWriter, r *http.Request) {
	nq, ok := g.loadQuery(w, r)
	if !ok {
		return
	}
	body, ok := g.readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		Dest              string          `json:"dest"`
		SignatureToken    string          `json:"signatureToken"`
		Stream            *bool           `json:"stream"`
		Schedule          json.RawMessage `json:"schedule"`
		ReportIfEmpty     *bool           `json:"reportIfEmpty"`
		InitialRecordTime string          `json:"initialRecordTime"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeProblemAs(w, "application/json", http.StatusBadRequest, exSubscription, "Invalid subscription", "the body is not a subscription: "+err.Error(), "ERR_SUBSCRIPTION")
		return
	}
	if len(req.Schedule) > 0 {
		notImplemented(w, "scheduled subscriptions are not supported; subscribe with \"stream\": true")
		return
	}
	if req.Stream == nil || !*req.Stream {
		writeProblemAs(w, "application/json", http.StatusBadRequest, exSubscription, "Invalid subscription", "set \"stream\": true (the gateway delivers each committed block's matching events)", "ERR_SUBSCRIPTION")
		return
	}
	u, err := url.Parse(req.Dest)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		writeProblemAs(w, "application/json", http.StatusBadRequest, exSubscription, "Invalid subscription", fmt.Sprintf("dest %q is not an http(s) URL", req.Dest), "ERR_SUBSCRIPTION")
		return
	}
	sub := &subscription{ID: newID(), Query: nq.Name, Dest: req.Dest, Secret: req.SignatureToken, CreatedAt: time.Now().UTC(), Cursor: g.ix.Count()}
	if req.InitialRecordTime != "" {
		t, err := time.Parse(time.RFC3339Nano, req.InitialRecordTime)
		if err != nil {
			writeProblemAs(w, "application/json", http.StatusBadRequest, exSubscription, "Invalid subscription", "initialRecordTime is not an RFC 3339 date-time", "ERR_SUBSCRIPTION")
			return
		}
		if sub.Cursor, err = g.ix.FirstSeqAt(t.UnixNano()); err != nil {
			internal(w, err)
			return
		}
		sub.InitialRecordTime = req.InitialRecordTime
	}
	b := g.db.NewBatch()
	defer b.Close()
	if err := setJSON(b, subKey(sub.Query, sub.ID), sub); err != nil {
		internal(w, err)
		return
	}
	if err := b.Commit(pebble.Sync); err != nil {
		internal(w, err)
		return
	}
	g.subs.mu.Lock()
	g.subs.subs[sub.ID] = sub
	g.subs.mu.Unlock()
	g.subs.poke()
	w.Header().Set("Location", "/queries/"+nq.Name+"/subscriptions/"+sub.ID)
	writeJSON(w, http.StatusCreated, sub.view())
}

func (g *Gateway) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	nq, ok := g.loadQuery(w, r)
	if !ok {
		return
	}
	out := []SubscriptionView{}
	p := append(key(tSub, nq.Name), 0)
	err := scanJSON(g.db, p, func(_ []byte, s *subscription) bool {
		out = append(out, s.view())
		return true
	})
	if err != nil {
		internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (g *Gateway) loadSubscription(w http.ResponseWriter, r *http.Request) (*subscription, bool) {
	nq, ok := g.loadQuery(w, r)
	if !ok {
		return nil, false
	}
	var s subscription
	found, err := getJSON(g.db, subKey(nq.Name, r.PathValue("subscriptionID")), &s)
	if err != nil {
		internal(w, err)
		return nil, false
	}
	if !found {
		notFound(w, "no subscription "+r.PathValue("subscriptionID")+" to query "+nq.Name)
		return nil, false
	}
	return &s, true
}

func (g *Gateway) getSubscription(w http.ResponseWriter, r *http.Request) {
	if s, ok := g.loadSubscription(w, r); ok {
		writeJSON(w, http.StatusOK, s.view())
	}
}

func (g *Gateway) deleteSubscription(w http.ResponseWriter, r *http.Request) {
	s, ok := g.loadSubscription(w, r)
	if !ok {
		return
	}
	g.subs.mu.Lock()
	defer g.subs.mu.Unlock()
	if err := g.db.Delete(subKey(s.Query, s.ID), pebble.Sync); err != nil {
		internal(w, err)
		return
	}
	delete(g.subs.subs, s.ID)
	w.WriteHeader(http.StatusNoContent)
}
