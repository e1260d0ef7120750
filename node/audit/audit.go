package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
)

// Options configure Run.
type Options struct {
	// Genesis is the chain's genesis document: the one thing trusted.
	Genesis *genesis.Doc
	// Workers verify signatures and read ahead; 0 means GOMAXPROCS.
	Workers int
	// TempDir holds the replay's scratch Pebble store ("" = os.TempDir()).
	TempDir string
	// Progress, when set, is called from Run's goroutine after each height.
	Progress func(Progress)
	// To stops the audit at this height (0 = the source's tip).
	To uint64
}

// Run audits src from genesis to its tip (or opt.To). The Summary's Problem
// is the first discrepancy, if any; an error means the audit could not run.
func Run(ctx context.Context, src Source, opt Options) (*Summary, error) {
	doc := opt.Genesis
	if doc == nil {
		return nil, errors.New("audit: no genesis document")
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chain := doc.Identity()
	sum := &Summary{ChainID: chain.ChainID(), GenesisHash: chain.GenesisHash(), Workers: workers}
	start := time.Now()
	defer func() {
		sum.Seconds = time.Since(start).Seconds()
		if sum.Seconds > 0 {
			sum.BlocksPerSecond = float64(sum.Blocks) / sum.Seconds
			sum.TxsPerSecond = float64(sum.Txs) / sum.Seconds
		}
		sum.OK = sum.Problem == nil
	}()

	// The source's word on its genesis only names an honest mistake
	// early (the wrong home, the wrong file); what ties the chain to this
	// genesis is that every certificate must verify as signed on chain,
	// its chain id and genesis hash (checks.go).
	gh, err := src.GenesisHash()
	if err != nil {
		return nil, fmt.Errorf("read the source's genesis hash: %w", err)
	}
	if gh != sum.GenesisHash {
		sum.Problem = problem(0, ErrGenesis, "the source belongs to genesis %s; the genesis file hashes to %s", gh, sum.GenesisHash)
		return sum, nil
	}
	tip, err := src.Tip()
	if err != nil {
		return nil, fmt.Errorf("read the source's height: %w", err)
	}
	sum.Tip = tip
	if opt.To > 0 && opt.To < tip {
		tip = opt.To
	}

	r, err := newReplay(doc, opt.TempDir)
	if err != nil {
		return nil, err
	}
	defer r.close()
	sum.AppHash = r.app

	ctx, cancel := context.WithCancel(ctx)
	ch := &checker{doc: doc, chain: chain, book: r.book, src: src}
	if loc, ok := src.(TxLocator); ok {
		ch.index = loc
	}
	slots := readAhead(ctx, tip, workers, ch.stateless)
	defer func() {
		// Stop the readers and wait for them: the caller closes src after
		// Run returns.
		cancel()
		for range slots {
		}
	}()
	for slot := range slots {
		<-slot.done
		if slot.err != nil {
			if d, ok := asDamage(slot.err); ok {
				sum.Problem = problem(d.Height, ErrStore, "%s", d.Reason)
				return sum, nil
			}
			return sum, slot.err
		}
		sum.Signatures += slot.sigs
		if slot.problem != nil {
			sum.Problem = slot.problem
			return sum, nil
		}
		if p := r.checkSets(slot, &sum.Signatures); p != nil {
			sum.Problem = p
			return sum, nil
		}
		p, err := r.apply(slot.height, slot.stored)
		if err != nil {
			return sum, err
		}
		if p != nil {
			sum.Problem = p
			return sum, nil
		}
		sum.Height, sum.Blocks, sum.AppHash = slot.height, sum.Blocks+1, r.app
		sum.ValidatorSetChanges = r.follow.Transitions()
		sum.Txs += uint64(len(slot.stored.Block.Txs))
		sum.TxsRefused += r.refused
		if opt.Progress != nil {
			opt.Progress(Progress{Height: slot.height, Tip: tip, Txs: sum.Txs, Seconds: time.Since(start).Seconds()})
		}
		if err := ctx.Err(); err != nil {
			return sum, err
		}
	}
	return sum, ctx.Err()
}

// slot is one height travelling from a reader to the in-order replay.
type slot struct {
	height  uint64
	done    chan struct{}
	stored  *Stored
	sigs    uint64
	problem *Problem
	err     error
	// lastCert and ownCert are the worker's verdicts on the block's last
	// commit and on the source's certificate of the block (checkSets).
	lastCert, ownCert certCheck
}

// readAhead reads and checks heights 1..tip on workers goroutines and
// yields them in height order, at most 2*workers ahead of the consumer.
func readAhead(ctx context.Context, tip uint64, workers int, check func(*slot)) <-chan *slot {
	order := make(chan *slot, 2*workers)
	work := make(chan *slot)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work {
				check(s)
				close(s.done)
			}
		}()
	}
	go func() {
		defer close(order)
		defer func() { close(work); wg.Wait() }()
		for h := uint64(1); h <= tip; h++ {
			s := &slot{height: h, done: make(chan struct{})}
			select {
			case order <- s:
			case <-ctx.Done():
				return
			}
			select {
			case work <- s:
			case <-ctx.Done():
				close(s.done)
				return
			}
		}
	}()
	return order
}

