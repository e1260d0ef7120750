package contracts

import (
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/contracts/trace"
)

func dec[T any](f func([]byte) (T, error)) func([]byte) (any, error) {
	return func(b []byte) (any, error) { return f(b) }
}

// applied makes a method's Apply from its Run and a function that runs it
// from the decoded payload. A value of any other type than the method's
// Decode returns (which a correct caller never passes) runs from the bytes
// instead, so a wrong value can cost time but never change a result.
func applied[T any](run func(*call.Context, *membership.Caller, []byte) error, apply func(*call.Context, *membership.Caller, T, []byte) error) func(*call.Context, *membership.Caller, any, []byte) error {
	return func(c *call.Context, who *membership.Caller, v any, payload []byte) error {
		if p, ok := v.(T); ok {
			return apply(c, who, p, payload)
		}
		return run(c, who, payload)
	}
}

// AbsentLookups are the state key prefixes whose keys execution mostly
// looks up to find them absent: anchors (notary: "is this hash anchored
// already?"), event ids (trace: "is this id taken?"), and the keys every
// capture writes new — its record, its history entries and its undo record
// — whose value
// before the block the state digest reads (nextState: a Pebble point read
// of a missing key each, 3–4 % of a validator's CPU before they were
// covered). Objects too: most lookups of an object find it (every event
// after a lot's commissioning), but each commissioning looks its new lot up
// first to find it absent, and on a chain that commissions as many lots as
// it records later events for, those misses were the only Pebble read of a
// capture (about 4 % of a validator's CPU at 4,000 tx/s); a lookup that
// finds its object pays the filter's probes (well under a microsecond)
// before the same Pebble read as before. A node's store keeps these keys
// in an in-memory filter that answers such lookups without a disk read
// (ledger/store, Options.AbsentState); what execution reads is the same
// either way.
func AbsentLookups() [][]byte {
	return [][]byte{[]byte(notary.AnchorPrefix), []byte(trace.EventIDPrefix), []byte(trace.ObjectPrefix), []byte(trace.RecordPrefix), []byte(trace.HistoryPrefix), []byte(trace.UndoPrefix)}
}

// SeparatedRecords are the state key prefixes of records written once and
// read back by the API rather than by execution: an event's record (trace,
// about 350 bytes of value with the benchmark's mix) and an anchor
// (notary, about 200). Together they are
// about two thirds of the state's bytes with the benchmark's mix (299 of
// 451 bytes of keys and values per transaction, `qian bench disk`), under
// keys that are hashes; execution looks them up to find them absent
// (AbsentLookups), and reads one only to declare an event erroneous or to
// say who anchored a hash anchored again. A node's store keeps their values
// in blob files that compactions carry by reference instead of rewriting
// (ledger/store, Options.SeparatedState); what execution reads is the same
// either way.
func SeparatedRecords() [][]byte {
	return [][]byte{[]byte(notary.AnchorPrefix), []byte(trace.RecordPrefix)}
}

// Methods lists Qianchain's contract methods. docs/traceability.md,
// docs/notarization.md and docs/state.md document their payloads. The
// methods of the busy paths (trace captures, notary anchors and trades)
// also have an Apply, so that execution runs them from the payload the
// node's admission already decoded; the rare membership and product
// methods decode again.
func Methods() []*Method {
	return []*Method{
		{Contract: membership.Contract, Name: membership.MethodPropose, Decode: dec(membership.DecodePropose), Run: membership.RunPropose},
		{Contract: membership.Contract, Name: membership.MethodApprove, Decode: dec(membership.DecodeApprove), Run: membership.RunApprove},
		{Contract: membership.Contract, Name: membership.MethodAddAccount, Decode: dec(membership.DecodeAddAccount), Run: membership.RunAddAccount},
		{Contract: membership.Contract, Name: membership.MethodRotateKey, Decode: dec(membership.DecodeRotateKey), Run: membership.RunRotateKey},
		{Contract: membership.Contract, Name: membership.MethodRevokeKey, Decode: dec(membership.DecodeRevokeKey), Run: membership.RunRevokeKey},
		{Contract: trace.Contract, Name: trace.MethodCapture, Decode: dec(trace.DecodeCapture), Run: trace.RunCapture,
			Apply: applied(trace.RunCapture, trace.ApplyCapture)},
		{Contract: trace.Contract, Name: trace.MethodCaptureBatch, Decode: dec(trace.DecodeCaptureBatch), Run: trace.RunCaptureBatch,
			Apply: applied(trace.RunCaptureBatch, trace.ApplyCaptureBatch)},
		{Contract: trace.Contract, Name: trace.MethodRegisterProduct, Decode: dec(trace.DecodeRegisterProduct), Run: trace.RunRegisterProduct},
		{Contract: notary.Contract, Name: notary.MethodAnchor, Decode: dec(notary.DecodeAnchor), Run: notary.RunAnchor,
			Apply: applied(notary.RunAnchor, notary.ApplyAnchor)},
		{Contract: notary.Contract, Name: notary.MethodRecordTrade, Decode: dec(notary.DecodeTrade), Run: notary.RunRecordTrade,
			Apply: applied(notary.RunRecordTrade, notary.ApplyRecordTrade)},
		{Contract: notary.Contract, Name: notary.MethodAnchorBatch, Decode: dec(notary.DecodeBatch), Run: notary.RunAnchorBatch,
			Apply: applied(notary.RunAnchorBatch, notary.ApplyAnchorBatch)},
	}
}
