package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/client"
)

// sender is a load account: an operator key of one demo organisation.
type sender struct {
	org   demo.Org
	key   ledger.PrivateKey
	trace bool // a farm or co-op operator: may commission lots
}

// txRec is what the orchestrator knows about one load transaction.
type txRec struct {
	Node     int       // the node it was submitted to
	Epoch    int       // how many times that node had been started then
	At       time.Time // submission
	Accepted bool      // the node answered 202
	Code     string    // the admission rejection's code, when not accepted
	// Set when a node reported the transaction committed: the height, the
	// block's hash, the node that served the block, and the result code.
	Height    uint64
	BlockHash ledger.Hash
	SeenOn    int
	Result    string
}

// txLog holds every load transaction by hash. Safe for concurrent use.
type txLog struct {
	mu  sync.Mutex
	txs map[ledger.Hash]*txRec
}

func newTxLog() *txLog { return &txLog{txs: map[ledger.Hash]*txRec{}} }

// committed marks h as reported committed in block (height, hash) served
// by node, and returns whether h is a load transaction.
func (l *txLog) committed(h ledger.Hash, height uint64, block ledger.Hash, node int, result string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.txs[h]
	if !ok {
		return false
	}
	if r.Height == 0 {
		r.Height, r.BlockHash, r.SeenOn, r.Result = height, block, node, result
	}
	return true
}

// counts summarises the log.
func (l *txLog) counts() (submitted, accepted, committed, pending int, rejected, results map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rejected, results = map[string]int{}, map[string]int{}
	for _, r := range l.txs {
		submitted++
		if r.Accepted {
			accepted++
		} else {
			rejected[r.Code]++
		}
		if r.Height > 0 {
			committed++
			results[r.Result]++
		} else if r.Accepted {
			pending++
		}
	}
	return
}

// strandedTxs describes accepted transactions that were never reported
// committed although the node that accepted them has not been restarted
// since (a restart empties the mempool, which explains the others).
type strandedTxs struct {
	Count  int     `json:"count"`
	FirstS float64 `json:"first_s"` // the earliest submission, since the run started
	LastS  float64 `json:"last_s"`
}

// stranded returns the stranded transactions by the name of the node that
// accepted them.
func (l *txLog) stranded(c *cluster, start time.Time) map[string]*strandedTxs {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]*strandedTxs{}
	for _, r := range l.txs {
		if !r.Accepted || r.Height != 0 || c.Nodes[r.Node].Starts() != r.Epoch {
			continue
		}
		name := c.Nodes[r.Node].Name
		at := r.At.Sub(start).Seconds()
		s := out[name]
		if s == nil {
			s = &strandedTxs{FirstS: at, LastS: at}
			out[name] = s
		}
		s.Count++
		s.FirstS, s.LastS = min(s.FirstS, at), max(s.LastS, at)
	}
	return out
}

// committedList returns the hashes and records of the committed
// transactions.
func (l *txLog) committedList() map[ledger.Hash]txRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[ledger.Hash]txRec{}
	for h, r := range l.txs {
		if r.Height > 0 {
			out[h] = *r
		}
	}
	return out
}

// loadGTIN is the organisation's product with item reference 00010, which
// setupLoad registers for the farm and the co-op (the same GTIN the demo
// story and qian bench use).
func loadGTIN(org demo.Org) string {
	body := "0" + org.Prefix + "00010"
	sum := 0
	for i := 0; i < 13; i++ {
		d := int(body[12-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return body + fmt.Sprint((10-sum%10)%10)
}

// setupLoad registers perOrg operator accounts for every demo
// organisation (keys derived from the admin keys) and the farm's and
// co-op's load product, through c, and waits for the commits.
func setupLoad(ctx context.Context, c *client.Client, chainID string, admins map[membership.Role]ledger.PrivateKey, perOrg int) ([]sender, error) {
	var senders []sender
	var txs []*ledger.Tx
	nonce := uint64(time.Now().UnixNano())
	add := func(k ledger.PrivateKey, contract, method string, payload []byte) error {
		nonce++
		tx := &ledger.Tx{ChainID: chainID, Nonce: nonce, Contract: contract, Method: method, Payload: payload}
		if err := tx.Sign(k); err != nil {
			return err
		}
		txs = append(txs, tx)
		return nil
	}
	for _, org := range demo.Founding {
		admin := admins[org.Role]
		canTrace := org.Role == membership.Farm || org.Role == membership.Cooperative
		if canTrace {
			p := &trace.RegisterProduct{GTIN: loadGTIN(org), Name: "chaos load product"}
			if err := add(admin, trace.Contract, trace.MethodRegisterProduct, p.Encode()); err != nil {
				return nil, err
			}
		}
		for i := 0; i < perOrg; i++ {
			k := demo.Derive(admin, fmt.Sprintf("chaos operator %d", i))
			senders = append(senders, sender{org: org, key: k, trace: canTrace})
			p := &membership.AddAccount{Key: k.PublicKey(), Role: membership.Operator, Label: fmt.Sprintf("chaos %d", i)}
			if err := add(admin, membership.Contract, membership.MethodAddAccount, p.Encode()); err != nil {
				return nil, err
			}
		}
	}
	for _, tx := range txs {
		if _, err := c.Submit(ctx, tx); err != nil {
			return nil, fmt.Errorf("setup: submit: %w", err)
		}
	}
	for _, tx := range txs {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		o, err := c.Wait(wctx, tx.Hash())
		cancel()
		if err != nil {
			return nil, fmt.Errorf("setup: %w", err)
		}
		switch o.Code {
		case "OK", "ERR_ACCOUNT_EXISTS", "ERR_PRODUCT_EXISTS":
		default:
			return nil, fmt.Errorf("setup: %s.%s: %s: %s", tx.Contract, tx.Method, o.Code, o.Message)
		}
	}
	return senders, nil
}

// loader offers signed transactions at a fixed rate to the running nodes,
// spread at random, and records each in the txLog.
type loader struct {
	c       *cluster
	log     *txLog
	senders []sender
	chainID string
	rate    int
	workers int

	seq     atomic.Uint64
	skipped atomic.Int64 // ticks with every worker busy
	tag     [8]byte
}

// Run offers load until ctx ends, then waits for the submissions in flight.
func (l *loader) Run(ctx context.Context) {
	queue := make(chan struct{}, l.workers)
	var wg sync.WaitGroup
	for w := 0; w < l.workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w) + time.Now().UnixNano()))
			for range queue {
				l.submitOne(ctx, rng)
			}
		}(w)
	}
	interval := time.Second / time.Duration(max(l.rate, 1))
	next := time.Now()
