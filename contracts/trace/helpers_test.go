package trace_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/internal/testenv"
	"github.com/qianchain/qianchain/ledger"
)

// The cast of the trace tests: a farm, a co-op, a processor, a carrier, a
// retailer, an inspector, a regulator, and, for the GS1 examples, "acme"
// and "supplier" holding the examples' company prefixes.
var (
	farmKey     = contracttest.Key("farm")
	coopKey     = contracttest.Key("coop")
	procKey     = contracttest.Key("proc")
	carrierKey  = contracttest.Key("carrier")
	shopKey     = contracttest.Key("shop")
	labKey      = contracttest.Key("lab")
	regKey      = contracttest.Key("reg")
	acmeKey     = contracttest.Key("acme")
	supplierKey = contracttest.Key("supplier")
	railKey     = contracttest.Key("rail")

	farmGLN    = "6923101000011"
	farmSite   = "6923101000028"
	coopGLN    = "6923102000010"
	procGLN    = "6923103000019"
	carrierGLN = "6923104000018"
	shopGLN    = "6923105000017"
	acmeGLN    = contracttest.WithCheck("061414100001")
	strayGLN   = contracttest.WithCheck("692319900001") // nobody's
)

func cast(t testing.TB) *contracttest.Chain {
	t.Helper()
	R := func(rs ...membership.Role) []membership.Role { return rs }
	c, err := contracttest.New([]membership.OrgSpec{
		contracttest.Org("farm", farmKey, R(membership.Farm), []string{"6923101"}, []string{farmGLN, farmSite}),
		contracttest.Org("coop", coopKey, R(membership.Cooperative), []string{"6923102"}, []string{coopGLN}),
		contracttest.Org("proc", procKey, R(membership.Processor), []string{"6923103"}, []string{procGLN}),
		contracttest.Org("carrier", carrierKey, R(membership.Logistics), []string{"6923104"}, []string{carrierGLN}),
		contracttest.Org("shop", shopKey, R(membership.Retailer), []string{"6923105"}, []string{shopGLN}),
		contracttest.Org("lab", labKey, R(membership.Inspector), nil, nil),
		contracttest.Org("reg", regKey, R(membership.Regulator), nil, nil),
		contracttest.Org("acme", acmeKey, R(membership.Processor, membership.Retailer), []string{"0614141", "0012345"}, []string{acmeGLN}),
		contracttest.Org("supplier", supplierKey, R(membership.Farm), []string{"4012345", "4023333", "4000001"}, nil),
		contracttest.Org("rail", railKey, R(membership.Logistics), []string{"952005385", "95252084"}, nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func expect(t testing.TB, r contracts.TxResult, code string, text ...string) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("got %s (%s), want %s", r.Code, r.Message, code)
	}
	for _, s := range text {
		if !strings.Contains(r.Message, s) {
			t.Fatalf("%s: message %q lacks %q", code, r.Message, s)
		}
	}
}

func capture(c *contracttest.Chain, k ledger.PrivateKey, ev *epcis.Event) contracts.TxResult {
	if err := ev.Validate(); err != nil {
		panic(err)
	}
	return c.Do(k, trace.Contract, trace.MethodCapture, ev.Encode())
}

func lot(prefix, item, l string) gs1.ObjectID {
	return gs1.ObjectID{Kind: gs1.Lot, Key: contracttest.WithCheck("0" + prefix + item), Ext: l}
}

func qty(o gs1.ObjectID, s string) epcis.Quantity {
	d, err := epcis.ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return epcis.Quantity{Class: o, HasQuantity: true, Quantity: d, UOM: "KGM"}
}

const startTime = int64(1742780000) * 1e9

// when is the event time of the next event a helper makes; each takes the
// next minute.
var when = startTime

func ev(action epcis.Action, step string, objs ...gs1.ObjectID) *epcis.Event {
	when += 60e9
	e := &epcis.Event{Type: epcis.ObjectEvent, EventTime: when, TimeZoneOffset: 480, Action: action, BizStep: step}
	for _, o := range objs {
		if o.Kind == gs1.Lot {
			e.QuantityList = append(e.QuantityList, qty(o, "10"))
		} else {
			e.EPCList = append(e.EPCList, o)
		}
	}
	return e
}

func commission(objs ...gs1.ObjectID) *epcis.Event { return ev(epcis.Add, "commissioning", objs...) }

func ship(to string, objs ...gs1.ObjectID) *epcis.Event {
	e := ev(epcis.Observe, "shipping", objs...)
	e.Disposition = "in_transit"
	e.Destinations = []epcis.Party{{Type: "possessing_party", ID: gs1.PartyURI(to)}}
	return e
}

func receive(objs ...gs1.ObjectID) *epcis.Event { return ev(epcis.Observe, "receiving", objs...) }

func transform(step string, ins []gs1.ObjectID, outs ...gs1.ObjectID) *epcis.Event {
	when += 60e9
	e := &epcis.Event{Type: epcis.TransformationEvent, EventTime: when, TimeZoneOffset: 480, BizStep: step}
	for _, o := range ins {
		e.InputQuantityList = append(e.InputQuantityList, qty(o, "10"))
	}
	for _, o := range outs {
		e.OutputQuantityList = append(e.OutputQuantityList, qty(o, "5"))
	}
	return e
}

func pack(action epcis.Action, parent gs1.ObjectID, children ...gs1.ObjectID) *epcis.Event {
	when += 60e9
	e := &epcis.Event{Type: epcis.AggregationEvent, EventTime: when, TimeZoneOffset: 480, Action: action, ParentID: &parent}
	for _, o := range children {
		if o.Kind == gs1.Lot {
			e.ChildQuantityList = append(e.ChildQuantityList, epcis.Quantity{Class: o})
		} else {
			e.ChildEPCs = append(e.ChildEPCs, o)
		}
	}
	return e
}

func object(t testing.TB, c *contracttest.Chain, id gs1.ObjectID) *trace.Object {
	t.Helper()
	o, err := trace.GetObject(c.Store, id)
	if err != nil || o == nil {
		t.Fatalf("%s: %+v %v", id, o, err)
	}
	return o
}

// gs1Schema returns the directory of GS1's EPCIS examples in the reference
// fixtures beside the repository and GS1's schema compiled from it, or
// skips the test.
func gs1Schema(t testing.TB) (string, *epcis.Schema) {
	t.Helper()
	dir := testenv.Fixture(t, "epcis")
	s, err := epcis.NewSchema(readFile(t, filepath.Join(dir, "EPCIS-JSON-Schema.json")))
	if err != nil {
		t.Fatal(err)
	}
	return dir, s
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func codeOf(err error) string { return call.CodeOf(err) }
