package bench

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
)

// Kinds of load.
const (
	KindTrace  = "trace"  // trace.capture: commissioning a new lot (farms and co-ops)
	KindNotary = "notary" // notary.anchor: evidence about the sender's own data (any member)
	KindMixed  = "mixed"  // half and half
	// KindLifecycle is mixed with lots that live on: of every four
	// transactions one commissions a lot, one inspects a lot its owner
	// commissioned lifecycleLag transactions earlier (its object read and
	// rewritten, not created), two anchor evidence. Commissionings alone
	// never read an existing object; most events in a lot's life do.
	KindLifecycle = "lifecycle"
)

// lifecycleLag is how many transactions earlier an inspected lot was
// commissioned, for a load offered at rate tx/s (0: as fast as it
// commits, with up to inflight transactions unanswered): about two
// seconds of load, and at least twice what may be in flight, so that the
// commissioning has committed before the inspection runs. An inspection
// whose lot's commissioning was refused (a full mempool) fails with
// ERR_UNKNOWN_OBJECT and is counted under failed.
func lifecycleLag(rate, inflight int) int {
	if rate <= 0 {
		rate = 4000
	}
	return max(2*rate, 2*inflight, 400) &^ 3 // a multiple of 4: a commissioning's place in the cycle
}

// account is a load sender: an operator key of one organisation.
type account struct {
	org  demo.Org
	key  ledger.PrivateKey
	pub  ledger.PublicKey
	kind string // the load it can send: trace or notary
}

// operatorKey derives the i-th bench operator of an organisation from its
// admin key, so reruns reuse the registered accounts.
func operatorKey(admin ledger.PrivateKey, i int) ledger.PrivateKey {
	return demo.Derive(admin, fmt.Sprintf("bench operator %d", i))
}

// generate signs n transactions of kind from the accounts, round-robin,
// spread over all cores. run makes every transaction distinct (its lot
// numbers and hashes carry it and a random tag).
func generate(chainID, kind string, accounts []account, n int, run string) ([]*ledger.Tx, error) {
	return generateN(chainID, kind, accounts, n, run, 1, lifecycleLag(0, 0))
}

// generateN is generate with perTx records per transaction: perTx
// commissioning events in one trace.capture_batch, or perTx item hashes
// under one notary.anchor_batch root (perTx 1: trace.capture and
// notary.anchor). lag is KindLifecycle's (lifecycleLag).
func generateN(chainID, kind string, accounts []account, n int, run string, perTx, lag int) ([]*ledger.Tx, error) {
	var traceAcc, notaryAcc []account
	for _, a := range accounts {
		if a.kind == KindTrace {
			traceAcc = append(traceAcc, a)
		}
		notaryAcc = append(notaryAcc, a) // every member may anchor evidence
	}
	if kind == KindLifecycle && perTx != 1 {
		return nil, fmt.Errorf("bench: lifecycle load sends one record per transaction")
	}
	if kind == KindLifecycle && (lag < 0 || lag%4 != 0) {
		return nil, fmt.Errorf("bench: lifecycle lag %d is not a commissioning's place (a non-negative multiple of 4)", lag)
	}
	if kind != KindNotary && len(traceAcc) == 0 {
		return nil, fmt.Errorf("bench: no farm or cooperative accounts for trace load")
	}
	txs := make([]*ledger.Tx, n)
	var tag [8]byte
	_, _ = rand.Read(tag[:])
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				k := kind
				if kind == KindMixed || kind == KindLifecycle {
					k = []string{KindTrace, KindNotary}[i%2]
				}
				var a account
				var contract, method string
				var payload []byte
				switch {
				case kind == KindLifecycle && i%4 == 2 && i-2 >= lag:
					lot := i - 2 - lag // a commissioning: lag is a multiple of 4
					a = traceAcc[lot%len(traceAcc)]
					contract, method, payload = trace.Contract, trace.MethodCapture, inspectPayload(a.org, run, lot, i)
				case k == KindTrace && perTx == 1:
					a = traceAcc[i%len(traceAcc)]
					contract, method, payload = trace.Contract, trace.MethodCapture, commissionPayload(a.org, run, i)
				case k == KindTrace:
					a = traceAcc[i%len(traceAcc)]
					evs := make([][]byte, perTx)
					for j := range evs {
						evs[j] = commissionPayload(a.org, run, i*perTx+j)
					}
					contract, method, payload = trace.Contract, trace.MethodCaptureBatch, trace.EncodeCaptureBatch(evs)
				case perTx == 1:
					a = notaryAcc[i%len(notaryAcc)]
					contract, method, payload = notary.Contract, notary.MethodAnchor, anchorPayload(tag, run, i)
				default:
					a = notaryAcc[i%len(notaryAcc)]
					items := make([]ledger.Hash, perTx)
					for j := range items {
						var seed [24]byte
						copy(seed[:8], tag[:])
						binary.BigEndian.PutUint64(seed[8:], uint64(i*perTx+j))
						copy(seed[16:], run)
						items[j] = ledger.Sum(seed[:])
					}
					b, err := notary.NewBatch(items)
					if err != nil {
						errs[w] = err
						return
					}
					contract, method, payload = notary.Contract, notary.MethodAnchorBatch, b.Payload(fmt.Sprintf("sensor-logs-%d", i), nil)
				}
				tx := &ledger.Tx{ChainID: chainID, Nonce: uint64(i), Contract: contract, Method: method, Payload: payload}
				if err := tx.Sign(a.key); err != nil {
					errs[w] = err
					return
				}
				txs[i] = tx
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return txs, nil
}

