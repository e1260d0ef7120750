// Package gatewaytest helps the gateway's tests: it checks real answers
// against GS1's OpenAPI description of the EPCIS 2.0 REST bindings, read
// from ../shared/fixtures (never copied into the repository).
package gatewaytest

import (
	"bytes"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/qianchain/qianchain/internal/openapitest"
	"github.com/qianchain/qianchain/internal/testenv"
)

// Spec is GS1's EPCIS-REST-openapi.json, compiled (internal/openapitest
// checks the answers).
type Spec struct {
	doc *openapitest.Doc
}

// LoadSpec reads GS1's OpenAPI description, or skips t when the shared
// fixtures are absent.
func LoadSpec(t testing.TB) *Spec {
	t.Helper()
	return load(t, testenv.Fixture(t, specFile))
}

// SpecIfPresent reads GS1's OpenAPI description, or returns nil (and
// records that the answers were not validated) when the shared fixtures
// are absent: the test then checks the gateway's behaviour only.
func SpecIfPresent(t testing.TB) *Spec {
	t.Helper()
	p, ok := testenv.FixtureIfPresent(t, specFile, "answers against GS1's OpenAPI")
	if !ok {
		return nil
	}
	return load(t, p)
}

const specFile = "epcis/EPCIS-REST-openapi.json"

func load(t testing.TB, p string) *Spec {
	t.Helper()
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	fixCaptureJob(doc.(map[string]any))
	c := jsonschema.NewCompiler()
	// Formats are assertions here: GS1's oneOf between the standard event
	// types and an extension type (whose type is a URI) needs them.
	c.AssertFormat()
	// GS1's schemas use two constructs Go's RE2 cannot compile: a leading
	// negative lookahead "^(?!(X))" (a vocabulary URI that is not a
	// standard one), checked here as "does not start with X"; and
	// recursive groups (\g<...>) in cron-like schedule fields of
	// scheduled subscriptions, which the gateway does not accept, so they
	// are not enforced.
	c.UseRegexpEngine(func(src string) (jsonschema.Regexp, error) {
		if re, err := regexp.Compile(src); err == nil {
			return re, nil
		}
		if inner, ok := strings.CutPrefix(src, "^(?!"); ok && strings.HasSuffix(inner, ")") {
			re, err := regexp.Compile("^(?:" + strings.TrimSuffix(inner, ")") + ")")
			if err != nil {
				return nil, err
			}
			return notPrefix{re, src}, nil
		}
		return lenient(src), nil
	})
	d, err := openapitest.New(doc, c, openapitest.Rules{Name: "GS1's OpenAPI", Fallback: fallback})
	if err != nil {
		t.Fatal(err)
	}
	return &Spec{doc: d}
}

// fallback names the response GS1 describes for a status an operation
// does not list. GS1's description omits some errors the standard itself
// names (e.g. no 400 QueryParameterException or 501 for GET /events): such
// an answer must still be the shape GS1 gives that error.
func fallback(tmpl string, status int) (string, bool) {
	name, known := Fallback[status]
	if status == 400 && strings.Contains(tmpl, "/subscriptions") {
		name = "400SubscriptionIssues"
	}
	return name, known
}

// fixCaptureJob repairs one schema of GS1's description in memory: the
// capture job is "errors or errorFile", written as a oneOf of two
// alternatives that each only describe a property, so every job matches
// both and no job can validate. Each alternative is made to require its
// property, which is what the description's text says.
func fixCaptureJob(doc map[string]any) {
	job := doc["components"].(map[string]any)["schemas"].(map[string]any)["CaptureJob"].(map[string]any)
	for _, part := range job["allOf"].([]any) {
		alts, ok := part.(map[string]any)["oneOf"].([]any)
		if !ok {
			continue
		}
		for _, a := range alts {
			m := a.(map[string]any)
			for name := range m["properties"].(map[string]any) {
				m["required"] = []any{name}
			}
		}
	}
}

// Template returns the path template a concrete (escaped) path matches.
func (s *Spec) Template(path string) (string, bool) { return s.doc.Template(path) }

// Validate checks that GS1's description has the response to method path
// (its status and media type) and that a JSON body matches the schema.
func (s *Spec) Validate(method, path string, resp *http.Response, body []byte) error {
	if s == nil {
		return nil // no description to check against (SpecIfPresent)
	}
	return s.doc.Validate(method, path, resp, body)
}

// Fallback names GS1's described response for a status an operation does
// not list.
var Fallback = map[int]string{
	400: "400QueryIssues", 404: "404ResourceNotFound", 406: "406NotAcceptable", 409: "409ResourceAlreadyExistsException",
	413: "413QueryScopeOrSize", 414: "414URLTooLong", 415: "415UnsupportedMediaType", 501: "501NotImplemented",
}

type notPrefix struct {
	re  *regexp.Regexp
	src string
}

func (n notPrefix) MatchString(s string) bool { return !n.re.MatchString(s) }
func (n notPrefix) String() string            { return n.src }

type lenient string

func (l lenient) MatchString(string) bool { return true }
func (l lenient) String() string          { return string(l) }

// Seen lists the "METHOD template status" answers validated so far.
func (s *Spec) Seen() []string { return s.doc.Seen() }

// Operations lists "METHOD /path" for every operation GS1 describes.
func (s *Spec) Operations() []string {
	return s.doc.Operations("get", "post", "put", "delete", "patch", "options")
}