loop:
	for {
		next = next.Add(interval)
		if d := time.Until(next); d > 0 {
			select {
			case <-ctx.Done():
				break loop
			case <-time.After(d):
			}
		} else if ctx.Err() != nil {
			break
		}
		select {
		case queue <- struct{}{}:
		default:
			l.skipped.Add(1)
		}
	}
	close(queue)
	wg.Wait()
}

func (l *loader) submitOne(ctx context.Context, rng *rand.Rand) {
	var live []int
	for _, n := range l.c.Nodes {
		if n.State() == procRunning && !l.c.isRetiring(n.Index) {
			live = append(live, n.Index)
		}
	}
	if len(live) == 0 {
		l.skipped.Add(1)
		return
	}
	i := l.seq.Add(1)
	tx, err := l.make(i)
	if err != nil {
		l.c.Logf("load: sign: %v", err)
		return
	}
	target := live[rng.Intn(len(live))]
	h := tx.Hash()
	rec := &txRec{Node: target, Epoch: l.c.Nodes[target].Starts(), At: time.Now()}
	l.log.mu.Lock()
	l.log.txs[h] = rec // before submitting: a block may report it at once
	l.log.mu.Unlock()
	sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	_, err = l.c.Nodes[target].API.Submit(sctx, tx)
	cancel()
	l.log.mu.Lock()
	defer l.log.mu.Unlock()
	if err == nil {
		rec.Accepted = true
		return
	}
	// No answer (a timeout, a refused connection) is ERR_TRANSPORT: the
	// node may still have admitted it, and a block may still report it.
	if rec.Code = client.CodeOf(err); rec.Code == "" {
		rec.Code = "ERR_TRANSPORT"
	}
}

// make signs load transaction i: alternately a trace commissioning of a
// new 100 kg lot (from a farm or co-op operator) and a notary anchor of a
// distinct hash (from any operator).
func (l *loader) make(i uint64) (*ledger.Tx, error) {
	var s sender
	var contract, method string
	var payload []byte
	if i%2 == 0 {
		var traceSenders []sender
		for _, x := range l.senders {
			if x.trace {
				traceSenders = append(traceSenders, x)
			}
		}
		s = traceSenders[int(i/2)%len(traceSenders)]
		contract, method, payload = trace.Contract, trace.MethodCapture, commission(s.org, l.tag, i)
	} else {
		s = l.senders[int(i/2)%len(l.senders)]
		contract, method, payload = notary.Contract, notary.MethodAnchor, anchor(l.tag, i)
	}
	tx := &ledger.Tx{ChainID: l.chainID, Nonce: i, Contract: contract, Method: method, Payload: payload}
	return tx, tx.Sign(s.key)
}

// commission is a trace.capture of a harvest: lot C<tag>-<i> of the
// organisation's load product, 100 kg, at its site.
func commission(org demo.Org, tag [8]byte, i uint64) []byte {
	q, _ := epcis.ParseDecimal("100")
	site := gs1.Location{GLN: org.SiteGLN}.URI()
	ev := &epcis.Event{
		Type: epcis.ObjectEvent, EventTime: 1_744_000_000_000_000_000 + int64(i)*1_000_000, TimeZoneOffset: 480,
		Action: epcis.Add, BizStep: "commissioning", Disposition: "active", ReadPoint: site, BizLocation: site,
		QuantityList: []epcis.Quantity{{Class: gs1.ObjectID{Kind: gs1.Lot, Key: loadGTIN(org), Ext: fmt.Sprintf("C%x-%d", tag[:4], i)},
			HasQuantity: true, Quantity: q, UOM: "KGM"}},
	}
	return ev.Encode()
}

// anchor anchors a distinct hash as evidence.
func anchor(tag [8]byte, i uint64) []byte {
	var seed [16]byte
	copy(seed[:8], tag[:])
	binary.BigEndian.PutUint64(seed[8:], i)
	p := &notary.Anchor{Hash: ledger.Sum(seed[:]), Kind: notary.Evidence, Name: fmt.Sprintf("chaos-%d.csv", i), MediaType: "text/csv", Size: 4096}
	return p.Encode()
}