// replay re-executes the chain with the contracts on a scratch store.
type replay struct {
	dir      string
	st       *store.Store
	app      ledger.Hash // AppHash(h) after the last applied height
	contract *node.ContractsApp
	prevHash ledger.Hash
	prevTime int64
	refused  uint64 // rejections among the last applied block's results
	chain    ledger.ChainIdentity

	// The validator set of each height as the replayed contracts give it
	// (spans: from, set), the same sets by hash for the workers (book),
	// and the chain's transitions followed by the rule of a verifier that
	// holds only genesis (follow), so that the audit accepts exactly the
	// histories of the set a proof bundle's verifier accepts, and more
	// (every block, not only the transitions, is checked).
	spans   []store.SetSpan
	book    *setBook
	follow  *ledger.SetFollower
	prevHdr *ledger.Header
}

func newReplay(doc *genesis.Doc, tmp string) (*replay, error) {
	dir, err := os.MkdirTemp(tmp, "qian-audit-")
	if err != nil {
		return nil, err
	}
	// The scratch store needs no durability (scratchFS).
	po := store.DefaultPebbleOptions()
	po.FS, po.Logger = scratchFS{vfs.Default}, quietLogger{}
	st, err := store.Open(dir, &store.Options{Pebble: po})
	po.Cache.Unref()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	r := &replay{dir: dir, st: st, contract: node.NewContractsApp(), chain: doc.Identity()}
	vals, err := doc.ValidatorSet()
	if err != nil {
		r.close()
		return nil, err
	}
	r.spans = []store.SetSpan{{From: 1, Set: vals}}
	r.book = newSetBook(vals)
	r.follow = ledger.NewSetFollower(r.chain, vals)
	writes, app, err := r.contract.Genesis(doc)
	if err != nil {
		r.close()
		return nil, fmt.Errorf("genesis state: %w", err)
	}
	if err := st.InitGenesis(doc.Hash(), vals, writes, app); err != nil {
		r.close()
		return nil, err
	}
	r.app = app
	return r, nil
}

func (r *replay) close() {
	r.st.Close()
	os.RemoveAll(r.dir)
}

// apply runs the in-order checks of height h and executes it.
func (r *replay) apply(h uint64, s *Stored) (*Problem, error) {
	b := s.Block
	hdr := &b.Header
	if h > 1 {
		if hdr.PrevBlockHash != r.prevHash {
			return problem(h, ErrHashChain, "prev_block_hash is %s, block %d hashes to %s", hdr.PrevBlockHash, h-1, r.prevHash), nil
		}
		if hdr.Time <= r.prevTime {
			return problem(h, ErrHashChain, "time %s is not after block %d's %s", hdr.Timestamp().Format(time.RFC3339Nano), h-1, time.Unix(0, r.prevTime).UTC().Format(time.RFC3339Nano)), nil
		}
	}
	if hdr.AppHash != r.app {
		return problem(h, ErrAppHash, "the header carries app hash %s; re-executing blocks 1..%d gives %s", hdr.AppHash, h-1, r.app), nil
	}
	inBlock := make(map[ledger.Hash]int, len(b.Txs))
	for i, tx := range b.Txs {
		if j, dup := inBlock[tx.Hash()]; dup {
			return problem(h, ErrTxReplay, "transaction %d (%s) repeats transaction %d of the block", i, tx.Hash(), j), nil
		}
		inBlock[tx.Hash()] = i
		seen, err := r.st.HasTx(tx.Hash())
		if err != nil {
			return nil, err
		}
		if seen {
			at, _, _ := r.st.TxLocation(tx.Hash())
			return problem(h, ErrTxReplay, "transaction %d (%s) was already committed at height %d", i, tx.Hash(), at), nil
		}
	}
	ex, err := r.contract.Execute(r.st, r.app, hdr, b.Txs)
	if err != nil {
		return nil, fmt.Errorf("re-execute block %d: %w", h, err)
	}
	r.refused = 0
	for i := range b.Txs {
		if string(ex.Results[i]) != string(s.Results[i]) {
			return problem(h, ErrResult, "transaction %d (%s): %s", i, b.Txs[i].Hash(), resultDiff(s.Results[i], ex.Results[i])), nil
		}
		if o, err := node.DecodeOutcome(ex.Results[i]); err == nil && o.Code != "OK" {
			r.refused++
		}
	}
	if s.AppHash != ex.AppHash {
		return problem(h, ErrAppHash, "the source stored app hash %s after this block; re-execution gives %s", s.AppHash, ex.AppHash), nil
	}
	if s.WritesRoot != nil {
		if wr := store.WritesRoot(ex.Writes); *s.WritesRoot != wr {
			return problem(h, ErrWritesRoot, "the source stored writes root %s; re-execution gives %s", *s.WritesRoot, wr), nil
		}
	}
	if err := r.st.CommitBlock(&store.Committed{Block: b, Commit: s.Commit, Results: ex.Results, Writes: ex.Writes, AppHash: ex.AppHash, NextValidators: ex.NextValidators}); err != nil {
		return nil, fmt.Errorf("replay store: %w", err)
	}
	if ex.NextValidators != nil {
		r.spans = append(r.spans, store.SetSpan{From: h + 2, Set: ex.NextValidators})
		r.book.add(ex.NextValidators)
	}
	r.app, r.prevHash, r.prevTime, r.prevHdr = ex.AppHash, b.Hash(), hdr.Time, hdr
	return nil, nil
}

