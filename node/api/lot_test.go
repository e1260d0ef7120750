package api_test

import (
	"image"
	_ "image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/node/view"
)

func lotPath(o gs1.ObjectID) string { return "/v1/lots/" + o.Key + "/" + o.Ext }

// The demo lot's history reaches back through both transformations to the
// Luosike harvest, carries the pallet's cold chain, its certificate
// resolves to the anchored report, and every transaction on its timeline
// verifies against the genesis validators.
func TestDemoLotHasItsWholeStory(t *testing.T) {
	needNet(t)
	var l view.Lot
	get(t, lotPath(demo.DemoLot), http.StatusOK, &l)
	if l.Object.ID != demo.DemoLot.URI() || l.Product == nil || !strings.Contains(l.Product.Name, "都匀毛尖") {
		t.Fatalf("object %+v product %+v", l.Object, l.Product)
	}
	if !l.Chain.Valid || l.Chain.Length != len(l.History) || l.Chain.Length < 4 {
		t.Fatalf("hash chain: %+v over %d events", l.Chain, len(l.History))
	}
	if l.History[0].Prev == nil || !l.History[0].Prev.IsZero() {
		t.Fatal("the first event must name no previous event")
	}
	for i := 1; i < len(l.History); i++ {
		if *l.History[i].Prev != l.History[i-1].Hash {
			t.Fatalf("event %d names %s, not the event before it", i, l.History[i].Prev)
		}
	}
	if l.Head != l.History[len(l.History)-1].Hash {
		t.Fatal("head is not the last event")
	}
	// Inputs: co-op lot 1, and through it the farm's lot.
	if len(l.Inputs) != 1 || l.Inputs[0].Object.Lot != demo.LotCoop1 || len(l.Inputs[0].Inputs) != 1 || l.Inputs[0].Inputs[0].Object.Lot != demo.LotFarm {
		t.Fatalf("inputs: %+v", l.Inputs)
	}
	steps := map[string]int{}
	for _, ev := range l.Timeline {
		steps[ev.Step]++
		if ev.Place == nil && ev.Step != "transport" {
			t.Errorf("%s event %s has no place", ev.Step, ev.Hash.Short())
		}
	}
	for _, s := range []string{"harvest", "processing", "inspection", "packing", "shipping", "receiving", "transport", "sale"} {
		if steps[s] == 0 {
			t.Errorf("the timeline has no %s event: %v", s, steps)
		}
	}
	if steps["recall"] != 0 {
		t.Error("the demo lot's timeline shows a recall")
	}
	for i := 1; i < len(l.Timeline); i++ {
		if l.Timeline[i].TimeUnixNs < l.Timeline[i-1].TimeUnixNs {
			t.Fatalf("timeline out of order at %d", i)
		}
	}
	if len(l.Origins) != 1 || l.Origins[0].Org.ID != "farm" || l.Origins[0].Place == nil || l.Origins[0].Place.Village == "" || l.Origins[0].Quantity != "120.5" {
		t.Fatalf("origins: %+v", l.Origins)
	}
	if len(l.Temperatures) != 3 || l.Temperatures[0].Value != "3.8" {
		t.Fatalf("temperatures: %+v", l.Temperatures)
	}
	if len(l.Certificates) != 1 || l.Certificates[0].Anchor == nil || l.Certificates[0].Anchor.Org.ID != "inspector" || !l.Certificates[0].Conform {
		t.Fatalf("certificates: %+v", l.Certificates)
	}
	var custody []string
	for _, c := range l.Custody {
		custody = append(custody, c.Org.ID)
	}
	if got := strings.Join(custody, ">"); got != "processor>logistics>retailer" {
		t.Fatalf("custody %s", got)
	}
	if l.Custodian.ID != "retailer" || l.Recall.Recalled {
		t.Fatalf("custodian %v recalled %v", l.Custodian, l.Recall.Recalled)
	}
	v := l.Verification
	if v == nil || !v.Verified || v.Validators != 4 || v.SignerCount < 3 || v.SignedPower*3 <= v.TotalPower*2 || v.Failed != 0 || v.Records < 10 || !v.InChain {
		t.Fatalf("verification: %+v", v)
	}
	// The bundle the page offers verifies offline against genesis.
	raw := get(t, v.ProofURL, http.StatusOK, nil)
	vals, err := net.Genesis.ValidatorSet()
	if err != nil {
		t.Fatal(err)
	}
	anchor := proof.Anchor{Chain: net.Genesis.Identity(), Validators: vals}
	rep, err := proof.VerifyJSON(raw, anchor)
	if err != nil || rep.Height != v.Height || len(rep.Signers) != v.SignerCount {
		t.Fatalf("the offered bundle: %v %+v", err, rep)
	}
}

