// Package gatewaytest helps the gateway's tests: it checks real answers
// against GS1's OpenAPI description of the EPCIS 2.0 REST bindings, read
// from ../shared/fixtures (never copied into the repository).
package gatewaytest

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/qianchain/qianchain/internal/testenv"
)

// Spec is GS1's EPCIS-REST-openapi.json, compiled.
type Spec struct {
	doc       map[string]any
	c         *jsonschema.Compiler
	templates []template
	mu        sync.Mutex
	schemas   map[string]*jsonschema.Schema
	seen      map[string]bool // "METHOD template status"
}

type template struct {
	path string
	re   *regexp.Regexp
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
	s := &Spec{doc: doc.(map[string]any), c: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}, seen: map[string]bool{}}
	// Formats are assertions here: GS1's oneOf between the standard event
	// types and an extension type (whose type is a URI) needs them.
	s.c.AssertFormat()
	// GS1's schemas use two constructs Go's RE2 cannot compile: a leading
	// negative lookahead "^(?!(X))" (a vocabulary URI that is not a
	// standard one), checked here as "does not start with X"; and
	// recursive groups (\g<...>) in cron-like schedule fields of
	// scheduled subscriptions, which the gateway does not accept, so they
	// are not enforced.
	s.c.UseRegexpEngine(func(src string) (jsonschema.Regexp, error) {
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
	if err := s.c.AddResource("openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	for p := range s.doc["paths"].(map[string]any) {
		re := "^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
		s.templates = append(s.templates, template{path: p, re: regexp.MustCompile(re)})
	}
	// Literal segments beat parameters: /queries/{q}/events before /queries/{q}/subscriptions/{id}... by count.
	sort.Slice(s.templates, func(i, j int) bool {
		return strings.Count(s.templates[i].path, "{") < strings.Count(s.templates[j].path, "{")
	})
	return s
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
func (s *Spec) Template(path string) (string, bool) {
	path, _, _ = strings.Cut(path, "?")
	for _, t := range s.templates {
		if t.re.MatchString(path) {
			return t.path, true
		}
	}
	return "", false
}

func ptr(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(p))
	}
	return b.String()
}

// Validate checks that GS1's description has the response to method path
// (its status and media type) and that a JSON body matches the schema.
func (s *Spec) Validate(method, path string, resp *http.Response, body []byte) error {
	if s == nil {
		return nil // no description to check against (SpecIfPresent)
	}
	tmpl, ok := s.Template(path)
	if !ok {
		return fmt.Errorf("%s %s: no path of GS1's OpenAPI matches", method, path)
	}
	op, ok := s.doc["paths"].(map[string]any)[tmpl].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		return fmt.Errorf("%s %s: GS1 describes %s without %s", method, path, tmpl, method)
	}
	status := strconv.Itoa(resp.StatusCode)
	r, ok := op["responses"].(map[string]any)[status].(map[string]any)
	base := ptr("paths", tmpl, strings.ToLower(method), "responses", status)
	if !ok {
		// GS1's description omits some errors the standard itself names
		// (e.g. no 400 QueryParameterException or 501 for GET /events):
		// such an answer must still be the shape GS1 gives that error.
		name, known := Fallback[resp.StatusCode]
		if resp.StatusCode == 400 && strings.Contains(tmpl, "/subscriptions") {
			name = "400SubscriptionIssues"
		}
		if !known {
			return fmt.Errorf("%s %s (%s): status %s is not in GS1's description", method, path, tmpl, status)
		}
		r = map[string]any{"$ref": "#/components/responses/" + name}
		tmpl += " (fallback)"
	}
	if ref, ok := r["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/responses/")
		r = s.doc["components"].(map[string]any)["responses"].(map[string]any)[name].(map[string]any)
		base = ptr("components", "responses", name)
	}
	s.mu.Lock()
	s.seen[method+" "+tmpl+" "+status] = true
	s.mu.Unlock()
	content, _ := r["content"].(map[string]any)
	if len(content) == 0 {
		return nil // no body described (204, 201, 202)
	}
	media, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		return fmt.Errorf("%s %s: Content-Type %q: %v", method, path, resp.Header.Get("Content-Type"), err)
	}
	mt, ok := content[media].(map[string]any)
	if !ok {
		return fmt.Errorf("%s %s (%s) %s: media type %s is not in GS1's description", method, path, tmpl, status, media)
	}
	if _, ok := mt["schema"]; !ok || !strings.Contains(media, "json") {
		return nil
	}
	loc := "openapi.json#" + base + ptr("content", media, "schema")
	s.mu.Lock()
	sch, ok := s.schemas[loc]
	if !ok {
		sch, err = s.c.Compile(loc)
		if err != nil {
			s.mu.Unlock()
			return fmt.Errorf("compile %s: %v", loc, err)
		}
		s.schemas[loc] = sch
	}
	s.mu.Unlock()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s: body is not JSON: %v", method, path, err)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%s %s (%s %s %s) does not match GS1's OpenAPI:\n%v", method, path, tmpl, status, media, err)
	}
	return nil
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
func (s *Spec) Seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.seen))
	for k := range s.seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Operations lists "METHOD /path" for every operation GS1 describes.
func (s *Spec) Operations() []string {
	var out []string
	for p, item := range s.doc["paths"].(map[string]any) {
		for m := range item.(map[string]any) {
			switch m {
			case "get", "post", "put", "delete", "patch", "options":
				out = append(out, strings.ToUpper(m)+" "+p)
			}
		}
	}
	sort.Strings(out)
	return out
}
