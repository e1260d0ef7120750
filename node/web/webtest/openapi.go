package webtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/qianchain/qianchain/internal/openapitest"
	"github.com/qianchain/qianchain/internal/testenv"
)

// Spec is docs/openapi.yaml, compiled: it validates real responses
// against the schemas the document gives for their path, method, status
// and media type (internal/openapitest checks them).
type Spec struct {
	doc *openapitest.Doc
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

func loadSpec() (*Spec, error) {
	dir, err := testenv.RepositoryRoot()
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
	d, err := openapitest.New(doc, nil, openapitest.Rules{Name: "docs/openapi.yaml", Unrouted: noRoute})
	if err != nil {
		return nil, err
	}
	return &Spec{doc: d}, nil
}

// noRoute reports whether an answer to an undocumented path is the one the
// description gives every unknown route: 404 ERR_NO_ROUTE.
func noRoute(resp *http.Response, body []byte) bool {
	return resp.StatusCode == http.StatusNotFound && bytes.Contains(body, []byte(`"ERR_NO_ROUTE"`))
}

// Operations lists "METHOD /path" for every documented operation.
func (s *Spec) Operations() []string {
	return s.doc.Operations("get", "post", "put", "delete", "patch")
}

// Template returns the documented path template a concrete path matches.
func (s *Spec) Template(path string) (string, bool) { return s.doc.Template(path) }

// Validate checks that the spec documents the response to method path
// (its status and media type) and, for JSON media types, that the body
// matches the schema.
func (s *Spec) Validate(method, path string, resp *http.Response, body []byte) error {
	return s.doc.Validate(method, path, resp, body)
}

// Seen reports whether a response to "METHOD template" with a 2xx status
// was validated.
func (s *Spec) Seen(op string) bool {
	for _, k := range s.doc.Seen() {
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
