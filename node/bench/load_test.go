package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
)

// A lifecycle load inspects lots that exist: every fourth transaction,
// once lag transactions have gone by, is an inspection signed by the
// account that commissioned the lot lag transactions before it, naming
// that lot; before that, and in the other trace places, lots are
// commissioned.
func TestLifecycleInspectsLotsItsOwnerCommissioned(t *testing.T) {
	var accounts []account
	for _, org := range demo.Founding {
		kind := KindNotary
		if traceRole(org.Role) {
			kind = KindTrace
		}
		for range 3 {
			k, err := ledger.GenerateKey()
			if err != nil {
				t.Fatal(err)
			}
			accounts = append(accounts, account{org: org, key: k, pub: k.PublicKey(), kind: kind})
		}
	}
	const n, lag = 64, 8
	txs, err := generateN("qian-test", KindLifecycle, accounts, n, "t", 1, lag)
	if err != nil {
		t.Fatal(err)
	}
	event := func(i int) *epcis.Event {
		t.Helper()
		if txs[i].Contract != trace.Contract || txs[i].Method != trace.MethodCapture {
			t.Fatalf("tx %d: %s.%s, want %s.%s", i, txs[i].Contract, txs[i].Method, trace.Contract, trace.MethodCapture)
		}
		ev, err := epcis.DecodeEvent(txs[i].Payload)
		if err != nil {
			t.Fatalf("tx %d: %v", i, err)
		}
		return ev
	}
	inspections := 0
	for i := 0; i < n; i += 2 {
		ev := event(i)
		if i%4 == 0 || i-2 < lag {
			if ev.Action != epcis.Add || ev.BizStep != "commissioning" {
				t.Fatalf("tx %d: %v %s, want a commissioning", i, ev.Action, ev.BizStep)
			}
			continue
		}
		inspections++
		lot := i - 2 - lag
		if ev.Action != epcis.Observe || ev.BizStep != "inspecting" {
			t.Fatalf("tx %d: %v %s, want an inspection", i, ev.Action, ev.BizStep)
		}
		if got, want := ev.QuantityList[0].Class, event(lot).QuantityList[0].Class; got != want {
			t.Fatalf("tx %d inspects %v, want lot %v of tx %d", i, got, want, lot)
		}
		if txs[i].Sender != txs[lot].Sender {
			t.Fatalf("tx %d is signed by another account than the commissioning of its lot (tx %d)", i, lot)
		}
	}
	if want := 14; inspections != want { // at 10, 14, ..., 62
		t.Fatalf("%d inspections in %d transactions, want %d", inspections, n, want)
	}
	if _, err := generateN("qian-test", KindLifecycle, accounts, n, "t", 2, lag); err == nil {
		t.Fatal("a lifecycle load of two records per transaction generated")
	}
	if _, err := generateN("qian-test", KindLifecycle, accounts, n, "t", 1, lag+2); err == nil {
		t.Fatal("a lag that is not a multiple of 4 (inspections of notary transactions) generated")
	}
	// The lag the bench uses: a multiple of 4, about 2 s of load, at least
	// twice what may be in flight.
	for _, c := range []struct{ rate, inflight, want int }{{200, 0, 400}, {4000, 4000, 8000}, {0, 12000, 24000}, {1001, 0, 2000}} {
		if got := lifecycleLag(c.rate, c.inflight); got != c.want {
			t.Errorf("lifecycleLag(%d, %d) = %d, want %d", c.rate, c.inflight, got, c.want)
		}
	}
}

// On a network, every inspection of a lifecycle load finds its lot
// committed, in its owner's custody: nothing fails.
func TestLifecycleLoadCommitsWithoutFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test runs a validator and a short load")
	}
	p := genesis.DefaultConsensusParams()
	urls, admins := demoNetwork(t, 1, &p)
	var out strings.Builder
	const rate = 200 // lifecycleLag(200, 0) = 400: inspections from the third second
	sum, err := Run(context.Background(), Options{Nodes: urls, Admins: admins, Duration: 4 * time.Second, Rate: rate, Batch: 10, Kind: KindLifecycle, Accounts: 4, Out: &out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	// The run's lag leaves inspections in its 800 transactions, and none
	// failed or was refused.
	if sum.LifecycleLag != lifecycleLag(rate, 0) || sum.Submitted < sum.LifecycleLag+100 || sum.Committed != sum.Submitted || len(sum.Failed) != 0 || len(sum.Rejected) != 0 {
		t.Fatalf("lag %d (want %d), submitted %d (want more than the lag and 100), committed %d, failed %v, refused %v\n%s",
			sum.LifecycleLag, lifecycleLag(rate, 0), sum.Submitted, sum.Committed, sum.Failed, sum.Rejected, out.String())
	}
}
