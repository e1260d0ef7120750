package epcis_test

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/epcis"
)

// The CBV 2.0 event hash (GS1 CBV 2.0 section 8.9; reference implementation
// github.com/RalphTro/epcis-event-hash-generator): a pre-hash string of the
// event's fields in a canonical order, values normalised (identifiers to
// Digital Link, CBV terms to one form, times to UTC milliseconds, numbers
// without trailing zeros, extension names expanded by @context), lists
// sorted; eventID, recordTime, errorDeclaration and certificationInfo are
// left out, and so is a list or object with nothing in it (the reference
// implementation's "ignoreEmptyEpcList" case): that an export adds no
// `epcList: []` a capture lacked is checked on the events themselves
// (sameEventsThroughQuery). This is a test implementation, faithful to the
// algorithm's structure; it is used to check that capture and export
// agree, not to interoperate.
var propOrder = []string{"eventTime", "eventTimeZoneOffset", "epcList", "parentID", "inputEPCList", "childEPCs",
	"quantityList", "childQuantityList", "inputQuantityList", "outputEPCList", "outputQuantityList", "action",
	"transformationID", "bizStep", "disposition", "persistentDisposition", "readPoint", "bizLocation",
	"bizTransactionList", "sourceList", "destinationList", "sensorElementList", "ilmd"}

var notHashed = map[string]bool{"type": true, "eventID": true, "recordTime": true, "errorDeclaration": true,
	"certificationInfo": true, "@context": true}

func eventHash(t *testing.T, ev *epcis.Value, ctx map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("eventType=" + ev.Get("type").Str)
	for _, name := range propOrder {
		if v := ev.Get(name); v != nil && !empty(v) {
			b.WriteString(preHash(name, v, ctx))
		}
	}
	var ext []string
	for _, f := range ev.Fields {
		if strings.Contains(f.Name, ":") && !notHashed[f.Name] && !empty(&f.Value) {
			ext = append(ext, preHash(expand(f.Name, ctx), &f.Value, ctx))
		}
	}
	sort.Strings(ext)
	b.WriteString(strings.Join(ext, ""))
	sum := sha256.Sum256([]byte(b.String()))
	return "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0"
}

func empty(v *epcis.Value) bool {
	return (v.Kind == epcis.KindArray && len(v.Items) == 0) || (v.Kind == epcis.KindObject && len(v.Fields) == 0)
}

func expand(name string, ctx map[string]string) string {
	if p, rest, ok := strings.Cut(name, ":"); ok && ctx[p] != "" {
		return "{" + ctx[p] + "}" + rest
	}
	return name
}

func preHash(name string, v *epcis.Value, ctx map[string]string) string {
	switch v.Kind {
	case epcis.KindArray, epcis.KindObject:
		var parts []string
		for i := range v.Items {
			parts = append(parts, preHash("", &v.Items[i], ctx))
		}
		for i := range v.Fields {
			parts = append(parts, preHash(expand(v.Fields[i].Name, ctx), &v.Fields[i].Value, ctx))
		}
		sort.Strings(parts)
		return name + strings.Join(parts, "")
	case epcis.KindNumber:
		return name + "=" + v.Num.String()
	case epcis.KindBool:
		if v.Bool {
			return name + "=true"
		}
		return name + "=false"
	}
	s := v.Str
	if tm, err := time.Parse(time.RFC3339Nano, s); err == nil && strings.Contains(s, "T") {
		s = tm.UTC().Format("2006-01-02T15:04:05.000Z")
	} else if c, err := epcis.CanonicalIdentifier(s); err == nil {
		s = c
	}
	for _, p := range []string{"urn:epcglobal:cbv:bizstep:", "urn:epcglobal:cbv:disp:", "urn:epcglobal:cbv:btt:",
		"urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/BizStep-", "https://ref.gs1.org/cbv/Disp-",
		"https://ref.gs1.org/cbv/BTT-", "https://ref.gs1.org/cbv/SDT-"} {
		s = strings.TrimPrefix(s, p)
	}
	if name == "" {
		return "=" + s
	}
	return name + "=" + s
}

func contextOf(doc *epcis.Value) map[string]string {
	m := map[string]string{}
	c := doc.Get("@context")
	if c == nil {
		return m
	}
	items := []epcis.Value{*c}
	if c.Kind == epcis.KindArray {
		items = c.Items
	}
	for _, it := range items {
		for _, f := range it.Fields {
			if f.Value.Kind == epcis.KindString {
				m[f.Name] = f.Value.Str
			}
		}
	}
	return m
}

func eventsOf(doc *epcis.Value) []epcis.Value {
	for _, p := range [][]string{{"epcisBody", "eventList"}, {"epcisBody", "queryResults", "resultsBody", "eventList"}} {
		v := doc
		for _, n := range p {
			if v = v.Get(n); v == nil {
				break
			}
		}
		if v != nil {
			return v.Items
		}
	}
	return nil
}

// Every GS1 example's events, and the project's own documents', hash the
// same captured and exported: the export leaves each event as captured
// (its provenance is at the document level), so nothing is stripped before
// hashing. recordTime and an errorDeclaration, which EPCIS lets a
// repository add, are not hashed.
func TestExportKeepsTheCBVEventHash(t *testing.T) {
	check := func(t *testing.T, raw []byte) {
		d, err := epcis.Decode(raw, epcis.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		in, _ := epcis.ParseJSON(raw)
		out, err := epcis.ParseJSON(queryDocument(d))
		if err != nil {
			t.Fatal(err)
		}
		ins, outs := eventsOf(&in), eventsOf(&out)
		if len(ins) != len(outs) {
			t.Fatalf("%d events in, %d out", len(ins), len(outs))
		}
		for i := range ins {
			if a, b := eventHash(t, &ins[i], contextOf(&in)), eventHash(t, &outs[i], contextOf(&out)); a != b {
				t.Errorf("event %d: captured %s, exported %s", i, a, b)
			}
			for _, f := range outs[i].Fields {
				if strings.HasPrefix(f.Name, "qian:") && ins[i].Get(f.Name) == nil {
					t.Errorf("event %d: the export added %s", i, f.Name)
				}
			}
		}
	}
	for _, r := range ownDocuments {
		t.Run(filepath.Base(r.file), func(t *testing.T) { check(t, read(t, r.file)) })
	}
	for _, r := range decodeTable {
		t.Run(r.file, func(t *testing.T) { check(t, read(t, filepath.Join(fixtures(t), r.file))) })
	}
}
