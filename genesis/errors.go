package genesis

import "fmt"

// FieldError is a genesis rule broken by one field. Field is a path in the
// JSON document ("chain_id", "validators[2].power",
// "organisations[0].glns[1]"); Reason is a sentence. Code is CodeInvalid
// unless the rule has a code of its own (CodeBadSignature).
type FieldError struct {
	Field  string
	Reason string
	Code   string
}

func (e *FieldError) Error() string { return fmt.Sprintf("genesis: %s: %s", e.Field, e.Reason) }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...), Code: CodeInvalid}
}

// Stable codes of the founding ceremony's refusals (docs/operations.md,
// "Founding a consortium"). `qian` prints them as "error (CODE): ...".
const (
	// CodeInvalid: a genesis document breaks a rule (FieldError).
	CodeInvalid = "invalid_genesis"
	// CodeInvalidRequest: a join request file is malformed or breaks a
	// genesis rule on its own.
	CodeInvalidRequest = "invalid_request"
	// CodeBadSignature: a join signature (admin, validator or node) does
	// not verify over the request's entries: they were altered after
	// signing, or the signer does not hold the key.
	CodeBadSignature = "bad_signature"
	// CodeWrongChain: a request was made for another chain id.
	CodeWrongChain = "wrong_chain"
	// CodeDuplicateOrganisation: two requests found the same organisation
	// id (or one request was given twice).
	CodeDuplicateOrganisation = "duplicate_organisation"
	// CodeDuplicateKey: two requests name the same admin or validator key.
	CodeDuplicateKey = "duplicate_key"
	// CodeDuplicatePeer: two requests name the same node peer id.
	CodeDuplicatePeer = "duplicate_peer"
	// CodeDuplicateName: two requests name their nodes alike.
	CodeDuplicateName = "duplicate_node_name"
	// CodePrefixConflict: two organisations claim one GS1 company prefix,
	// or prefixes of which one begins the other.
	CodePrefixConflict = "prefix_conflict"
	// CodeGLNConflict: two organisations claim one GLN.
	CodeGLNConflict = "gln_conflict"
	// CodeNoValidators: no request brings a validator.
	CodeNoValidators = "no_validators"
	// CodeRequestMissing: a request checked against a genesis is not in it.
	CodeRequestMissing = "request_missing"
	// CodeRequestAltered: a request's entries differ in the genesis.
	CodeRequestAltered = "request_altered"
	// CodeUnsigned: the genesis holds an organisation, validator or
	// observer that no join request signed.
	CodeUnsigned = "unsigned_entry"
	// CodeHomeMismatch: the node home checked against a request holds
	// other keys than the request names.
	CodeHomeMismatch = "home_mismatch"
)

// CeremonyError is a refusal of the founding ceremony: assembling join
// requests into a genesis, or checking a genesis against requests. Code is
// one of the codes above; Reason says what and where, naming the request
// files involved.
type CeremonyError struct {
	Code   string
	Reason string
}

func (e *CeremonyError) Error() string { return e.Reason }

func ceremonyErr(code, format string, args ...any) *CeremonyError {
	return &CeremonyError{Code: code, Reason: fmt.Sprintf(format, args...)}
}
