package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/node/view"
)

// exported is the part of an EPCIS query document these tests read.
type exported struct {
	Body struct {
		Results struct {
			Body struct {
				Events []map[string]any `json:"eventList"`
			} `json:"resultsBody"`
		} `json:"queryResults"`
	} `json:"epcisBody"`
	Provenance map[string]map[string]any `json:"qian:provenance"`
}

func exportOf(t *testing.T, id string) exported {
	t.Helper()
	var doc exported
	raw := get(t, "/v1/objects/epcis?id="+url.QueryEscape(id), http.StatusOK, nil)
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return doc
}

// Every kind of identified object — a serialised item, a container, a
// returnable and an individual asset, a product class — is exported as
// EPCIS 2.0: its events exactly as captured (no field the capture did not
// have), the chain's provenance at the document level, one entry per event,
// with the captured document's header.
func TestEveryObjectKindExports(t *testing.T) {
	needNet(t)
	if err := net.LoadOwnDocuments(); err != nil {
		t.Fatal(err)
	}
	const crate, gift = "/8003/06923104000018C-001", "/01/06923103000118/21/GB0001"
	for _, id := range []string{gift, "/00/" + demo.SSCCPallet, crate, "/8004/6923104TL-0008", "/01/06923103000118", "/01/06923103000118/21/GB0099"} {
		doc := exportOf(t, id)
		evs := doc.Body.Results.Body.Events
		if len(evs) == 0 || len(doc.Provenance) != len(evs) {
			t.Fatalf("%s: %d events, %d provenance entries", id, len(evs), len(doc.Provenance))
		}
		seen := map[float64]bool{}
		for i, ev := range evs {
			for _, f := range []string{"qian:eventHash", "qian:recordedBy", "qian:block", "qian:tx", "qian:prev"} {
				if ev[f] != nil {
					t.Errorf("%s: event %d carries %s, which the capture did not have", id, i, f)
				}
			}
		}
		for k, p := range doc.Provenance {
			idx, _ := p["qian:index"].(float64)
			if seen[idx] || int(idx) >= len(evs) || p["qian:eventHash"] == nil || p["qian:recordedBy"] == nil {
				t.Errorf("%s: provenance %s: %v", id, k, p)
			}
			seen[idx] = true
			if evID, _ := evs[int(idx)]["eventID"].(string); evID != "" && evID != k {
				t.Errorf("%s: provenance %s is at the index of event %s", id, k, evID)
			}
		}
	}

	// The crate: the shipment to the wrong warehouse comes back declared
	// erroneous, with the declaration's provenance; the corrective
	// shipment carries the header of the document it came in.
	doc := exportOf(t, crate)
	wrong := doc.Provenance["urn:uuid:6f0d2a1e-3c4b-4e55-9a10-2025041509a1"]
	right := doc.Provenance["urn:uuid:6f0d2a1e-3c4b-4e55-9a10-2025041509a2"]
	if wrong == nil || wrong["qian:declaration"] == nil || right == nil || right["qian:sender"] != "urn:epc:id:pgln:6923104.00001" || right["qian:receiver"] != "urn:epc:id:pgln:6923105.00001" {
		t.Fatalf("crate provenance: %v", doc.Provenance)
	}
	ed, _ := doc.Body.Results.Body.Events[int(wrong["qian:index"].(float64))]["errorDeclaration"].(map[string]any)
	if ed["reason"] != "incorrect_data" || ed["correctiveEventIDs"] == nil {
		t.Fatalf("the wrong shipment's errorDeclaration: %v", ed)
	}

	// The item that left the chain, and the void one.
	var l view.Lot
	get(t, "/v1/objects?id="+gift, http.StatusOK, &l)
	if l.Away == nil || l.Away.GLN != "4890000000010" || l.Custodian != nil || l.Object.Kind != "item" || l.Object.Serial != "GB0001" {
		t.Fatalf("exported item: away %+v custodian %+v object %+v", l.Away, l.Custodian, l.Object)
	}
	get(t, "/v1/objects?id=/01/06923103000118/21/GB0099", http.StatusOK, &l)
	if !l.Void || len(l.History) != 2 || l.History[0].Declared == nil || l.History[1].Declares == nil || *l.History[1].Declares != l.History[0].Hash {
		t.Fatalf("void item: void %v, history %d", l.Void, len(l.History))
	}
	var page view.LotPage
	get(t, "/v1/lots?kind=returnable_asset", http.StatusOK, &page)
	if len(page.Lots) != 1 || page.Lots[0].Object.GRAI != "06923104000018" || page.Lots[0].Object.Serial != "C-001" {
		t.Fatalf("returnable assets: %+v", page.Lots)
	}
}

// Bad identifiers get a clear error: a bad lot or serial is ERR_BAD_REQUEST
// naming it (and the character, as typed), a bad key ERR_INVALID_GTIN, an
// unknown object 404.
func TestObjectExportErrors(t *testing.T) {
	needNet(t)
	for _, c := range []struct {
		id     string
		status int
		code   string
		says   string
	}{
		{"", 400, "ERR_BAD_REQUEST", "give ?id="},
		{"/01/06923103000118/10/批次", 400, "ERR_BAD_REQUEST", "lot number (AI 10) \"批次\": character 1, '批' (U+6279)"},
		{"/01/06923103000119/21/A", 400, "ERR_INVALID_GTIN", "check digit"},
		{"/01/06923103000118/21/NOPE", 404, "ERR_NOT_FOUND", "has not been commissioned"},
		{"/8004/6923104NOPE", 404, "ERR_NOT_FOUND", ""},
	} {
		raw := get(t, "/v1/objects/epcis?id="+url.QueryEscape(c.id), c.status, nil)
		var e struct{ Code, Message string }
		if json.Unmarshal(raw, &e) != nil || e.Code != c.code || !strings.Contains(e.Message, c.says) {
			t.Errorf("%q: %s, want %s saying %q", c.id, raw, c.code, c.says)
		}
	}
	get(t, "/v1/lots?kind=nope", http.StatusBadRequest, nil)
}
