package gs1_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/internal/testenv"
)

type dlFixture struct {
	GTINCheckDigits []struct {
		First13 string `json:"first13"`
		Check   int    `json:"check"`
		GTIN14  string `json:"gtin14"`
	} `json:"gtin_check_digits"`
	Valid   []string `json:"digital_link_valid"`
	Invalid []struct {
		URI string `json:"uri"`
		Why string `json:"why"`
	} `json:"digital_link_invalid"`
}

func loadFixture(t *testing.T) dlFixture {
	b, err := os.ReadFile(testenv.Fixture(t, "gs1/digital-link.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f dlFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCheckDigitsFromFixture(t *testing.T) {
	f := loadFixture(t)
	for _, c := range f.GTINCheckDigits {
		if got := gs1.CheckDigit(c.First13); int(got-'0') != c.Check {
			t.Errorf("%s: check digit %c, want %d", c.First13, got, c.Check)
		}
		if err := gs1.ValidateGTIN14(c.GTIN14); err != nil {
			t.Errorf("%s: %v", c.GTIN14, err)
		}
	}
}

func TestDigitalLinksFromFixture(t *testing.T) {
	f := loadFixture(t)
	for _, u := range f.Valid {
		if _, err := gs1.ParseDigitalLink(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, c := range f.Invalid {
		if _, err := gs1.ParseDigitalLink(c.URI); err == nil {
			t.Errorf("%s (%s) parsed", c.URI, c.Why)
		}
	}
}

func TestNormalizeGTIN(t *testing.T) {
	for in, want := range map[string]string{
		"96385074":       "00000096385074", // GTIN-8
		"614141073467":   "00614141073467", // GTIN-12 (UPC-A)
		"6901234567892":  "06901234567892", // GTIN-13
		"10614141073464": "10614141073464", // GTIN-14
	} {
		got, err := gs1.NormalizeGTIN(in)
		if err != nil || got != want {
			t.Errorf("%s: got %s %v, want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"6901234567891", "690123456789", "069012345678921", "69O1234567892", ""} {
		var ke *gs1.KeyError
		if _, err := gs1.NormalizeGTIN(in); !errors.As(err, &ke) {
			t.Errorf("%q: got %v, want a KeyError", in, err)
		}
	}
}

func TestParseObjectID(t *testing.T) {
	cases := map[string]gs1.ObjectID{
		"urn:epc:id:sgtin:0614141.107346.2017":                   {Kind: gs1.Item, Key: "10614141073464", Ext: "2017"},
		"urn:epc:class:lgtin:4012345.012345.998877":              {Kind: gs1.Lot, Key: "04012345123456", Ext: "998877"},
		"urn:epc:id:sscc:0614141.1234567890":                     {Kind: gs1.Container, Key: "106141412345678908"},
		"https://id.gs1.org/01/70614141123451/21/2017":           {Kind: gs1.Item, Key: "70614141123451", Ext: "2017"},
		"https://example.com/products/01/6901234567892/10/A%2FB": {Kind: gs1.Lot, Key: "06901234567892", Ext: "A/B"},
		"https://id.gs1.org/00/106141412345678908":               {Kind: gs1.Container, Key: "106141412345678908"},
		// The keys beyond GTIN and SSCC, and the product class.
		"urn:epc:idpat:sgtin:4012345.098765.*":      {Kind: gs1.Class, Key: "04012345987652"},
		"https://id.gs1.org/01/09506000134352":      {Kind: gs1.Class, Key: "09506000134352"},
		"urn:epc:id:gsrn:95252084.000000001":        {Kind: gs1.ServiceRelation, Key: "952520840000000010"},
		"urn:epc:id:grai:4012345.55555.98765":       {Kind: gs1.ReturnableAsset, Key: "04012345555554", Ext: "98765"},
		"urn:epc:id:giai:4000001.111":               {Kind: gs1.IndividualAsset, Key: "4000001111"},
		"https://id.gs1.org/8004/4000001111":        {Kind: gs1.IndividualAsset, Key: "4000001111"},
		"https://id.gs1.org/8003/04012345555554C-7": {Kind: gs1.ReturnableAsset, Key: "04012345555554", Ext: "C-7"},
	}
	for in, want := range cases {
		got, err := gs1.ParseObjectID(in)
		if err != nil || got != want {
			t.Errorf("%s: got %+v %v, want %+v", in, got, err, want)
			continue
		}
		// The canonical URI parses back to the same object.
		back, err := gs1.ParseObjectID(got.URI())
		if err != nil || back != got {
			t.Errorf("%s: canonical %s does not round-trip: %+v %v", in, got.URI(), back, err)
		}
	}
	for in, why := range map[string]string{
		"urn:epc:idpat:sgtin:4012345.098765.7":                     "whole class",
		"urn:epc:idpat:grai:4012345.55555.*":                       "pattern Qianchain does not record",
		"urn:epc:id:gdti:0614141.00001.1618034":                    "not a traced object",
		"urn:epc:id:grai:4012345.55555":                            "asset type",
		"https://id.gs1.org/8003/04012345555554":                   "asset type",
		"urn:epc:id:gsrn:95252084.00000000":                        "17 digits",
		"https://id.gs1.org/01/09521234543213/10/ABC/21/1":         "not both",
		"https://id.gs1.org/01/09521234543213/10/ABC?17=261231":    "query",
		"https://id.gs1.org/01/09521234543213/21/1/10/ABC":         "out of order",
		"https://id.gs1.org/01/06901234567891/10/L":                "check digit",
		"urn:epc:class:lgtin:4012345.012345.LOT~1":                 "character set 82",
		"urn:epc:class:lgtin:4012345.012345.ABCDEFGHIJKLMNOPQRSTU": "1 to 20",
	} {
		if _, err := gs1.ParseObjectID(in); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: got %v, want an error about %q", in, err, why)
		}
	}
}

func TestLocationsAndParties(t *testing.T) {
	l, err := gs1.ParseLocation("urn:epc:id:sgln:0614141.07346.1234")
	if err != nil || l.GLN != "0614141073467" || l.Ext != "1234" || l.URI() != "https://id.gs1.org/414/0614141073467/254/1234" {
		t.Fatalf("sgln: %+v %v", l, err)
	}
	if l, err := gs1.ParseLocation("urn:epc:id:sgln:0614141.00777.0"); err != nil || l.Ext != "" {
		t.Fatalf("extension 0 means none: %+v %v", l, err)
	}
	if g, err := gs1.ParsePartyGLN("urn:epc:id:pgln:4000001.00012"); err != nil || g != "4000001000128" {
		t.Fatalf("pgln: %s %v", g, err)
	}
	if g, err := gs1.ParsePartyGLN("https://id.gs1.org/417/4000001000128"); err != nil || g != "4000001000128" {
		t.Fatalf("417: %s %v", g, err)
	}
}

func TestOwnershipByPrefix(t *testing.T) {
	if !gs1.Owns("0614141", "00614141073467") || gs1.Owns("0614142", "00614141073467") {
		t.Fatal("GTIN-14 ownership")
	}
	if !gs1.Owns("0614141", "106141412345678908") {
		t.Fatal("SSCC ownership")
	}
	if !gs1.Owns("6923101", "6923101000011") {
		t.Fatal("GLN ownership")
	}
	if !gs1.PrefixesOverlap("692310", "6923101") || gs1.PrefixesOverlap("6923101", "6923102") {
		t.Fatal("overlap")
	}
}

// A computed check digit always validates, and changing any digit breaks it.
func TestCheckDigitProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		body := rapid.StringMatching(`[0-9]{13}`).Draw(t, "body")
		g := body + string(gs1.CheckDigit(body))
		if err := gs1.ValidateGTIN14(g); err != nil {
			t.Fatal(err)
		}
		i := rapid.IntRange(0, 12).Draw(t, "pos")
		d := byte('0' + (int(g[i]-'0')+rapid.IntRange(1, 9).Draw(t, "delta"))%10)
		bad := g[:i] + string(d) + g[i+1:]
		if gs1.ValidateGTIN14(bad) == nil {
			t.Fatalf("%s passes after changing digit %d", bad, i)
		}
	})
}

func TestFuzzSeedsAreCurrent(t *testing.T) {
	contracttest.WriteSeeds(t, "FuzzParseObjectID", []byte("urn:epc:id:sgtin:0614141.107346.2017"),
		[]byte("https://id.gs1.org/01/09521234543213/10/ABC123?17=261231"), []byte("urn:epc:id:sscc:0614141.1234567890"),
		[]byte("urn:epc:id:sgln:0614141.07346.1234"), []byte("https://x/414/0614141073461/254/%41"))
}

// FuzzParseObjectID: parsers never panic, and an accepted object's canonical
// URI parses back to it.
func FuzzParseObjectID(f *testing.F) {
	f.Add([]byte("urn:epc:class:lgtin:4012345.012345.998877"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := string(b)
		_, _ = gs1.ParseLocation(s)
		_, _ = gs1.ParsePartyGLN(s)
		_, _ = gs1.ParseDigitalLink(s)
		o, err := gs1.ParseObjectID(s)
		if err != nil {
			return
		}
		back, err := gs1.ParseObjectID(o.URI())
		if err != nil || back != o {
			t.Fatalf("%q -> %s does not round-trip: %v", s, o.URI(), err)
		}
	})
}

// Messages name a refused character as a person typed it, with its code
// point — not the first byte of its UTF-8 encoding — and a bad lot or
// serial in a Digital Link is reported as the lot or serial, not the key.
func TestMessagesNameCharacters(t *testing.T) {
	lot := gs1.ValidateAttribute("lot number", "批次1", 20)
	full := func() error { _, err := gs1.NormalizeGTIN("０６９２３１０３０００１１８"); return err }()
	giai := gs1.ValidateGIAI("6923104运输车")
	_, dl := gs1.ParseDigitalLink("https://id.gs1.org/01/06923103000118/10/%E6%89%B9%E6%AC%A1")
	_, serial := gs1.ParseDigitalLink("https://id.gs1.org/01/06923103000118/21/A%09B")
	raw := gs1.ValidateAttribute("serial number", "A\xffB", 20)
	for _, c := range []struct {
		err       error
		qualifier bool
		want      []string
	}{
		{lot, true, []string{`lot number "批次1"`, "character 1, '批' (U+6279), is not in GS1 character set 82"}},
		{full, false, []string{"GTIN", "character 1 is '０' (U+FF10)"}},
		{giai, false, []string{"GIAI", "character 8, '运' (U+8FD0)"}},
		{dl, true, []string{"lot number (AI 10)", "'批' (U+6279)"}},
		{serial, true, []string{"serial number (AI 21)", "the control character U+0009"}},
		{raw, true, []string{"byte 0xFF, which is not UTF-8"}},
	} {
		var ke *gs1.KeyError
		if !errors.As(c.err, &ke) {
			t.Errorf("%v: not a KeyError", c.err)
			continue
		}
		if ke.Qualifier != c.qualifier {
			t.Errorf("%v: Qualifier = %v, want %v", c.err, ke.Qualifier, c.qualifier)
		}
		for _, w := range c.want {
			if !strings.Contains(c.err.Error(), w) {
				t.Errorf("%q does not say %q", c.err, w)
			}
		}
		if strings.Contains(c.err.Error(), `'\x`) {
			t.Errorf("%q names a byte, not a character", c.err)
		}
	}
}
