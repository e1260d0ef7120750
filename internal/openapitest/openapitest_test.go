package openapitest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// A description of two paths: a literal one beside a parameter, a JSON
// body with a schema, a text body, an answer without a body, and an error
// response that operations name by reference.
const description = `{
  "openapi": "3.1.0",
  "paths": {
    "/v1/blocks/latest": {"get": {"responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Block"}}}}}}},
    "/v1/blocks/{height}": {"get": {"responses": {
      "200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Block"}}, "text/plain": {"schema": {"type": "string"}}}},
      "204": {"description": ""},
      "404": {"$ref": "#/components/responses/NotFound"}}}}
  },
  "components": {
    "schemas": {"Block": {"type": "object", "required": ["height"], "properties": {"height": {"type": "integer"}}}},
    "responses": {
      "NotFound": {"description": "", "content": {"application/json": {"schema": {"type": "object", "required": ["code"]}}}},
      "Teapot": {"description": "", "content": {"application/json": {"schema": {"type": "object", "required": ["tea"]}}}}
    }
  }
}`

func compile(t *testing.T, rules Rules) *Doc {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(description))
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(doc, nil, rules)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func answer(status int, contentType string) *http.Response {
	resp := &http.Response{StatusCode: status, Header: http.Header{}}
	if contentType != "" {
		resp.Header.Set("Content-Type", contentType)
	}
	return resp
}

func TestValidate(t *testing.T) {
	d := compile(t, Rules{Name: "the test description"})
	if tmpl, _ := d.Template("/v1/blocks/latest?x=1"); tmpl != "/v1/blocks/latest" {
		t.Fatalf("a literal path matched %q, want its own template before the parameter's", tmpl)
	}
	cases := []struct {
		name, method, path string
		resp               *http.Response
		body               string
		err                string // "" when the answer is right
	}{
		{"a body matching its schema", "GET", "/v1/blocks/7", answer(200, "application/json; charset=utf-8"), `{"height": 7}`, ""},
		{"a body against its schema", "GET", "/v1/blocks/7", answer(200, "application/json"), `{"height": "7"}`, "does not match the test description"},
		{"a body that is not JSON", "GET", "/v1/blocks/7", answer(200, "application/json"), `{`, "body is not JSON"},
		{"a text body, not validated", "GET", "/v1/blocks/7", answer(200, "text/plain"), `anything`, ""},
		{"an undescribed media type", "GET", "/v1/blocks/7", answer(200, "text/html"), `<p>`, "media type text/html is not in the test description"},
		{"no Content-Type where a body is described", "GET", "/v1/blocks/7", answer(200, ""), ``, "Content-Type"},
		{"no body described", "GET", "/v1/blocks/7", answer(204, ""), ``, ""},
		{"a response by reference", "GET", "/v1/blocks/7", answer(404, "application/json"), `{"code": "ERR_NOT_FOUND"}`, ""},
		{"a response by reference, against its schema", "GET", "/v1/blocks/7", answer(404, "application/json"), `{}`, "does not match"},
		{"an undescribed status", "GET", "/v1/blocks/7", answer(418, "application/json"), `{}`, "status 418 is not in the test description"},
		{"an undescribed method", "POST", "/v1/blocks/7", answer(200, "application/json"), `{}`, "the test description has /v1/blocks/{height} without POST"},
		{"an undescribed path", "GET", "/v1/nothing", answer(404, "application/json"), `{}`, "no path of the test description matches"},
	}
	for _, c := range cases {
		err := d.Validate(c.method, c.path, c.resp, []byte(c.body))
		if c.err == "" && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: got %v, want an error saying %q", c.name, err, c.err)
		}
	}
	want := []string{"GET /v1/blocks/{height} 200", "GET /v1/blocks/{height} 204", "GET /v1/blocks/{height} 404"}
	if got := d.Seen(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("seen %q, want %q", got, want)
	}
	if got := d.Operations("get", "post"); strings.Join(got, ",") != "GET /v1/blocks/latest,GET /v1/blocks/{height}" {
		t.Errorf("operations %q", got)
	}
}

// A description's own rules: an answer to an unknown path it accepts, and
// the response an undescribed status must match.
func TestRules(t *testing.T) {
	d := compile(t, Rules{Name: "the test description",
		Unrouted: func(resp *http.Response, body []byte) bool { return strings.Contains(string(body), "ERR_NO_ROUTE") },
		Fallback: func(tmpl string, status int) (string, bool) {
			return "Teapot", status == 418 && strings.HasPrefix(tmpl, "/v1/blocks/")
		},
	})
	if err := d.Validate("GET", "/v1/nothing", answer(404, "application/json"), []byte(`{"code": "ERR_NO_ROUTE"}`)); err != nil {
		t.Errorf("an unrouted answer the rules accept: %v", err)
	}
	if err := d.Validate("GET", "/v1/nothing", answer(404, "application/json"), []byte(`{"code": "ERR_OTHER"}`)); err == nil {
		t.Error("an unrouted answer the rules refuse passed")
	}
	if err := d.Validate("GET", "/v1/blocks/7", answer(418, "application/json"), []byte(`{"tea": "green"}`)); err != nil {
		t.Errorf("a fallback response: %v", err)
	}
	if err := d.Validate("GET", "/v1/blocks/7", answer(418, "application/json"), []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "(fallback)") {
		t.Errorf("an answer against its fallback's schema: got %v", err)
	}
	if err := d.Validate("GET", "/v1/blocks/7", answer(500, "application/json"), []byte(`{}`)); err == nil {
		t.Error("a status with neither a response nor a fallback passed")
	}
}
