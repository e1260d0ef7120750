//go:build !js

package epcis

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/qianchain/qianchain/contracts/call"
)

// Schema validates documents against the GS1 EPCIS 2.0 JSON schema
// (EPCIS-JSON-Schema.json, draft-07). It runs in clients — capture tools,
// tests — never inside block execution, which decodes canonical binary
// payloads instead. The schema file is GS1's and is not shipped with
// Qianchain; the caller supplies its bytes.
//
// Schema is not built for the browser (GOOS=js): the browser verifier
// (cmd/qian-verify-wasm) decodes recorded events and validates no document,
// and jsonschema with golang.org/x/text would add half a megabyte (gzip)
// to what a phone downloads (docs/benchmarks.md, "The browser verifier").
type Schema struct {
	s *jsonschema.Schema
}

// NewSchema compiles the GS1 EPCIS JSON schema. Formats (date-time, uri)
// are asserted, as GS1's own validation does.
func NewSchema(schemaJSON []byte) (*Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("epcis schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseRegexpEngine(compileRegexp)
	const url = "https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("epcis schema: %w", err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("epcis schema: %w", err)
	}
	return &Schema{s: s}, nil
}

// Validate checks a JSON document. A failure is an *call.Error with code
// ERR_EPCIS_SCHEMA whose sentence names the failing locations.
func (s *Schema) Validate(doc []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return call.Errorf(call.ErrEPCISInvalid, "the document is not valid JSON: %v", err)
	}
	if err := s.s.Validate(inst); err != nil {
		msg := err.Error()
		if ve, ok := err.(*jsonschema.ValidationError); ok {
			msg = summarize(ve)
		}
		return call.Errorf(call.ErrEPCISSchema, "the document does not validate against the GS1 EPCIS 2.0 schema: %s", msg)
	}
	return nil
}

var printer = message.NewPrinter(language.English)

// summarize lists the innermost failures (where the real cause is) rather
// than the whole if/then/allOf tree.
func summarize(ve *jsonschema.ValidationError) string {
	var leaves []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(e.InstanceLocation, "/")
			leaves = append(leaves, fmt.Sprintf("at %s: %s", loc, e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(leaves) > 5 {
		leaves = append(leaves[:5], fmt.Sprintf("and %d more", len(leaves)-5))
	}
	return strings.Join(leaves, "; ")
}

// negativePrefix is a regexp that matches when its inner pattern does not
// match at the start of the string.
type negativePrefix struct {
	src   string
	inner *regexp.Regexp
}

func (n *negativePrefix) String() string            { return n.src }
func (n *negativePrefix) MatchString(s string) bool { return !n.inner.MatchString(s) }

// compileRegexp is Go's regexp plus the one construct of the GS1 schema that
// Go's RE2 lacks: a leading negative lookahead "^(?!(X))", which the schema
// uses to keep CBV namespaces out of user vocabularies. It means "does not
// start with X", which is exactly !regexp("^(?:X)").
func compileRegexp(src string) (jsonschema.Regexp, error) {
	if inner, ok := strings.CutPrefix(src, "^(?!("); ok {
		if inner, ok = strings.CutSuffix(inner, "))"); ok {
			re, err := regexp.Compile("^(?:" + inner + ")")
			if err != nil {
				return nil, err
			}
			return &negativePrefix{src: src, inner: re}, nil
		}
	}
	return regexp.Compile(src)
}
