package node

import (
	"testing"
	"time"
)

// TestAdmissionLanes: a client's job goes in a batch of its own, without
// waiting for peers' gossip, and gossip frames gather into one batch
// (shaped here by counts alone: the windows are an hour).
func TestAdmissionLanes(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	a := newAdmitter(nil, stop)
	a.clientWindow, a.gossipWindow = time.Hour, time.Hour
	a.clientMin, a.gossipMin = 1, 10
	go a.gather()

	job := func(n int, patient bool) admitJob {
		return admitJob{raws: make([][]byte, n), patient: patient}
	}
	next := func() []admitJob {
		t.Helper()
		select {
		case b := <-a.batches:
			return b
		case <-time.After(10 * time.Second):
			t.Fatal("no batch")
			return nil
		}
	}
	a.submit(job(4, true))
	a.submit(job(4, true)) // 8 < 10: held
	a.submit(job(1, false))
	if b := next(); len(b) != 1 || b[0].patient {
		t.Fatalf("first batch %d jobs (patient: %v), want the client's alone", len(b), len(b) > 0 && b[0].patient)
	}
	a.submit(job(4, true)) // 12 >= 10: goes
	b := next()
	n := 0
	for _, j := range b {
		if !j.patient {
			t.Fatal("a client's job in the gossip batch")
		}
		n += len(j.raws)
	}
	if len(b) != 3 || n != 12 {
		t.Fatalf("gossip batch of %d jobs, %d transactions; want 3 and 12", len(b), n)
	}
}

// TestAdmissionBatchCap: no batch holds more than admitMaxTxs; the job that
// would overflow a lane starts the next batch.
func TestAdmissionBatchCap(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	a := newAdmitter(nil, stop)
	a.gossipWindow, a.gossipMin = time.Hour, admitMaxTxs
	go a.gather()
	for range 3 {
		a.submit(admitJob{raws: make([][]byte, admitMaxTxs/2+1), patient: true})
	}
	for range 2 {
		select {
		case b := <-a.batches:
			if len(b) != 1 {
				t.Fatalf("a batch of %d jobs of %d: over %d", len(b), admitMaxTxs/2+1, admitMaxTxs)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no batch")
		}
	}
}
