package proof

import (
	"time"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
)

// Anchor is what a verifier trusts: the chain's identity and validator set,
// taken from its genesis file (AnchorFromGenesis). Names, when set, are the
// validators' names by index, for reports.
type Anchor struct {
	ChainID     string
	GenesisHash ledger.Hash
	Validators  *ledger.ValidatorSet
	Names       []string
}

// AnchorFromGenesis returns the anchor of a validated genesis document.
func AnchorFromGenesis(doc *genesis.Doc) (Anchor, error) {
	panic("TODO")
}

// Report is what a bundle proved.
type Report struct {
	ChainID   string      `json:"chain_id"`
	TxHash    ledger.Hash `json:"tx_hash"`
	Tx        *ledger.Tx  `json:"tx"`
	Index     uint32      `json:"index"` // position in the block
	Height    uint64      `json:"height"`
	Time      time.Time   `json:"time"`
	BlockHash ledger.Hash `json:"block_hash"`
	// Round, Signers, SignedPower: the certificate's round, the validators
	// (indexes in the genesis set) whose signatures verified, and their
	// power; TotalPower and Validators describe the whole set.
	Round       uint32   `json:"round"`
	Signers     []int    `json:"signers"`
	SignerNames []string `json:"signer_names,omitempty"`
	SignedPower uint64   `json:"signed_power"`
	TotalPower  uint64   `json:"total_power"`
	Validators  int      `json:"validators"`
	// InChain reports that the certificate is the one the chain itself
	// recorded (block h+1's last commit), not only a node's own copy.
	InChain bool `json:"in_chain"`
	// Result is the transaction's outcome, nil when the bundle carries
	// none. Result.Proven says whether it is tied to a certified app hash.
	Result *Outcome `json:"result,omitempty"`
	// BatchItem is the proven batch item, nil when the bundle carries none.
	BatchItem *BatchItem `json:"batch_item,omitempty"`
}

// Outcome is a transaction's result as its app-hash leaf records it.
type Outcome struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Events  []Event `json:"events"`
	// Proven: the leaf is tied, through the block's results root, to the
	// app hash of header h+1, whose certificate verified. When false the
	// outcome is the node's word only.
	Proven bool `json:"proven"`
	// ProvenBy is the height of the header that commits to it (h+1).
	ProvenBy uint64 `json:"proven_by,omitempty"`
}

// Verify checks b against a and returns what it proved, or an *Error naming
// the first check that failed. It reads no file and no network.
func Verify(b *Bundle, a Anchor) (*Report, error) {
	panic("TODO")
}

// ParseBundle reads a bundle's JSON strictly (see docs/verification.md):
// every field spelt exactly, none unknown or repeated, hex in lowercase. A
// failure is an *Error with code ErrFormat.
func ParseBundle(raw []byte) (*Bundle, error) {
	panic("TODO")
}

// VerifyJSON is ParseBundle followed by Verify.
func VerifyJSON(raw []byte, a Anchor) (*Report, error) {
	b, err := ParseBundle(raw)
	if err != nil {
		return nil, err
	}
	return Verify(b, a)
}

// Marshal returns the bundle's JSON, indented, with a final newline.
func (b *Bundle) Marshal() []byte {
	panic("TODO")
}