// A recalled lot says so, names what the regulator named and everything
// the recall reached.
func TestRecalledLotShowsWhatTheRecallReached(t *testing.T) {
	needNet(t)
	var l view.Lot
	get(t, lotPath(demo.RecalledLot), http.StatusOK, &l)
	if !l.Recall.Recalled || !l.Recall.Direct || l.Recall.Notice == "" || l.Recall.Event == nil || l.Recall.Event.Org.ID != "regulator" {
		t.Fatalf("recall: %+v", l.Recall)
	}
	reached := map[string]bool{}
	for _, r := range l.Recall.Reached {
		reached[r.ID] = true
	}
	for _, o := range append(demo.RecallReaches, demo.RecalledLot) {
		if !reached[o.URI()] {
			t.Errorf("the recall's reach misses %s", o)
		}
	}
	for _, o := range demo.NotRecalled {
		if reached[o.URI()] {
			t.Errorf("the recall's reach includes %s", o)
		}
	}
	// A lot reached through what was made from the recalled one.
	var b view.Lot
	get(t, lotPath(demo.RecallReaches[1]), http.StatusOK, &b)
	if !b.Recall.Recalled || b.Recall.Direct || len(b.Recall.Named) != 1 || b.Recall.Named[0].ID != demo.RecalledLot.URI() {
		t.Fatalf("reached lot: %+v", b.Recall)
	}
	// And a lot the recall did not reach.
	for _, o := range demo.NotRecalled {
		var n view.Lot
		get(t, lotPath(o), http.StatusOK, &n)
		if n.Recall.Recalled {
			t.Fatalf("%s is shown recalled", o)
		}
	}
}

func TestLotListPages(t *testing.T) {
	needNet(t)
	var all view.LotPage
	get(t, "/v1/lots?limit=500", http.StatusOK, &all)
	if len(all.Lots) != 6 || all.Next != "" {
		t.Fatalf("%d lots, next %q", len(all.Lots), all.Next)
	}
	var paged []view.LotSummary
	cursor := ""
	for i := 0; i < 10; i++ {
		var p view.LotPage
		get(t, "/v1/lots?limit=4&cursor="+cursor, http.StatusOK, &p)
		paged = append(paged, p.Lots...)
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if len(paged) != len(all.Lots) {
		t.Fatalf("paging gave %d lots, the whole list %d", len(paged), len(all.Lots))
	}
	for i := range paged {
		if paged[i].Object.ID != all.Lots[i].Object.ID {
			t.Fatalf("lot %d differs", i)
		}
	}
	var rec view.LotPage
	get(t, "/v1/lots?recalled=true&kind=all", http.StatusOK, &rec)
	if len(rec.Lots) != 1+len(demo.RecallReaches) {
		t.Fatalf("%d recalled objects", len(rec.Lots))
	}
	var g view.LotPage
	get(t, "/v1/lots?gtin="+demo.GTINGradedLeaves, http.StatusOK, &g)
	if len(g.Lots) != 2 {
		t.Fatalf("%d lots of the graded leaves", len(g.Lots))
	}
	get(t, "/v1/lots?limit=0", http.StatusBadRequest, nil)
	get(t, "/v1/lots?cursor=zz", http.StatusBadRequest, nil)
	get(t, "/v1/lots?kind=pallet", http.StatusBadRequest, nil)
}

func TestLotErrors(t *testing.T) {
	needNet(t)
	var e struct{ Code, Message string }
	get(t, "/v1/lots/06923103000119/X", http.StatusBadRequest, &e)
	if e.Code != view.ErrInvalidGTIN || !strings.Contains(e.Message, "check digit") {
		t.Fatalf("%+v", e)
	}
	get(t, "/v1/lots/06923103000118/NOPE", http.StatusNotFound, &e)
	if e.Code != view.ErrNotFound {
		t.Fatalf("%+v", e)
	}
	get(t, "/v1/lots/06923103000118/bad%20lot", http.StatusBadRequest, &e)
	get(t, "/v1/objects?id=/00/"+demo.SSCCPallet, http.StatusOK, nil)
	get(t, "/v1/objects?id=urn:epc:id:sscc:nonsense", http.StatusBadRequest, nil)
	get(t, "/v1/objects", http.StatusBadRequest, nil)
}

// The QR endpoint encodes the lot's Digital Link URI on this node; an
// independent decoder reads it back.
func TestLotQRCodeDecodes(t *testing.T) {
	needNet(t)
	resp, err := http.Get(net.URL + lotPath(demo.DemoLot) + "/qr.png?size=300")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("status %d type %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	img, _, err := image.Decode(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	res, err := gzqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := net.URL + demo.DemoLot.Path(); res.GetText() != want {
		t.Fatalf("QR says %q, want %q", res.GetText(), want)
	}
	get(t, lotPath(demo.DemoLot)+"/qr.png?base=ftp://x", http.StatusBadRequest, nil)
	get(t, lotPath(demo.DemoLot)+"/qr.png?size=5", http.StatusBadRequest, nil)
}

func TestEPCISQueryDocument(t *testing.T) {
	needNet(t)
	raw := get(t, lotPath(demo.DemoLot)+"/epcis", http.StatusOK, nil)
	if !strings.Contains(string(raw), `"EPCISQueryDocument"`) || !strings.Contains(string(raw), `"qian:provenance"`) || !strings.Contains(string(raw), "qian:prev") {
		t.Fatalf("%s", raw)
	}
	get(t, "/v1/lots/06923103000118/NOPE/epcis", http.StatusNotFound, nil)
}
