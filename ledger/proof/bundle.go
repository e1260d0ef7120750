package proof

import (
	"github.com/qianchain/qianchain/ledger"
)

// Version is the bundle format this package writes and reads. Version 2
// added the validator-set transitions (and headers that name the next
// set); version 1 bundles, of chains whose set never changed, are refused
// with a sentence saying so.
const Version = 2

// Bundle is a proof bundle: its JSON form (Marshal, ParseBundle) is the file
// `qian proof` writes and `qian verify` reads. Fields named Encoding hold a
// canonical encoding (docs/encoding.md) in lowercase hex; every other field
// is a readable copy of something inside an encoding, checked by Verify.
type Bundle struct {
	Version     int         `json:"version"`
	ChainID     string      `json:"chain_id"`
	GenesisHash ledger.Hash `json:"genesis_hash"`
	// Tx is the transaction; Inclusion its path to Header.TxRoot.
	Tx        TxPart    `json:"tx"`
	Inclusion Inclusion `json:"inclusion"`
	// Header is the header of the block that holds the transaction, and
	// Commit a certificate for it.
	Header HeaderPart `json:"header"`
	Commit CommitPart `json:"commit"`
	// Validators is the validator set that signs Header's height: the
	// genesis set followed through Transitions.
	Validators ValidatorsPart `json:"validators"`
	// Transitions link the genesis set to the set of every header the
	// bundle carries: one per height at which the set changed, up to and
	// including Header's height (and Next's), in increasing height. Empty
	// on a chain whose set never changed.
	Transitions []TransitionPart `json:"transitions"`
	// Next is the following block's header and a certificate for it: present
	// once that block is committed. Its last_commit_hash names Commit, and
	// its app_hash commits to Outcome.
	Next *NextPart `json:"next,omitempty"`
	// Outcome is the transaction's stored result (its app-hash leaf,
	// docs/state.md). It is proven only with Next and Outcome.Proof.
	Outcome *OutcomePart `json:"outcome,omitempty"`
	// BatchItem, for a notary.anchor_batch transaction, proves that one
	// item is in the anchored batch.
	BatchItem *BatchItem `json:"batch_item,omitempty"`
}

// TxPart is a transaction: its encoding and, for readers, its hash and
// fields (the payload stays in the encoding).
type TxPart struct {
	Encoding Hex              `json:"encoding"`
	Hash     ledger.Hash      `json:"hash"`
	Sender   ledger.PublicKey `json:"sender"`
	Nonce    uint64           `json:"nonce"`
	Contract string           `json:"contract"`
	Method   string           `json:"method"`
}

// Inclusion is an RFC 6962 audit path: the leaf at Index of a tree of Size
// leaves, sibling hashes from the leaf upwards. Size must equal the header's
// tx_count: the verifier takes the size from the header, never from here.
type Inclusion struct {
	Index    uint32        `json:"index"`
	Size     uint32        `json:"size"`
	Siblings []ledger.Hash `json:"siblings"`
}

// HeaderPart is a block header: its encoding and, for readers, its hash
// (the block hash) and fields. Time is RFC 3339 in UTC with nanoseconds as
// Go's time.RFC3339Nano writes them.
type HeaderPart struct {
	Encoding           Hex              `json:"encoding"`
	Hash               ledger.Hash      `json:"hash"`
	Height             uint64           `json:"height"`
	Time               string           `json:"time"`
	PrevBlockHash      ledger.Hash      `json:"prev_block_hash"`
	TxCount            uint32           `json:"tx_count"`
	TxRoot             ledger.Hash      `json:"tx_root"`
	AppHash            ledger.Hash      `json:"app_hash"`
	ValidatorsHash     ledger.Hash      `json:"validators_hash"`
	NextValidatorsHash ledger.Hash      `json:"next_validators_hash"`
	Proposer           ledger.PublicKey `json:"proposer"`
	LastCommitHash     ledger.Hash      `json:"last_commit_hash"`
	EvidenceHash       ledger.Hash      `json:"evidence_hash"`
}

// CommitPart is a commit certificate: its encoding and, for readers, what it
// certifies and who signed.
type CommitPart struct {
	Encoding  Hex         `json:"encoding"`
	Hash      ledger.Hash `json:"hash"`
	Height    uint64      `json:"height"`
	Round     uint32      `json:"round"`
	BlockHash ledger.Hash `json:"block_hash"`
	Signers   []int       `json:"signers"`
}

// ValidatorsPart is the validator set: its encoding and, for readers, its
// hash, members and total power.
type ValidatorsPart struct {
	Encoding   Hex                `json:"encoding"`
	Hash       ledger.Hash        `json:"hash"`
	Validators []ledger.Validator `json:"validators"`
	TotalPower uint64             `json:"total_power"`
}

// TransitionPart is a validator-set change at Height: header Height-1,
// signed by the set in force there (Commit), whose next_validators_hash
// names the new set, Validators (ledger.Transition). A verifier holding
// the set before it checks the certificate, then holds the new set.
type TransitionPart struct {
	Height     uint64         `json:"height"` // the first height the new set signs: header.height + 1
	Header     HeaderPart     `json:"header"`
	Commit     CommitPart     `json:"commit"`
	Validators ValidatorsPart `json:"validators"`
}

// NextPart is block h+1's header and a certificate for it.
type NextPart struct {
	Header HeaderPart `json:"header"`
	Commit CommitPart `json:"commit"`
}

// OutcomePart is a transaction's result leaf (docs/state.md: tx hash, code,
// message, events) and, for readers, its fields. Proof, with the bundle's
// Next, ties it to the app hash in header h+1.
type OutcomePart struct {
	Result  Hex           `json:"result"`
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Events  []Event       `json:"events"`
	Proof   *OutcomeProof `json:"proof,omitempty"`
}

// OutcomeProof is the result leaf's path into the block's results root (leaf
// index = the transaction's index, size = tx_count) and the two roots whose
// app-hash link header h+1 carries:
//
//	app_hash(h+1 header) = TaggedHash("qian/app/v1", app_hash(h header) ‖ u64(h) ‖ WritesRoot ‖ ResultsRoot)
type OutcomeProof struct {
	Siblings    []ledger.Hash `json:"siblings"`
	WritesRoot  ledger.Hash   `json:"writes_root"`
	ResultsRoot ledger.Hash   `json:"results_root"`
}

// Event is one event of a result: a type and attributes in emission order.
type Event struct {
	Type  string `json:"type"`
	Attrs []Attr `json:"attrs"`
}

// Attr is an event attribute.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// BatchItem proves that Item is leaf Index of the RFC 6962 tree (leaf
// SHA-256(00 ‖ item)) whose Root and Size the transaction's
// notary.anchor_batch payload names. Root and Size are readable copies of
// the payload's first fields.
type BatchItem struct {
	Item     ledger.Hash   `json:"item"`
	Index    uint64        `json:"index"`
	Size     uint64        `json:"size"`
	Root     ledger.Hash   `json:"root"`
	Siblings []ledger.Hash `json:"siblings"`
}
