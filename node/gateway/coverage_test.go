package gateway_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/node/gateway/gatewaytest"
)

// Every operation of GS1's OpenAPI description has a route: none is
// answered by the catch-all "not supported" (docs/gateway.md, coverage),
// and each answer, to a request naming nothing that exists, is one the
// description allows.
func TestEveryGS1OperationIsRouted(t *testing.T) {
	x := startGateway(t, t.TempDir(), nil)
	spec := gatewaytest.LoadSpec(t)
	x.spec = spec // and each answer is one GS1's description allows
	param := regexp.MustCompile(`\{[^}]+\}`)
	ops := spec.Operations()
	if len(ops) < 60 {
		t.Fatalf("GS1's description has %d operations?", len(ops))
	}
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		concrete := param.ReplaceAllStringFunc(path, func(p string) string {
			if p == "{eventType}" {
				return "ObjectEvent"
			}
			return "x"
		})
		resp, body := x.do(method, concrete, []byte(`{}`))
		if resp.StatusCode == 501 && strings.Contains(string(body), "is not supported by this gateway") {
			t.Errorf("%s has no route", op)
		}
	}
	t.Logf("%d operations of GS1's OpenAPI routed", len(ops))
}
