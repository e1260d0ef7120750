package node

import (
	"time"

	"github.com/qianchain/qianchain/node/mempool"
)

// The admission pipeline: every transaction a node receives — a client's
// single submission, a client's batch, a peer's gossip frame — goes through
// one queue, so that the signatures checked together (batch verification,
// ledger/schnorrbatch) come from all sources at once. One goroutine gathers
// what is queued into a batch; admitWorkers goroutines admit batches. While
// the workers are busy the queue grows, so batches grow with the load; when
// the queue is short, the gatherer waits up to admitGather for company.

const (
	admitGather  = 2 * time.Millisecond
	admitMinTxs  = 64   // a batch this large goes at once
	admitMaxTxs  = 2048 // and never larger
	admitWorkers = 2
	admitQueue   = 4096 // jobs waiting; a full queue blocks the sender (backpressure)
)

// admitJob is a group of encoded transactions from one source; done gets
// their results, in order, on a worker goroutine.
type admitJob struct {
	raws [][]byte
	done func(res []mempool.Result)
}

type admitter struct {
	pool    *mempool.Mempool
	in      chan admitJob
	batches chan []admitJob
	stop    <-chan struct{}
}

func newAdmitter(pool *mempool.Mempool, stop <-chan struct{}) *admitter {
	return &admitter{pool: pool, in: make(chan admitJob, admitQueue), batches: make(chan []admitJob), stop: stop}
}

// submit queues a job; false when the node is stopping.
func (a *admitter) submit(j admitJob) bool {
	select {
	case a.in <- j:
		return true
	case <-a.stop:
		return false
	}
}

// gather forms batches until stop is closed.
func (a *admitter) gather() {
	for {
		var first admitJob
		select {
		case first = <-a.in:
		case <-a.stop:
			return
		}
		jobs, n := []admitJob{first}, len(first.raws)
		deadline := time.NewTimer(admitGather)
	more:
		for n < admitMaxTxs {
			select {
			case j := <-a.in:
				jobs, n = append(jobs, j), n+len(j.raws)
				continue
			default:
			}
			if n >= admitMinTxs {
				break
			}
			select {
			case j := <-a.in:
				jobs, n = append(jobs, j), n+len(j.raws)
			case <-deadline.C:
				break more
			case <-a.stop:
				deadline.Stop()
				return
			}
		}
		deadline.Stop()
		select {
		case a.batches <- jobs:
		case <-a.stop:
			return
		}
	}
}

// work admits batches until stop is closed.
func (a *admitter) work() {
	for {
		var jobs []admitJob
		select {
		case jobs = <-a.batches:
		case <-a.stop:
			return
		}
		var raws [][]byte
		for _, j := range jobs {
			raws = append(raws, j.raws...)
		}
		res := a.pool.AddBatch(raws)
		for _, j := range jobs {
			j.done(res[:len(j.raws)])
			res = res[len(j.raws):]
		}
	}
}
