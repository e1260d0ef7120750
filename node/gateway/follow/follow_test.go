package follow_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/gateway/follow"
	"github.com/qianchain/qianchain/node/nodetest"
)

// A follower believes a node only as far as genesis vouches for it: honest
// answers verify, and a certificate, a block or a result the node altered
// is refused as Untrusted instead of being handed on.
func TestFollowerTrustsGenesisNotTheNode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	farm, _ := ledger.GenerateKey()
	spec := demo.Farm.Spec("farm", farm.PublicKey())
	org := genesis.Organisation{ID: spec.ID, Name: spec.Name, Roles: []genesis.Role{genesis.Role(membership.Farm)},
		GS1Prefixes: spec.Prefixes, GLNs: spec.GLNs, Admins: spec.Admins}
	nw := nodetest.New(t, nodetest.Options{Validators: 1, Orgs: []genesis.Organisation{org}, App: func() node.Application { return node.NewContractsApp() },
		Handler: func(n *node.Node) http.Handler { return api.New(n) }})
	nw.StartAll()
	nw.WaitHeight(4, 30*time.Second)
	real := nw.Members[0].URL

	// tamper serves the node's answers, passing /v1/blocks/2/raw through
	// edit first.
	tamper := func(edit func(raw map[string]any)) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			resp, err := http.Get(real + r.URL.Path)
			if err != nil {
				http.Error(w, err.Error(), 502)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if r.URL.Path == "/v1/blocks/2/raw" && edit != nil {
				var raw map[string]any
				_ = json.Unmarshal(body, &raw)
				edit(raw)
				body, _ = json.Marshal(raw)
			}
			w.WriteHeader(resp.StatusCode)
			_, _ = w.Write(body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	flip := func(field string) func(map[string]any) {
		return func(raw map[string]any) {
			s := raw[field].(string)
			i := len(s) - 3
			c := byte('0')
			if s[i] == '0' {
				c = '1'
			}
			raw[field] = s[:i] + string(c) + s[i+1:]
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, c := range []struct {
		name string
		edit func(map[string]any)
		want string // "" verifies
	}{
		{"honest", nil, ""},
		{"a certificate signature altered", flip("commit"), "does not verify"},
		{"the block altered", flip("block"), "does not verify"},
		{"another writes root", func(raw map[string]any) { raw["writes_root"] = strings.Repeat("ab", 32) }, "app hash"},
		{"no writes root", func(raw map[string]any) { delete(raw, "writes_root") }, "cannot be checked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := follow.New(tamper(c.edit), nw.Genesis)
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.Next(ctx, 2)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("honest node: %v", err)
			case c.want == "" && (b.Height() != 2 || len(b.Outcomes) != len(b.Block.Txs)):
				t.Fatalf("block %d with %d outcomes for %d txs", b.Height(), len(b.Outcomes), len(b.Block.Txs))
			case c.want != "" && (err == nil || !follow.IsUntrusted(err) || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want Untrusted mentioning %q", err, c.want)
			}
		})
	}
	// A node of another chain is refused before any block is read.
	other := *nw.Genesis
	other.ChainID = "another-chain"
	f, _ := follow.New(real, &other)
	if _, err := f.Next(ctx, 1); err == nil || !strings.Contains(err.Error(), "genesis") {
		t.Errorf("another chain's genesis: %v", err)
	}
}
