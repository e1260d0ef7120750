// Package notary is the data-notarization contract of the data exchange:
// it anchors SHA-256 hashes — of data products, of data transactions
// (trades), of evidence, and roots of batches of up to 1,000,000 items —
// with metadata, so anyone can later learn who anchored a hash, in which
// block and when. A hash is anchored once: a second anchoring is refused
// with a sentence that reports the first.
//
// Batches are built by clients (Batch): an RFC 6962 Merkle tree over the
// items' hashes whose root is anchored in one transaction, and one path per
// item. An item's certificate, which verifies offline against genesis, is
// the anchoring transaction's proof bundle with that path (ledger/proof).
package notary

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// Contract and method names.
const (
	Contract          = "notary"
	MethodAnchor      = "anchor"
	MethodRecordTrade = "record_trade"
	MethodAnchorBatch = "anchor_batch"
)

// Kind is what an anchored hash is the hash of.
type Kind uint8

const (
	DataProduct Kind = 1 // a data product (a file, a dataset)
	Evidence    Kind = 2 // a piece of evidence about the member's own data
	Trade       Kind = 3 // a data transaction recorded by a data exchange
	BatchRoot   Kind = 4 // the Merkle root of a batch
)

func (k Kind) String() string {
	switch k {
	case DataProduct:
		return "data_product"
	case Evidence:
		return "evidence"
	case Trade:
		return "trade"
	case BatchRoot:
		return "batch"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Attr is one metadata entry. Attribute lists are sorted by key, keys
// unique.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Limits.
const (
	MaxAttrs      = 16
	MaxAttrKey    = 32
	MaxAttrValue  = 256
	MaxName       = 200
	MaxParty      = 200
	MaxBatchItems = 1_000_000
)

func encodeAttrs(e *codec.Encoder, as []Attr) {
	e.Count(len(as))
	for _, a := range as {
		e.String(a.Key)
		e.String(a.Value)
	}
}

func decodeAttrs(d *codec.Decoder) []Attr {
	n := d.Count("attrs", MaxAttrs)
	var out []Attr
	for i := 0; i < n && d.Err() == nil; i++ {
		a := Attr{Key: d.String(fmt.Sprintf("attrs[%d].key", i), MaxAttrKey), Value: d.String(fmt.Sprintf("attrs[%d].value", i), MaxAttrValue)}
		if d.Err() == nil && (a.Key == "" || (i > 0 && a.Key <= out[i-1].Key)) {
			d.Fail(fmt.Sprintf("attrs[%d].key", i), "keys must be non-empty, sorted and unique")
		}
		out = append(out, a)
	}
	return out
}

// SortAttrs puts attributes in canonical order.
func SortAttrs(as []Attr) { sort.Slice(as, func(i, j int) bool { return as[i].Key < as[j].Key }) }

func checkText(field, s string, max int, required bool) error {
	if (required && s == "") || len(s) > max || !utf8.ValidString(s) || strings.TrimSpace(s) != s {
		min := 0
		if required {
			min = 1
		}
		return call.Errorf(call.ErrInvalid, "%s must be %d-%d bytes of UTF-8 without surrounding spaces", field, min, max)
	}
	return nil
}

// Anchor is the payload of notary.anchor. Encoding: 32-byte hash, u8 kind
// (1 data_product, 2 evidence), string name, string media type, u64 size in
// bytes (0 unknown), list of attributes (string key, string value).
type Anchor struct {
	Hash      ledger.Hash `json:"hash"`
	Kind      Kind        `json:"kind"`
	Name      string      `json:"name"`
	MediaType string      `json:"media_type"`
	Size      uint64      `json:"size"`
	Attrs     []Attr      `json:"attrs"`
}

func (p *Anchor) Encode() []byte {
	e := &codec.Encoder{}
	e.Fixed(p.Hash[:])
	e.U8(uint8(p.Kind))
	e.String(p.Name)
	e.String(p.MediaType)
	e.U64(p.Size)
	encodeAttrs(e, p.Attrs)
	return e.Buf
}

func DecodeAnchor(b []byte) (*Anchor, error) {
	d := codec.NewDecoder("notary.anchor payload", b)
	p := &Anchor{}
	d.Fixed("hash", p.Hash[:])
	p.Kind = Kind(d.U8("kind"))
	p.Name = d.String("name", MaxName)
	p.MediaType = d.String("media_type", 100)
	p.Size = d.U64("size")
	p.Attrs = decodeAttrs(d)
	if d.Err() == nil && p.Kind != DataProduct && p.Kind != Evidence {
		d.Fail("kind", "must be 1 (data_product) or 2 (evidence); trades and batches have their own methods")
	}
	return p, d.Finish()
}

// TradePayload is the payload of notary.record_trade: a data transaction
// on the exchange. Encoding: 32-byte product hash (SHA-256 of the data
// product sold), string seller, string buyer, string product id (the
// exchange's listing), 32-byte terms hash (SHA-256 of the contract terms),
// string reference (the exchange's deal number), i64 deal time (Unix
// nanoseconds), list of attributes. The anchored hash is TradeHash.
type TradePayload struct {
	ProductHash ledger.Hash `json:"product_hash"`
	Seller      string      `json:"seller"`
	Buyer       string      `json:"buyer"`
	ProductID   string      `json:"product_id"`
	TermsHash   ledger.Hash `json:"terms_hash"`
	Reference   string      `json:"reference"`
	Time        int64       `json:"time"`
	Attrs       []Attr      `json:"attrs"`
}

func (p *TradePayload) Encode() []byte {
	e := &codec.Encoder{}
	e.Fixed(p.ProductHash[:])
	e.String(p.Seller)
	e.String(p.Buyer)
	e.String(p.ProductID)
	e.Fixed(p.TermsHash[:])
	e.String(p.Reference)
	e.I64(p.Time)
	encodeAttrs(e, p.Attrs)
	return e.Buf
}

// TradeHash identifies a data transaction: the BIP-340 tagged hash
// "qian/notary/trade/v1" of its payload encoding. Anyone holding the
// trade's fields can recompute it and look it up.
func (p *TradePayload) TradeHash() ledger.Hash {
	return ledger.TaggedHash("qian/notary/trade/v1", p.Encode())
}

func DecodeTrade(b []byte) (*TradePayload, error) {
	d := codec.NewDecoder("notary.record_trade payload", b)
	p := &TradePayload{}
	d.Fixed("product_hash", p.ProductHash[:])
	p.Seller = d.String("seller", MaxParty)
	p.Buyer = d.String("buyer", MaxParty)
	p.ProductID = d.String("product_id", MaxName)
	d.Fixed("terms_hash", p.TermsHash[:])
	p.Reference = d.String("reference", MaxName)
	p.Time = d.I64("time")
	p.Attrs = decodeAttrs(d)
	return p, d.Finish()
}

// BatchPayload is the payload of notary.anchor_batch. Encoding: 32-byte
// RFC 6962 root, u64 number of items (1 to 1,000,000), string name, list of
// attributes.
type BatchPayload struct {
	Root  ledger.Hash `json:"root"`
	Size  uint64      `json:"size"`
	Name  string      `json:"name"`
	Attrs []Attr      `json:"attrs"`
}

func (p *BatchPayload) Encode() []byte {
	e := &codec.Encoder{}
	e.Fixed(p.Root[:])
	e.U64(p.Size)
	e.String(p.Name)
	encodeAttrs(e, p.Attrs)
	return e.Buf
}

func DecodeBatch(b []byte) (*BatchPayload, error) {
	d := codec.NewDecoder("notary.anchor_batch payload", b)
	p := &BatchPayload{}
	d.Fixed("root", p.Root[:])
	p.Size = d.U64("size")
	p.Name = d.String("name", MaxName)
	p.Attrs = decodeAttrs(d)
	if err := d.Finish(); err != nil {
		return nil, err
	}
	if p.Size == 0 || p.Size > MaxBatchItems {
		return nil, call.Errorf(call.ErrInvalid, "a batch holds 1 to %d items, not %d", MaxBatchItems, p.Size)
	}
	return p, nil
}

// Record is an anchored hash as stored: who anchored it, where and when,
// and the payload that carried its metadata.
type Record struct {
	Hash    ledger.Hash      `json:"hash"`
	Kind    Kind             `json:"kind"`
	Org     string           `json:"org"`
	Sender  ledger.PublicKey `json:"sender"`
	Height  uint64           `json:"height"`
	Time    int64            `json:"time"` // block time, Unix nanoseconds
	TxHash  ledger.Hash      `json:"tx"`
	TxIndex uint32           `json:"tx_index"`
	Payload []byte           `json:"payload"` // the anchoring payload (metadata)
}

// State layout (docs/state.md): n/a/{hash} -> Record.
const anchorPrefix = "n/a/"

// AnchorPrefix is the prefix of the anchors' state keys. Most lookups of
// them find nothing ("is this hash anchored already?"): a node's store
// answers those from memory (contracts.AbsentLookups).
const AnchorPrefix = anchorPrefix

func anchorKey(h ledger.Hash) []byte { return append([]byte(anchorPrefix), h[:]...) }

func (r *Record) encode() []byte {
	// Sized at once (the fixed fields are 119 bytes; two lengths of at most
	// ten): grown from nothing, a record took five allocations.
	e := &codec.Encoder{Buf: make([]byte, 0, 139+len(r.Org)+len(r.Payload))}
	e.U8(1)
	e.Fixed(r.Hash[:])
	e.U8(uint8(r.Kind))
	e.String(r.Org)
	e.Fixed(r.Sender[:])
	e.U64(r.Height)
	e.I64(r.Time)
	e.Fixed(r.TxHash[:])
	e.U32(r.TxIndex)
	e.Bytes(r.Payload)
	return e.Buf
}

// Lookup returns the anchoring of hash h, or nil if it was never anchored.
func Lookup(st state.Store, h ledger.Hash) (*Record, error) { return lookup(st, anchorKey(h), h) }

// lookup is Lookup with h's key made by the caller (anchor writes it next).
func lookup(st state.Store, key []byte, h ledger.Hash) (*Record, error) {
	b, err := st.Get(key)
	if err != nil || b == nil {
		return nil, err
	}
	d := codec.NewDecoder("notary record", b)
	if v := d.U8("version"); d.Err() == nil && v != 1 {
		d.Fail("version", "unknown version %d", v)
	}
	r := &Record{}
	d.Fixed("hash", r.Hash[:])
	r.Kind = Kind(d.U8("kind"))
	r.Org = d.String("org", membership.MaxOrgIDLen)
	d.Fixed("sender", r.Sender[:])
	r.Height = d.U64("height")
	r.Time = d.I64("time")
	d.Fixed("tx", r.TxHash[:])
	r.TxIndex = d.U32("tx_index")
	r.Payload = d.Bytes("payload", ledger.MaxPayloadBytes)
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("notary: corrupt record %s: %w", h, err)
	}
	return r, nil
}

// anchor records h unless it is already anchored.
func anchor(c *call.Context, who *membership.Caller, h ledger.Hash, kind Kind, payload []byte) error {
	key := anchorKey(h)
	if old, err := lookup(c.State, key, h); err != nil {
		return err
	} else if old != nil {
		return call.Errorf(call.ErrAlreadyAnchored, "hash %s was already anchored as %s by %s at height %d (%s, tx %s)",
			h, old.Kind, old.Org, old.Height, time.Unix(0, old.Time).UTC().Format(time.RFC3339), old.TxHash)
	}
	r := &Record{Hash: h, Kind: kind, Org: who.Org.ID, Sender: c.Sender, Height: c.Block.Height, Time: c.Block.Time,
		TxHash: c.TxHash, TxIndex: c.TxIndex, Payload: payload}
	c.State.Set(key, r.encode())
	c.Emit("notary.anchored", "hash", h.String(), "kind", kind.String(), "org", who.Org.ID)
	return nil
}

// RunAnchor executes notary.anchor: any member anchors a hash about its
// own data.
func RunAnchor(c *call.Context, who *membership.Caller, payload []byte) error {
	p, err := DecodeAnchor(payload)
	if err != nil {
		return call.PayloadError(err)
	}
	return ApplyAnchor(c, who, p, payload)
}

// ApplyAnchor is RunAnchor from the payload DecodeAnchor made of payload
// (the executor's decode-once path); p is not changed.
func ApplyAnchor(c *call.Context, who *membership.Caller, p *Anchor, payload []byte) error {
	if err := checkText("name", p.Name, MaxName, false); err != nil {
		return err
	}
	return anchor(c, who, p.Hash, p.Kind, payload)
}

// RunRecordTrade executes notary.record_trade: only data exchanges record
// data transactions.
func RunRecordTrade(c *call.Context, who *membership.Caller, payload []byte) error {
	p, err := DecodeTrade(payload)
	if err != nil {
		return call.PayloadError(err)
	}
	return ApplyRecordTrade(c, who, p, payload)
}

// ApplyRecordTrade is RunRecordTrade from the payload DecodeTrade made of
// payload (the executor's decode-once path); p is not changed.
func ApplyRecordTrade(c *call.Context, who *membership.Caller, p *TradePayload, payload []byte) error {
	if !who.Org.Has(membership.DataExchange) {
		return call.Errorf(call.ErrRole, "only data exchanges record data transactions; %s is %v", who.Org.ID, who.Org.Roles)
	}
	for _, f := range []struct{ n, v string }{{"seller", p.Seller}, {"buyer", p.Buyer}, {"product_id", p.ProductID}} {
		if err := checkText(f.n, f.v, MaxParty, true); err != nil {
			return err
		}
	}
	return anchor(c, who, p.TradeHash(), Trade, payload)
}

// RunAnchorBatch executes notary.anchor_batch: any member anchors the root
// of a batch of its own items.
func RunAnchorBatch(c *call.Context, who *membership.Caller, payload []byte) error {
	p, err := DecodeBatch(payload)
	if err != nil {
		return call.PayloadError(err)
	}
	return ApplyAnchorBatch(c, who, p, payload)
}

// ApplyAnchorBatch is RunAnchorBatch from the payload DecodeBatch made of
// payload (the executor's decode-once path); p is not changed.
func ApplyAnchorBatch(c *call.Context, who *membership.Caller, p *BatchPayload, payload []byte) error {
	if err := checkText("name", p.Name, MaxName, false); err != nil {
		return err
	}
	return anchor(c, who, p.Root, BatchRoot, payload)
}
