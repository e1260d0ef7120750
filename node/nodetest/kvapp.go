package nodetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"sort"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
)

// KVApp is a trivial deterministic application for node tests that do not
// need the real contracts: contract "kv", method "put", payload
// "key=value". The app hash chains the previous one with the height and the
// sorted writes.
type KVApp struct{}

func (KVApp) Genesis(doc *genesis.Doc) ([]store.Write, ledger.Hash, error) {
	return []store.Write{{Key: []byte("kv/chain"), Value: []byte(doc.ChainID)}}, ledger.Sum([]byte(doc.ChainID)), nil
}

func (KVApp) Execute(st *store.Store, prev ledger.Hash, hdr *ledger.Header, txs []*ledger.Tx) (*node.Execution, error) {
	ex := &node.Execution{}
	writes := map[string][]byte{}
	for _, tx := range txs {
		// A result begins with its transaction's hash, as the store
		// requires (ledger/store, results.go).
		h := tx.Hash()
		k, v, ok := bytes.Cut(tx.Payload, []byte("="))
		if tx.Contract != "kv" || tx.Method != "put" || !ok || len(k) == 0 {
			ex.Results = append(ex.Results, append(h[:], "ERR_PAYLOAD"...))
			continue
		}
		writes["kv/"+string(k)] = v
		ex.Results = append(ex.Results, append(h[:], "OK"...))
		ex.Events = append(ex.Events, node.Event{Type: "kv.put", TxHash: h, Attrs: []contracts.Attr{{Key: "key", Value: string(k)}}})
	}
	keys := make([]string, 0, len(writes))
	for k := range writes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	h.Write(prev[:])
	h.Write(binary.BigEndian.AppendUint64(nil, hdr.Height))
	for _, k := range keys {
		ex.Writes = append(ex.Writes, store.Write{Key: []byte(k), Value: writes[k]})
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write(writes[k])
		h.Write([]byte{0})
	}
	for _, r := range ex.Results {
		h.Write(r)
	}
	h.Sum(ex.AppHash[:0])
	return ex, nil
}

func (KVApp) CheckTx(st *store.Store, tx *ledger.Tx) error {
	if tx.Contract != "kv" {
		return errors.New("unknown contract")
	}
	return nil
}

// KVTx returns a signed kv put.
func KVTx(chainID string, key ledger.PrivateKey, nonce uint64, k, v string) *ledger.Tx {
	tx := &ledger.Tx{ChainID: chainID, Nonce: nonce, Contract: "kv", Method: "put", Payload: []byte(k + "=" + v)}
	if err := tx.Sign(key); err != nil {
		panic(err)
	}
	return tx
}
