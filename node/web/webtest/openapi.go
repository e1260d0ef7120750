package webtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// Spec is docs/openapi.yaml, compiled: it validates real responses
// against the schemas the document gives for their path, method, status
// and media type.
type Spec struct {
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

var (
	specOnce sync.Once
	spec     *Spec
	specErr  error
)

// LoadSpec reads docs/openapi.yaml from the repository root (found by
// walking up from the working directory to go.mod).
func LoadSpec() (*Spec, error) {
	specOnce.Do(func() { spec, specErr = loadSpec() })
	return spec, specErr
}

// repoRoot is the repository's root: the first directory with a go.mod
// above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = up
	}
}

func loadSpec() (*Spec, error) {
	dir, err := repoRoot()
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "docs", "openapi.yaml"))
	if err != nil {
		return nil, err
	}
	var y any
	if err := yaml.Unmarshal(raw, &y); err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml: %w", err)
	}
	// Round-trip through JSON so numbers are json.Number and maps have
	// string keys, as the validator wants.
	j, err := json.Marshal(y)
	if err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml is not JSON-compatible: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return nil, err
	}
	s := &Spec{doc: doc.(map[string]any), c: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}, seen: map[string]bool{}}
	if err := s.c.AddResource("openapi.json", doc); err != nil {
		return nil, err
	}
	paths, _ := s.doc["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, fmt.Errorf("docs/openapi.yaml has no paths")
	}
	for p := range paths {
		re := "^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
		s.templates = append(s.templates, template{path: p, re: regexp.MustCompile(re)})
	}
	// Literal segments beat parameters: /v1/blocks/latest before /v1/blocks/{height}.
	sort.Slice(s.templates, func(i, j int) bool {
		return strings.Count(s.templates[i].path, "{") < strings.Count(s.templates[j].path, "{")
	})
	return s, nil
}

// Operations lists "METHOD /path" for every documented operation.
func (s *Spec) Operations() []string {
	var out []string
	for p, item := range s.doc["paths"].(map[string]any) {
		for m := range item.(map[string]any) {
			switch m {
			case "get", "post", "put", "delete", "patch":
				out = append(out, strings.ToUpper(m)+" "+p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Template returns the documented path template a concrete path matches.
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

// Validate checks that the spec documents the response to method path
// (its status and media type) and, for JSON media types, that the body
// matches the schema.
func (s *Spec) Validate(method, path string, resp *http.Response, body []byte) error {
	tmpl, ok := s.Template(path)
	if !ok && resp.StatusCode == http.StatusNotFound && bytes.Contains(body, []byte(`"ERR_NO_ROUTE"`)) {
		return nil // an undocumented path, answered as the description says
	}
	if !ok {
		return fmt.Errorf("%s %s: no documented path matches", method, path)
	}
	op, ok := s.doc["paths"].(map[string]any)[tmpl].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		return fmt.Errorf("%s %s: %s is documented without %s", method, path, tmpl, method)
	}
	status := strconv.Itoa(resp.StatusCode)
	responses, _ := op["responses"].(map[string]any)
	r, ok := responses[status].(map[string]any)
	base := ptr("paths", tmpl, strings.ToLower(method), "responses", status)
	if !ok {
		return fmt.Errorf("%s %s (%s): status %s is not documented", method, path, tmpl, status)
	}
	if ref, ok := r["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/responses/")
		r = s.doc["components"].(map[string]any)["responses"].(map[string]any)[name].(map[string]any)
		base = ptr("components", "responses", name)
	}
	media, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		return fmt.Errorf("%s %s: Content-Type %q: %v", method, path, resp.Header.Get("Content-Type"), err)
	}
	content, _ := r["content"].(map[string]any)
	if _, ok := content[media]; !ok {
		return fmt.Errorf("%s %s (%s) %s: media type %s is not documented", method, path, tmpl, status, media)
	}
	s.mu.Lock()
	s.seen[method+" "+tmpl+" "+status] = true
	s.mu.Unlock()
	if media != "application/json" && media != "application/linkset+json" && media != "application/ld+json" {
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
		return fmt.Errorf("%s %s (%s %s %s) does not match docs/openapi.yaml:\n%v", method, path, tmpl, status, media, err)
	}
	return nil
}

// Seen reports whether a response to "METHOD template" with a 2xx status
// was validated.
func (s *Spec) Seen(op string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.seen {
		if strings.HasPrefix(k, op+" 2") {
			return true
		}
	}
	return false
}

// Check is Validate for tests.
func (s *Spec) Check(t testing.TB, method, path string, resp *http.Response, body []byte) {
	t.Helper()
	if err := s.Validate(method, path, resp, body); err != nil {
		t.Error(err)
	}
}
