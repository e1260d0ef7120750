package membership_test

import (
	"bytes"
	"testing"

	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/membership"
)

// decoders maps the first fuzz byte to a decoder and its re-encoder.
var decoders = []func([]byte) ([]byte, error){
	func(b []byte) ([]byte, error) { p, err := membership.DecodePropose(b); return enc(p, err) },
	func(b []byte) ([]byte, error) { p, err := membership.DecodeApprove(b); return enc(p, err) },
	func(b []byte) ([]byte, error) { p, err := membership.DecodeAddAccount(b); return enc(p, err) },
	func(b []byte) ([]byte, error) { p, err := membership.DecodeRotateKey(b); return enc(p, err) },
	func(b []byte) ([]byte, error) { p, err := membership.DecodeRevokeKey(b); return enc(p, err) },
	func(b []byte) ([]byte, error) { p, err := membership.DecodeOrg(b); return enc(p, err) },
	func(b []byte) ([]byte, error) { p, err := membership.DecodeAccount(b); return enc(p, err) },
	func(b []byte) ([]byte, error) { p, err := membership.DecodeProposal(b); return enc(p, err) },
}

func enc[T interface{ Encode() []byte }](p T, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return p.Encode(), nil
}

func seeds() [][]byte {
	spec := contracttest.Org("newco", newKey, []membership.Role{membership.Logistics, membership.Farm}, []string{"6900004"}, []string{newGLN})
	_ = spec.Normalize()
	org := &membership.Org{ID: "a", Name: "甲", Roles: []membership.Role{membership.Farm}, Prefixes: []string{"6900001"}, Status: membership.Active}
	acct := &membership.Account{Key: alphaKey.PublicKey(), Org: "a", Role: membership.Admin}
	prop := &membership.Proposal{Kind: membership.AddOrg, Org: spec, Proposer: "reg", Approvals: []string{"reg"}}
	return [][]byte{
		append([]byte{0}, (&membership.Propose{Kind: membership.AddOrg, Org: spec, Reason: "r"}).Encode()...),
		append([]byte{0}, (&membership.Propose{Kind: membership.SuspendOrg, OrgID: "a"}).Encode()...),
		append([]byte{1}, make([]byte, 32)...),
		append([]byte{2}, (&membership.AddAccount{Key: newKey.PublicKey(), Role: membership.Operator, Label: "x"}).Encode()...),
		append([]byte{3}, (&membership.RotateKey{Old: alphaKey.PublicKey(), New: newKey.PublicKey()}).Encode()...),
		append([]byte{4}, newKey.PublicKey().String()[:32]...),
		append([]byte{5}, org.Encode()...),
		append([]byte{6}, acct.Encode()...),
		append([]byte{7}, prop.Encode()...),
	}
}

func TestFuzzSeedsAreCurrent(t *testing.T) { contracttest.WriteSeeds(t, "FuzzDecoders", seeds()...) }

// FuzzDecoders: no decoder panics, and whatever one accepts re-encodes to
// the same bytes (one encoding per value).
func FuzzDecoders(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		out, err := decoders[int(b[0])%len(decoders)](b[1:])
		if err == nil && !bytes.Equal(out, b[1:]) {
			t.Fatalf("decoder %d accepted a non-canonical encoding", b[0])
		}
	})
}
