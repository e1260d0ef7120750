package contracts

import (
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/contracts/trace"
)

func dec[T any](f func([]byte) (T, error)) func([]byte) (any, error) {
	return func(b []byte) (any, error) { return f(b) }
}

// AbsentLookups are the state key prefixes whose keys execution mostly
// looks up to find them absent: anchors (notary: "is this hash anchored
// already?") and event ids (trace: "is this id taken?"). A node's store
// keeps these keys in an in-memory filter that answers such lookups without
// a disk read (ledger/store, Options.AbsentState); what execution reads is
// the same either way.
func AbsentLookups() [][]byte {
	return [][]byte{[]byte(notary.AnchorPrefix), []byte(trace.EventIDPrefix)}
}

// Methods lists Qianchain's contract methods. docs/traceability.md,
// docs/notarization.md and docs/state.md document their payloads.
func Methods() []*Method {
	return []*Method{
		{membership.Contract, membership.MethodPropose, dec(membership.DecodePropose), membership.RunPropose},
		{membership.Contract, membership.MethodApprove, dec(membership.DecodeApprove), membership.RunApprove},
		{membership.Contract, membership.MethodAddAccount, dec(membership.DecodeAddAccount), membership.RunAddAccount},
		{membership.Contract, membership.MethodRotateKey, dec(membership.DecodeRotateKey), membership.RunRotateKey},
		{membership.Contract, membership.MethodRevokeKey, dec(membership.DecodeRevokeKey), membership.RunRevokeKey},
		{trace.Contract, trace.MethodCapture, dec(trace.DecodeCapture), trace.RunCapture},
		{trace.Contract, trace.MethodCaptureBatch, dec(trace.DecodeCaptureBatch), trace.RunCaptureBatch},
		{trace.Contract, trace.MethodRegisterProduct, dec(trace.DecodeRegisterProduct), trace.RunRegisterProduct},
		{notary.Contract, notary.MethodAnchor, dec(notary.DecodeAnchor), notary.RunAnchor},
		{notary.Contract, notary.MethodRecordTrade, dec(notary.DecodeTrade), notary.RunRecordTrade},
		{notary.Contract, notary.MethodAnchorBatch, dec(notary.DecodeBatch), notary.RunAnchorBatch},
	}
}
