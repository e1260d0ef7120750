package ledger

// Tag is the first byte of every top-level encoded value. It makes each value
// self-describing and means that bytes of one type can never be decoded as
// another: a vote is never mistaken for a transaction.
type Tag uint8

const (
	TagTx           Tag = 0x01
	TagHeader       Tag = 0x02
	TagBlock        Tag = 0x03
	TagVote         Tag = 0x04
	TagProposal     Tag = 0x05
	TagCommit       Tag = 0x06
	TagValidatorSet Tag = 0x07
	TagEvidence     Tag = 0x08
)

func (t Tag) String() string {
	switch t {
	case TagTx:
		return "tx"
	case TagHeader:
		return "header"
	case TagBlock:
		return "block"
	case TagVote:
		return "vote"
	case TagProposal:
		return "proposal"
	case TagCommit:
		return "commit"
	case TagValidatorSet:
		return "validator set"
	case TagEvidence:
		return "evidence"
	}
	return "unknown"
}

// Domain tags for signatures. Each signed type hashes its sign bytes with its
// own BIP-340 tagged hash, and every sign-bytes layout begins with the chain
// id, so a signature is bound to one type on one chain. Votes and proposals
// also sign the genesis hash (ChainIdentity), so theirs are bound to one
// genesis too: v2 of their layouts; v1 signed the chain id alone.
const (
	domainTx       = "qian/tx/v1"
	domainVote     = "qian/vote/v2"
	domainProposal = "qian/proposal/v2"
)