// signed is a transaction as the run keeps it: its encoding, which each
// request sends, and its hash, by which the run finds it in a block. Not
// the *ledger.Tx: a transaction built in memory is encoded and hashed
// afresh each time its Encode or Hash is called (one decoded from its
// encoding keeps both, at twice the memory), and the run's live heap is
// mostly these — hundreds of thousands signed ahead, which the collector
// marks on every cycle. An encoding holds no pointers.
type signed struct {
	enc  []byte
	hash ledger.Hash
}

// encodeAll turns generateN's transactions into what the run keeps,
// spread over all cores; txs is emptied as it goes.
func encodeAll(txs []*ledger.Tx) []signed {
	out := make([]signed, len(txs))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(txs); i += workers {
				out[i] = signed{enc: txs[i].Encode(), hash: txs[i].Hash()}
				txs[i] = nil
			}
		}(w)
	}
	wg.Wait()
	return out
}

// benchGTIN is the organisation's product with item reference 00010 (the
// demo story registers it for the farm and the co-op).
func benchGTIN(org demo.Org) string {
	body := "0" + org.Prefix + "00010"
	return body + fmt.Sprint(checkDigit(body))
}

func checkDigit(first13 string) int {
	sum := 0
	for i := 0; i < 13; i++ {
		d := int(first13[12-i] - '0')
		if i%2 == 0 {
			sum += 3 * d
		} else {
			sum += d
		}
	}
	return (10 - sum%10) % 10
}

// commissionPayload is a trace.capture of a harvest: a new lot of the
// organisation's product, 100 kg, at its site.
func commissionPayload(org demo.Org, run string, i int) []byte {
	return lotEvent(org, run, i, i, epcis.Add, "commissioning", "active")
}

// inspectPayload is a trace.capture of the owner's inspection of lot (the
// lot commissionPayload(org, run, lot) commissioned) at its site: an
// event on an object that exists.
func inspectPayload(org demo.Org, run string, lot, i int) []byte {
	return lotEvent(org, run, lot, i, epcis.Observe, "inspecting", "conformant")
}

// lotEvent is the encoded object event of the bench's i-th transaction on
// lot (100 kg of the organisation's product) at the organisation's site.
func lotEvent(org demo.Org, run string, lot, i int, action epcis.Action, bizStep, disposition string) []byte {
	q, _ := epcis.ParseDecimal("100")
	site := gs1.Location{GLN: org.SiteGLN}.URI()
	ev := &epcis.Event{
		Type: epcis.ObjectEvent, EventTime: 1_744_000_000_000_000_000 + int64(i)*1_000_000, TimeZoneOffset: 480,
		Action: action, BizStep: bizStep, Disposition: disposition, ReadPoint: site, BizLocation: site,
		QuantityList: []epcis.Quantity{{Class: gs1.ObjectID{Kind: gs1.Lot, Key: benchGTIN(org), Ext: fmt.Sprintf("B%s-%d", run, lot)},
			HasQuantity: true, Quantity: q, UOM: "KGM"}},
	}
	return ev.Encode()
}

// anchorPayload anchors a distinct hash as evidence.
func anchorPayload(tag [8]byte, run string, i int) []byte {
	var seed [24]byte
	copy(seed[:8], tag[:])
	binary.BigEndian.PutUint64(seed[8:], uint64(i))
	copy(seed[16:], run)
	p := &notary.Anchor{Hash: ledger.Sum(seed[:]), Kind: notary.Evidence, Name: fmt.Sprintf("sensor-log-%d.csv", i), MediaType: "text/csv", Size: 4096}
	return p.Encode()
}

// traceRoles can commission lots.
func traceRole(r membership.Role) bool { return r == membership.Farm || r == membership.Cooperative }