// setAt is the replayed set of height h (known up to the last applied
// height + 2).
func (r *replay) setAt(h uint64) *ledger.ValidatorSet {
	for i := len(r.spans) - 1; i > 0; i-- {
		if r.spans[i].From <= h {
			return r.spans[i].Set
		}
	}
	return r.spans[0].Set
}

// checkSets runs, in height order, the checks that need the validator set
// of the height as the replayed state gives it: the header names it and
// the next height's, the proposer is in it, a change of set follows the
// rule of a genesis-only verifier (ledger.SetFollower), the certificates
// hold more than two thirds of the set of their height (the worker's
// verdict where it used that set), and evidence names a key that was a
// validator at its votes' height.
func (r *replay) checkSets(s *slot, sigs *uint64) *Problem {
	h, b := s.height, s.stored.Block
	hdr := &b.Header
	vals, next := r.setAt(h), r.setAt(h+1)
	switch {
	case hdr.ValidatorsHash != vals.Hash():
		return problem(h, ErrValidators, "validators_hash %s is not the hash %s of the set the chain's state gives for this height", hdr.ValidatorsHash, vals.Hash())
	case hdr.NextValidatorsHash != next.Hash():
		return problem(h, ErrValidators, "next_validators_hash %s is not the hash %s of the set the chain's state gives for height %d", hdr.NextValidatorsHash, next.Hash(), h+1)
	case vals.IndexOf(hdr.Proposer) < 0:
		return problem(h, ErrValidators, "proposer %s is not a validator of this height", hdr.Proposer)
	}
	if h > 1 {
		prev := r.setAt(h - 1)
		if prev.Hash() != vals.Hash() {
			// The set changes at h: the transition a verifier follows is
			// header h-1, certified by the chain's own commit inside this
			// block, naming this set as the next.
			if _, err := r.follow.Transition(&ledger.Transition{Header: r.prevHdr, Commit: b.LastCommit, Validators: vals}); err != nil {
				return problem(h, ErrValidators, "the validator-set change at this height: %v", err)
			}
		}
		lc := s.lastCert
		if !lc.Checked || lc.Set != prev.Hash() {
			lc = certCheck{Checked: true, Set: prev.Hash(), Err: b.LastCommit.Verify(r.chain, prev, h-1, hdr.PrevBlockHash), Sigs: uint64(len(b.LastCommit.Sigs))}
		}
		if lc.Err != nil {
			return problem(h, ErrCommit, "the certificate of block %d recorded in this block: %v", h-1, lc.Err)
		}
		*sigs += lc.Sigs
	}
	oc := s.ownCert
	if !oc.Checked || oc.Set != vals.Hash() {
		oc = certCheck{Checked: true, Set: vals.Hash(), Err: s.stored.Commit.Verify(r.chain, vals, h, b.Hash()), Sigs: uint64(len(s.stored.Commit.Sigs))}
	}
	if oc.Err != nil {
		return problem(h, ErrCommit, "the source's stored certificate of this block: %v", oc.Err)
	}
	*sigs += oc.Sigs
	for i, ev := range b.Evidence {
		if err := ev.Verify(r.chain, r.setAt(ev.A.Height)); err != nil {
			return problem(h, ErrEvidence, "evidence %d: %v", i, err)
		}
		*sigs += 2
	}
	return nil
}

// resultDiff says how a stored result differs from the re-executed one.
func resultDiff(stored, replayed []byte) string {
	so, serr := node.DecodeOutcome(stored)
	ro, rerr := node.DecodeOutcome(replayed)
	switch {
	case serr != nil:
		return fmt.Sprintf("the stored result does not decode (%v); re-execution gives %s", serr, describe(ro))
	case rerr != nil:
		return fmt.Sprintf("re-execution's result does not decode: %v", rerr)
	}
	return fmt.Sprintf("stored result %s, re-execution gives %s", describe(so), describe(ro))
}

func describe(o *node.TxOutcome) string {
	if o == nil {
		return "nothing"
	}
	s := o.Code
	if o.Message != "" {
		s += fmt.Sprintf(" (%q)", o.Message)
	}
	return fmt.Sprintf("%s with %d events", s, len(o.Events))
}
