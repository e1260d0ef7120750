package epcis_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/epcis"
)

// ownSchema compiles the project's own test schema (testdata/schema-subset.json),
// a small hand-written subset of GS1's, so that Schema's own work — the
// look-ahead GS1's patterns need, asserted formats, ERR_EPCIS_SCHEMA with
// the failing locations — is tested without GS1's file.
func ownSchema(t *testing.T) *epcis.Schema {
	t.Helper()
	s, err := epcis.NewSchema(read(t, filepath.Join("testdata", "schema-subset.json")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSchemaWithOwnSubset(t *testing.T) {
	s := ownSchema(t)
	for _, r := range ownDocuments {
		if err := s.Validate(read(t, r.file)); err != nil {
			t.Errorf("%s: %v", r.file, err)
		}
	}
	sale := string(read(t, filepath.Join("testdata", "sale.jsonld")))
	cases := []struct {
		name, from, to string
		code           string
		text           string // a substring of the refusal
	}{
		{"user vocabulary outside the CBV namespaces", `"bizStep": "retail_selling"`, `"bizStep": "https://example.org/steps/tasting"`, "", ""},
		{"CBV namespace is no user vocabulary", `"bizStep": "retail_selling"`, `"bizStep": "urn:epcglobal:cbv:bizstep:tasting"`, call.ErrEPCISSchema, "at /epcisBody/eventList/0/bizStep"},
		{"date-time format asserted", `"creationDate": "2025-04-02T11:20:00+08:00"`, `"creationDate": "2 April 2025"`, call.ErrEPCISSchema, "at /creationDate"},
		{"required field", `"eventTimeZoneOffset": "+08:00",`, ``, call.ErrEPCISSchema, "at /epcisBody/eventList/0"},
		{"not JSON", `{`, `[`, call.ErrEPCISInvalid, "not valid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.Replace(sale, c.from, c.to, 1)
			if doc == sale {
				t.Fatalf("%q is not in sale.jsonld", c.from)
			}
			err := s.Validate([]byte(doc))
			if call.CodeOf(err) != c.code || (err != nil && !strings.Contains(err.Error(), c.text)) {
				t.Fatalf("got %v, want %q containing %q", err, c.code, c.text)
			}
		})
	}
}
