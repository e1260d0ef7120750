package web_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/node/view"
)

// Every identified object kind has its page at its Digital Link path, and
// the pages say what the EPCIS 2.0 event model recorded: associations,
// events declared erroneous (marked, with reason, time, declarant and a
// link to the correction, still on the timeline), objects that left the
// chain's members, void objects.
func TestEveryObjectKindHasAPage(t *testing.T) {
	ownDocuments(t)
	pages := map[string][]string{
		"/01/06923103000118/21/GB0001": {`class="banner away"`, "not a member of the chain", "4890000000010", "单品", "GB0001"},
		"/01/06923103000118/21/GB0099": {`class="banner void"`, "commissioning was declared erroneous", `data-declared="true"`, "未发生 Did not occur"},
		"/8003/06923104000018C-001": {"周转资产", "06923104000018", "C-001", `data-step="association"`, `data-declared="true"`,
			"Declared erroneous", "数据有误 Incorrect data", "In transit to", "贵阳筑城茶叶超市"},
		"/8004/6923104TL-0008":    {"资产", "6923104TL-0008", `data-step="association"`, `href="/8003/06923104000018C-001"`},
		"/01/06923103000118":      {"Serialised items", "GB0001", "GB0099", "Events naming the product class"},
		"/00/" + demo.SSCCPallet:  {`data-declared="true"`, "Declared erroneous", "数据有误 Incorrect data", "贵州黔冷链物流有限公司"},
		"/explorer/lots?kind=all": {"C-001", "6923104TL-0008", "GB0001", "left the chain", "void"},
		demo.DemoLot.Path():       {`data-declared="true"`, "Declared erroneous"},
	}
	for path, wants := range pages {
		status, _, body := fetch(t, path, "")
		if status != 200 {
			t.Errorf("%s: %d", path, status)
			continue
		}
		for _, w := range wants {
			if !strings.Contains(body, w) {
				t.Errorf("%s does not say %q", path, w)
			}
		}
		// A correction links to the corrective event on the same page.
		for _, m := range regexp.MustCompile(`href="#(ev-[0-9a-f]{64})"`).FindAllStringSubmatch(body, -1) {
			if !strings.Contains(body, `id="`+m[1]+`"`) {
				t.Errorf("%s links to #%s, which is not on the page", path, m[1])
			}
		}
	}
	// The demo lot's timeline keeps the carrier's wrong shipment, declared
	// erroneous by the carrier and corrected by the shipment to the store;
	// custody follows the correction.
	_, _, raw := fetch(t, demo.DemoLot.Path(), "application/json")
	var l view.Lot
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		t.Fatal(err)
	}
	var wrong *view.Event
	onTimeline := map[string]bool{}
	for _, ev := range l.Timeline {
		onTimeline[ev.Hash.String()] = true
		if ev.Declared != nil {
			wrong = ev
		}
	}
	if wrong == nil || wrong.Declared.Org.ID != "logistics" || wrong.Declared.Reason != "incorrect_data" || len(wrong.Declared.Corrective) != 1 ||
		wrong.Declared.Corrective[0].EventID != demo.CorrectedShipmentID || wrong.Declared.Corrective[0].Hash == nil || !onTimeline[wrong.Declared.Corrective[0].Hash.String()] {
		t.Fatalf("the wrong shipment on the demo lot's timeline: %+v", wrong)
	}
	for _, c := range l.Custody {
		if c.Org.ID == "cooperative" && c.Step != "receiving" && c.Event == wrong.Hash {
			t.Fatal("custody follows the erroneous shipment")
		}
	}
}
