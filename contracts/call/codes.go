package call

// OK is the code of a successful transaction.
const OK = "OK"

// Rejection codes. Each is documented in docs/state.md (all of them) and in
// the document of the contract that returns it, and each is reached by a
// test (contracts/codes_test.go checks that the list below is covered).
const (
	// Framework: any transaction.
	ErrUnknownContract = "ERR_UNKNOWN_CONTRACT" // no contract of that name
	ErrUnknownMethod   = "ERR_UNKNOWN_METHOD"   // the contract has no such method
	ErrPayload         = "ERR_PAYLOAD"          // the payload is not the canonical encoding of the method's payload
	ErrWrongChain      = "ERR_WRONG_CHAIN"      // the transaction names another chain
	ErrUnknownAccount  = "ERR_UNKNOWN_ACCOUNT"  // the sender key is not a member account
	ErrKeyRevoked      = "ERR_KEY_REVOKED"      // the sender key was revoked or rotated away
	ErrOrgSuspended    = "ERR_ORG_SUSPENDED"    // the sender's organisation is suspended (or, for a validator change, the validator's)
	ErrInternal        = "ERR_INTERNAL"         // a contract failed unexpectedly (a bug); nothing changed

	// Shared by the contracts.
	ErrInvalid    = "ERR_INVALID"     // a field is well-formed but not acceptable (a bad id, an empty list, ...)
	ErrRole       = "ERR_ROLE"        // the sender's organisation lacks the role the action needs
	ErrNotAdmin   = "ERR_NOT_ADMIN"   // the action needs an admin key of the organisation
	ErrUnknownOrg = "ERR_UNKNOWN_ORG" // no organisation with that id

	// membership
	ErrOrgExists       = "ERR_ORG_EXISTS"       // an organisation with that id exists (or is proposed)
	ErrPrefixTaken     = "ERR_PREFIX_TAKEN"     // a GS1 company prefix overlaps one another organisation holds
	ErrGLNTaken        = "ERR_GLN_TAKEN"        // a GLN is registered to another organisation
	ErrAccountExists   = "ERR_ACCOUNT_EXISTS"   // the key is, or was, an account
	ErrNotSameOrg      = "ERR_NOT_SAME_ORG"     // the key belongs to another organisation
	ErrLastAdmin       = "ERR_LAST_ADMIN"       // the action would leave the organisation without an active admin
	ErrNotElector      = "ERR_NOT_ELECTOR"      // only founding or regulator organisations propose and vote
	ErrUnknownProposal = "ERR_UNKNOWN_PROPOSAL" // no proposal with that id
	ErrProposalClosed  = "ERR_PROPOSAL_CLOSED"  // the proposal has already been executed
	ErrAlreadyVoted    = "ERR_ALREADY_VOTED"    // the organisation has already approved the proposal
	ErrOrgStatus       = "ERR_ORG_STATUS"       // the organisation is already in the requested status

	// membership: validator-set changes (docs/consensus.md, "Validator-set changes")
	ErrUnknownValidator    = "ERR_UNKNOWN_VALIDATOR"     // no validator with that consensus key in the set, as of every approved change
	ErrValidatorKeyUsed    = "ERR_VALIDATOR_KEY_USED"    // the consensus key is, or was, a validator's key (keys are never reused)
	ErrValidatorPeerUsed   = "ERR_VALIDATOR_PEER_USED"   // the node peer id is another validator's
	ErrValidatorPower      = "ERR_VALIDATOR_POWER"       // a voting power of 0 or above the ledger's limit (2^50)
	ErrValidatorSetEmpty   = "ERR_VALIDATOR_SET_EMPTY"   // the change would leave no validator
	ErrValidatorPowerShift = "ERR_VALIDATOR_POWER_SHIFT" // the changes taking effect at one height would move a third or more of the voting power
	ErrValidatorPending    = "ERR_VALIDATOR_PENDING"     // an approved change of that validator has not taken effect yet

	// trace
	ErrInvalidGTIN      = "ERR_INVALID_GTIN"      // a GTIN (or other GS1 key) has a bad length or check digit
	ErrPrefixNotOwned   = "ERR_PREFIX_NOT_OWNED"  // a new identifier's company prefix is not the sender organisation's
	ErrObjectExists     = "ERR_OBJECT_EXISTS"     // a lot, item or container is already commissioned
	ErrUnknownObject    = "ERR_UNKNOWN_OBJECT"    // a lot, item or container was never commissioned
	ErrNotCustodian     = "ERR_NOT_CUSTODIAN"     // the sender's organisation does not hold the object
	ErrNoReceiver       = "ERR_NO_RECEIVER"       // a shipping event does not name the receiving organisation
	ErrUnknownParty     = "ERR_UNKNOWN_PARTY"     // a GLN names no member organisation
	ErrNotReceiver      = "ERR_NOT_RECEIVER"      // receiving by an organisation the object was not shipped to
	ErrRecalled         = "ERR_RECALLED"          // the object is recalled: it cannot be sold, transformed or packed
	ErrDuplicateEvent   = "ERR_DUPLICATE_EVENT"   // an event with that eventID is already recorded
	ErrAlreadyPacked    = "ERR_ALREADY_PACKED"    // the object is already inside a container
	ErrNotPacked        = "ERR_NOT_PACKED"        // the object is not inside that container
	ErrRecallTooLarge   = "ERR_RECALL_TOO_LARGE"  // the recall would reach more objects than one transaction may change
	ErrProductExists    = "ERR_PRODUCT_EXISTS"    // the GTIN is already registered
	ErrUnknownEvent     = "ERR_UNKNOWN_EVENT"     // an error declaration names an eventID no recorded event has
	ErrNotDeclarant     = "ERR_NOT_DECLARANT"     // only the organisation that recorded an event, or a regulator, declares it erroneous
	ErrAlreadyDeclared  = "ERR_ALREADY_DECLARED"  // the event was already declared erroneous
	ErrDeclarationOrder = "ERR_DECLARATION_ORDER" // a later event on one of its objects must be declared erroneous first
	ErrEPCISPrefix      = "ERR_EPCIS_PREFIX"      // (capture) an extension's prefix is not declared in the document's @context
	ErrEPCISSchema      = "ERR_EPCIS_SCHEMA"      // (capture) the document does not validate against the GS1 EPCIS 2.0 schema
	ErrEPCISInvalid     = "ERR_EPCIS_INVALID"     // (capture) the document is not a well-formed EPCIS 2.0 document
	ErrEPCISUnsupported = "ERR_EPCIS_UNSUPPORTED" // (capture) a valid EPCIS 2.0 feature that Qianchain does not record

	// notary
	ErrAlreadyAnchored = "ERR_ALREADY_ANCHORED" // the hash was anchored before; the sentence names the first anchoring
	ErrDisclosure      = "ERR_DISCLOSURE"       // (offline) a disclosed value and salt do not match the commitment
)

