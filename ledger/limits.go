package ledger

// Hard limits of the encoding. Decoders reject anything larger before
// allocating for it. Genesis sets the operational limits (block bytes, block
// transactions, transaction bytes), which must lie within these.
const (
	MaxChainIDLen      = 64
	MaxNameLen         = 32 // contract and method names
	MaxPayloadBytes    = 1 << 20
	MaxTxBytes         = MaxPayloadBytes + 512
	MaxBlockTxs        = 100_000
	MaxBlockBytes      = 64 << 20
	MaxValidators      = 1000
	MaxEvidence        = 100
	MaxRound           = 1 << 30 // far beyond any round a live chain reaches
	MaxVotingPower     = 1 << 50 // per validator; the total of 1000 stays below 2^60
	MaxUnixNanoseconds = 1<<63 - 1
)

// validChainID reports whether s is 1 to 64 characters of [a-z0-9._-],
// starting with a letter or digit.
func validChainID(s string) bool {
	if len(s) == 0 || len(s) > MaxChainIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// validName reports whether s is 1 to 32 characters of [a-z0-9_], starting
// with a letter: the syntax of contract and method names.
func validName(s string) bool {
	if len(s) == 0 || len(s) > MaxNameLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ValidateChainID returns an error naming the rule s breaks.
func ValidateChainID(s string) error {
	if !validChainID(s) {
		return errChainID(s)
	}
	return nil
}
