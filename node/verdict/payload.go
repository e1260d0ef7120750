package verdict

import (
	"encoding/json"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
)

// payloadJSON renders the proven transaction's payload with the contracts'
// decoders; a trace.capture as its EPCIS 2.0 event, with the record hash
// its proven outcome names. A payload the contracts cannot decode is
// {"error": sentence}: the transaction is still proven (the chain refused
// it, and its outcome says so).
func payloadJSON(rep *proof.Report) json.RawMessage {
	tx := rep.Tx
	v, err := contracts.NewExecutor().DecodePayload(tx.Contract, tx.Method, tx.Payload)
	if err != nil {
		b, _ := json.Marshal(map[string]string{"error": err.Error()})
		return b
	}
	var b []byte
	if ev, ok := v.(*epcis.Event); ok {
		var h ledger.Hash
		if hs := eventHashes(rep); len(hs) == 1 {
			h = hs[0]
		}
		b, err = recorded(rep, ev, h).MarshalJSON()
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	return b
}

// recorded is ev as the chain recorded it in the proven block.
func recorded(rep *proof.Report, ev *epcis.Event, h ledger.Hash) epcis.Value {
	return epcis.EventJSON(&epcis.Recorded{Event: ev, RecordTime: rep.Time.UnixNano(), Height: rep.Height, TxHash: rep.TxHash, Hash: h})
}
