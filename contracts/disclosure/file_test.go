package disclosure_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/disclosure"
)

// A disclosure file has one form: MarshalFile's list reads back as it was,
// and every other shape — the per-event lists qian trace capture used to
// write among them — is refused with ERR_DISCLOSURE.
func TestDisclosureFileHasOneForm(t *testing.T) {
	d1, _, _ := disclosure.New("farmerName", "王秀英", bytes.NewReader(bytes.Repeat([]byte{1}, 32)))
	d2, _, _ := disclosure.New("farmerPhone", "13985400217", bytes.NewReader(bytes.Repeat([]byte{2}, 32)))
	d2.Event = strings.Repeat("ab", 32)
	want := []disclosure.Disclosure{d1, d2}
	raw := disclosure.MarshalFile(want)
	got, err := disclosure.ParseFile(raw)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip: %v\n%+v\n%+v", err, got, want)
	}
	if got, err := disclosure.ParseFile(disclosure.MarshalFile(nil)); err != nil || len(got) != 0 {
		t.Fatalf("empty file: %v %v", got, err)
	}

	good := string(raw)
	one := strings.TrimSpace(good)
	one = one[1 : len(one)-1] // the objects without the list
	first := one[:strings.Index(one, "},")+1]
	refused := map[string]string{
		"a lone object":                  first,
		"per-event lists":                "[" + good + "]",
		"an unknown key":                 strings.Replace(good, `"value"`, `"valeu"`, 1),
		"a key in another case":          strings.Replace(good, `"field"`, `"Field"`, 1),
		"a missing salt":                 strings.Replace(good, `"salt": "`+d1.Salt+`",`, "", 1),
		"upper-case hex":                 strings.Replace(good, d1.Commitment, strings.ToUpper(d1.Commitment), 1),
		"a short commitment":             strings.Replace(good, d1.Commitment, d1.Commitment[2:], 1),
		"an event in upper case":         strings.Replace(good, d2.Event, strings.ToUpper(d2.Event), 1),
		"a null entry":                   "[null]",
		"a number for a string":          `[{"field": "farmerName", "value": 5, "salt": "` + d1.Salt + `", "commitment": "` + d1.Commitment + `"}]`,
		"a field name no event can hold": strings.Replace(good, `"farmerName"`, `"farmer name"`, 1),
		"trailing data":                  good + "[]",
		"not JSON":                       "farmerName=王秀英",
	}
	for name, in := range refused {
		if in == good {
			t.Fatalf("%s: the edit did not apply", name)
		}
		if _, err := disclosure.ParseFile([]byte(in)); call.CodeOf(err) != call.ErrDisclosure {
			t.Errorf("%s: got %v, want ERR_DISCLOSURE", name, err)
		}
	}
	if _, err := disclosure.ParseFile([]byte("[" + good + "]")); err == nil || !strings.Contains(err.Error(), "jq add") {
		t.Errorf("per-event lists: %v; want the way to flatten them", err)
	}
}