// AllCodes lists every rejection code, in the order above.
var AllCodes = []string{
	ErrUnknownContract, ErrUnknownMethod, ErrPayload, ErrWrongChain, ErrUnknownAccount, ErrKeyRevoked,
	ErrOrgSuspended, ErrInternal,
	ErrInvalid, ErrRole, ErrNotAdmin, ErrUnknownOrg,
	ErrOrgExists, ErrPrefixTaken, ErrGLNTaken, ErrAccountExists, ErrNotSameOrg, ErrLastAdmin, ErrNotElector,
	ErrUnknownProposal, ErrProposalClosed, ErrAlreadyVoted, ErrOrgStatus,
	ErrUnknownValidator, ErrValidatorKeyUsed, ErrValidatorPeerUsed, ErrValidatorPower, ErrValidatorSetEmpty,
	ErrValidatorPowerShift, ErrValidatorPending,
	ErrInvalidGTIN, ErrPrefixNotOwned, ErrObjectExists, ErrUnknownObject, ErrNotCustodian, ErrNoReceiver,
	ErrUnknownParty, ErrNotReceiver, ErrRecalled, ErrDuplicateEvent, ErrAlreadyPacked, ErrNotPacked,
	ErrRecallTooLarge, ErrProductExists, ErrUnknownEvent, ErrNotDeclarant, ErrAlreadyDeclared,
	ErrDeclarationOrder, ErrEPCISPrefix, ErrEPCISSchema, ErrEPCISInvalid, ErrEPCISUnsupported,
	ErrAlreadyAnchored, ErrDisclosure,
}
