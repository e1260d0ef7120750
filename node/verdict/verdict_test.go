package verdict_test

import (
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/genesis/anchor"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/node/audit/audittest"
	"github.com/qianchain/qianchain/node/verdict"
)

// Check never fails and never panics: whatever it is given, a bundle that
// does not verify is a verdict with Verified false, a stable code and a
// sentence, naming the anchor; a genuine one names its signers'
// organisations from genesis; options that do not fit the file are
// refused with the code of the check they ask for.
func TestCheck(t *testing.T) {
	c := audittest.New(t, 4)
	b := c.Block(c.Anchors(1), nil)
	c.Block(nil, nil)
	c.Block(nil, nil)
	g, err := anchor.Decode(c.Doc.Encode())
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := proof.Build(c.Store, b.Txs[0].Hash())
	if err != nil {
		t.Fatal(err)
	}
	raw := bundle.Marshal()

	v := verdict.Check(raw, g, verdict.Options{})
	if !v.Verified || v.Genesis != g.Hash || len(v.Signers) != 4 || v.Signers[0].Org == nil || !v.Signers[0].Org.Founding || v.Sender == nil {
		t.Fatalf("genuine: %+v", v)
	}
	file := ledger.Hash{1}
	other := ledger.Hash{2}
	for _, tc := range []struct {
		name string
		raw  string
		o    verdict.Options
		code string
	}{
		{"empty", "", verdict.Options{}, proof.ErrFormat},
		{"null", "null", verdict.Options{}, proof.ErrFormat},
		{"an array", "[1,2]", verdict.Options{}, proof.ErrFormat},
		{"half a bundle", string(raw[:len(raw)/2]), verdict.Options{}, proof.ErrFormat},
		{"a certificate of nothing", `{"item": "00"}`, verdict.Options{}, proof.ErrCertificateFormat},
		{"a file with a bundle", string(raw), verdict.Options{File: &file}, proof.ErrCertificateFile},
		{"an event the anchor did not record", string(raw), verdict.Options{Event: &other}, verdict.ErrEvent},
	} {
		v := verdict.Check([]byte(tc.raw), g, tc.o)
		if v.Verified || v.Code != tc.code || v.Message == "" || v.Genesis != g.Hash || v.Report != nil {
			t.Errorf("%s: %+v, want %s", tc.name, v, tc.code)
		}
	}
	// Disclosures against a notary anchor: it records no personal data.
	v = verdict.Check(raw, g, verdict.Options{Disclosures: []verdict.DisclosureFile{{Name: "d.json"}}})
	if v.Verified || v.Code != call.ErrDisclosure || !strings.HasPrefix(v.Message, "d.json: ") {
		t.Errorf("disclosures on an anchor: %+v", v)
	}
}
