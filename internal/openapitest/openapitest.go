// Package openapitest checks real HTTP answers against an OpenAPI
// description: that the description has the answer's path, method, status
// and media type, and that a JSON body matches the schema it gives. It is
// for tests only; node/web/webtest loads docs/openapi.yaml into it and
// node/gateway/gatewaytest GS1's OpenAPI description of the EPCIS 2.0 REST
// bindings.
package openapitest

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Rules are what sets one description's checks apart from another's.
type Rules struct {
	// Name names the description in errors ("docs/openapi.yaml").
	Name string
	// Unrouted, when set, reports whether an answer to a path the
	// description does not have is still right (an unknown route answered
	// as the description says unknown routes are).
	Unrouted func(resp *http.Response, body []byte) bool
	// Fallback, when set, names the component response (of
	// #/components/responses) that an answer must match when its
	// operation, of path template tmpl, does not list its status.
	Fallback func(tmpl string, status int) (name string, ok bool)
}

// Doc is an OpenAPI description compiled for checking answers. Validate is
// safe for concurrent use.
type Doc struct {
	rules     Rules
	doc       map[string]any
	c         *jsonschema.Compiler
	templates []template
	mu        sync.Mutex
	schemas   map[string]*jsonschema.Schema
	seen      map[string]bool // "METHOD template status" validated
}

type template struct {
	path string
	re   *regexp.Regexp
}

// New compiles doc, an OpenAPI description as jsonschema.UnmarshalJSON
// returns it (numbers as json.Number), with c (nil: a new compiler with its
// defaults); a caller that needs other formats or regular expressions
// configures c first.
func New(doc any, c *jsonschema.Compiler, rules Rules) (*Doc, error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a JSON object", rules.Name)
	}
	if c == nil {
		c = jsonschema.NewCompiler()
	}
	d := &Doc{rules: rules, doc: m, c: c, schemas: map[string]*jsonschema.Schema{}, seen: map[string]bool{}}
	if err := d.c.AddResource("openapi.json", doc); err != nil {
		return nil, err
	}
	paths, _ := m["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s has no paths", rules.Name)
	}
	for p := range paths {
		re := "^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
		d.templates = append(d.templates, template{path: p, re: regexp.MustCompile(re)})
	}
	// Literal segments beat parameters: /v1/blocks/latest before
	// /v1/blocks/{height}.
	sort.Slice(d.templates, func(i, j int) bool {
		return strings.Count(d.templates[i].path, "{") < strings.Count(d.templates[j].path, "{")
	})
	return d, nil
}

// Operations lists "METHOD /path" for every operation the description has
// with one of methods (lower case, as OpenAPI writes them).
func (d *Doc) Operations(methods ...string) []string {
	var out []string
	for p, item := range d.doc["paths"].(map[string]any) {
		for m := range item.(map[string]any) {
			for _, want := range methods {
				if m == want {
					out = append(out, strings.ToUpper(m)+" "+p)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// Template returns the path template a concrete (escaped) path matches.
func (d *Doc) Template(path string) (string, bool) {
	path, _, _ = strings.Cut(path, "?")
	for _, t := range d.templates {
		if t.re.MatchString(path) {
			return t.path, true
		}
	}
	return "", false
}

// Seen lists the "METHOD template status" answers validated so far (a
// fallback's template followed by " (fallback)").
func (d *Doc) Seen() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]string, 0, len(d.seen))
	for k := range d.seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ptr is the JSON pointer of parts.
func ptr(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(p))
	}
	return b.String()
}

// Validate checks that the description has the answer to method path (its
// status, and its media type when it describes a body) and that a JSON
// body matches the media type's schema.
func (d *Doc) Validate(method, path string, resp *http.Response, body []byte) error {
	name := d.rules.Name
	tmpl, ok := d.Template(path)
	if !ok && d.rules.Unrouted != nil && d.rules.Unrouted(resp, body) {
		return nil
	}
	if !ok {
		return fmt.Errorf("%s %s: no path of %s matches", method, path, name)
	}
	op, ok := d.doc["paths"].(map[string]any)[tmpl].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		return fmt.Errorf("%s %s: %s has %s without %s", method, path, name, tmpl, method)
	}
	status := strconv.Itoa(resp.StatusCode)
	responses, _ := op["responses"].(map[string]any)
	r, ok := responses[status].(map[string]any)
	base := ptr("paths", tmpl, strings.ToLower(method), "responses", status)
	if !ok {
		fallback, known := "", false
		if d.rules.Fallback != nil {
			fallback, known = d.rules.Fallback(tmpl, resp.StatusCode)
		}
		if !known {
			return fmt.Errorf("%s %s (%s): status %s is not in %s", method, path, tmpl, status, name)
		}
		r = map[string]any{"$ref": "#/components/responses/" + fallback}
		tmpl += " (fallback)"
	}
	if ref, ok := r["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/responses/")
		r = d.doc["components"].(map[string]any)["responses"].(map[string]any)[name].(map[string]any)
		base = ptr("components", "responses", name)
	}
	content, _ := r["content"].(map[string]any)
	if len(content) == 0 {
		d.saw(method + " " + tmpl + " " + status)
		return nil // no body described (204, 201, 202)
	}
	media, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		return fmt.Errorf("%s %s: Content-Type %q: %v", method, path, resp.Header.Get("Content-Type"), err)
	}
	mt, ok := content[media].(map[string]any)
	if !ok {
		return fmt.Errorf("%s %s (%s) %s: media type %s is not in %s", method, path, tmpl, status, media, name)
	}
	d.saw(method + " " + tmpl + " " + status)
	if _, ok := mt["schema"]; !ok || !strings.Contains(media, "json") {
		return nil
	}
	sch, err := d.schema("openapi.json#" + base + ptr("content", media, "schema"))
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s: body is not JSON: %v", method, path, err)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%s %s (%s %s %s) does not match %s:\n%v", method, path, tmpl, status, media, name, err)
	}
	return nil
}

func (d *Doc) saw(answer string) {
	d.mu.Lock()
	d.seen[answer] = true
	d.mu.Unlock()
}

// schema compiles the schema at loc once.
func (d *Doc) schema(loc string) (*jsonschema.Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if sch, ok := d.schemas[loc]; ok {
		return sch, nil
	}
	sch, err := d.c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %v", loc, err)
	}
	d.schemas[loc] = sch
	return sch, nil
}
