package view

import (
	"testing"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/trace"
)

// objectFromKey reads back what trace.ObjectKey writes, of every kind (the
// lot list, search and pages walk the object table), and nothing else.
func TestObjectFromKeyRoundTrip(t *testing.T) {
	for _, o := range []gs1.ObjectID{demo.DemoLot, demo.RecalledLot, demo.Pallet, {Kind: gs1.Item, Key: demo.GTINMaojianSpecial, Ext: "0001"},
		{Kind: gs1.Class, Key: demo.GTINMaojianSpecial}, {Kind: gs1.ReturnableAsset, Key: "06923104000018", Ext: "C-001"},
		{Kind: gs1.IndividualAsset, Key: "6923104TL-0008"}, {Kind: gs1.ServiceRelation, Key: "952520840000000010"}} {
		got, ok := objectFromKey(trace.ObjectKey(o))
		if !ok || got != o {
			t.Fatalf("%v: got %v %v", o, got, ok)
		}
	}
	for _, bad := range [][]byte{nil, {1}, append(trace.ObjectKey(demo.DemoLot), 'x'), trace.ObjectKey(demo.DemoLot)[:10], {9, '0'}} {
		if _, ok := objectFromKey(bad); ok {
			t.Fatalf("%q accepted", bad)
		}
	}
}

func FuzzObjectFromKey(f *testing.F) {
	f.Add(trace.ObjectKey(demo.DemoLot))
	f.Add(trace.ObjectKey(demo.Pallet))
	f.Add([]byte{1})
	f.Add(trace.ObjectKey(gs1.ObjectID{Kind: gs1.IndividualAsset, Key: "6923104TL-0008"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, ok := objectFromKey(b)
		if !ok {
			return
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("accepted an invalid object %v: %v", o, err)
		}
		if string(trace.ObjectKey(o)) != string(b) {
			t.Fatalf("%q is not the canonical key of %v", b, o)
		}
	})
}

func TestClassifyAndNames(t *testing.T) {
	if FormatTime(0, 480) != "1970-01-01T08:00:00+08:00" || FormatTime(0, 0) != "1970-01-01T00:00:00Z" {
		t.Fatal(FormatTime(0, 480))
	}
	p := DemoPlaces()
	if info := p[demo.Farm.SiteGLN]; info.Village == "" || info.Region == "" || info.Name == "" {
		t.Fatalf("%+v", info)
	}
	if p[demo.Retailer.SiteGLN].Region != "贵州省贵阳市 (Guiyang, Guizhou)" {
		t.Fatalf("%+v", p[demo.Retailer.SiteGLN])
	}
}
