package follow_test

import (
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/qianchain/qianchain/node/client"
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

// A follower follows the validator set as governance changes it, the way
// the audit and `qian verify` do: certificates after a change verify
// against the new set, whose content the node serves and the follower
// checks against the certified headers; a follower that starts above the
// changes (a gateway restarting) follows them first; a node that alters a
// set it serves, or hides a change, is refused as Untrusted.
func TestFollowerFollowsValidatorSetChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-validator network")
	}
	// One founding organisation, the farm, is the whole electorate: its
	// proposal passes at once.
	farm, _ := ledger.GenerateKey()
	spec := demo.Farm.Spec("farm", farm.PublicKey())
	org := genesis.Organisation{ID: spec.ID, Name: spec.Name, Roles: []genesis.Role{genesis.Role(membership.Farm)},
		GS1Prefixes: spec.Prefixes, GLNs: spec.GLNs, Admins: spec.Admins}
	// A fifth node holds a validator key that is not in genesis: voted in,
	// it signs certificates the genesis set cannot verify.
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Candidates: 1, Orgs: []genesis.Organisation{org}, App: func() node.Application { return node.NewContractsApp() },
		Handler: func(n *node.Node) http.Handler { return api.New(n) }})
	nw.StartAll()
	nw.WaitHeight(2, 30*time.Second)
	real := nw.Members[0].URL
	cand := nw.Members[4]
	candPeer, err := membership.ParsePeerID(cand.PeerID().String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	nonce := uint64(time.Now().UnixNano())
	govern := func(vc membership.ValidatorChange) uint64 {
		t.Helper()
		nonce++
		tx := &ledger.Tx{ChainID: nw.Genesis.ChainID, Sender: farm.PublicKey(), Nonce: nonce, Contract: membership.Contract,
			Method: membership.MethodPropose, Payload: (&membership.Propose{Kind: vc.Kind, Validator: &vc, Reason: "follow test"}).Encode()}
		if err := tx.Sign(farm); err != nil {
			t.Fatal(err)
		}
		out, err := client.New(real).SubmitAndWait(ctx, tx)
		if err != nil || out.Code != "OK" {
			t.Fatalf("propose %+v: %v %+v", vc, err, out)
		}
		return out.Height
	}
	// node0 is the node followed (node3 stops at its removal).
	waitNode0 := func(h uint64) {
		t.Helper()
		for nw.Members[0].Node.Store.Height() < h {
			if ctx.Err() != nil {
				t.Fatalf("node0 did not reach height %d", h)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// Three changes of set: the fifth node voted in, a power changed, a
	// genesis validator removed.
	var changes []uint64 // the heights the new sets first sign
	for _, vc := range []membership.ValidatorChange{
		{Kind: membership.AddValidator, Org: spec.ID, Name: cand.Name, Key: cand.ValKey.PublicKey(), Power: 10, PeerID: candPeer},
		{Kind: membership.SetValidatorPower, Key: nw.Members[1].ValKey.PublicKey(), Power: 12},
		{Kind: membership.RemoveValidator, Key: nw.Members[3].ValKey.PublicKey()},
	} {
		h := govern(vc)
		changes = append(changes, h+2)
		waitNode0(h + 2)
	}
	// Up to a certificate the new validator signed (index 4: past the
	// genesis set's end).
	last := changes[len(changes)-1]
	newSigned := func(h uint64) bool {
		c, err := nw.Members[0].Node.Store.Commit(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range c.Sigs {
			if s.Validator == 4 {
				return true
			}
		}
		return false
	}
	var byNew uint64
	for h := changes[0]; byNew == 0; h++ {
		waitNode0(h + 2)
		if newSigned(h) {
			byNew, last = h, max(last, h)
		}
	}
	waitNode0(last + 3)

	// From height 1: every block up to past the last change verifies.
	f, err := follow.New(real, nw.Genesis)
	if err != nil {
		t.Fatal(err)
	}
	for h := uint64(1); h <= last+1; h++ {
		b, err := f.Next(ctx, h)
		if err != nil {
			t.Fatalf("height %d: %v", h, err)
		}
		if b.Height() != h {
			t.Fatalf("asked %d, got %d", h, b.Height())
		}
	}
	// A follower of the genesis set alone would have stopped there.
	gs, _ := nw.Genesis.ValidatorSet()
	blk, _ := nw.Members[0].Node.Store.Block(byNew)
	cmt, _ := nw.Members[0].Node.Store.Commit(byNew)
	if cmt.Verify(nw.Genesis.Identity(), gs, byNew, blk.Hash()) == nil {
		t.Fatalf("the certificate of height %d, signed by the new validator, verifies against the genesis set", byNew)
	}
	// Starting above the changes, as a restarting gateway does.
	f, _ = follow.New(real, nw.Genesis)
	if b, err := f.Next(ctx, last+1); err != nil || b.Height() != last+1 {
		t.Fatalf("a follower starting at %d: %v", last+1, err)
	}

	// A node that lies about a set: one that alters the set of the second
	// change (a power), and one that hides the last change (it answers
	// for every height with the genesis set, from height 1).
	proxy := func(edit func(h uint64, v map[string]any)) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			resp, err := http.Get(real + r.URL.RequestURI())
			if err != nil {
				http.Error(w, err.Error(), 502)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if r.URL.Path == "/v1/validators" {
				var v map[string]any
				_ = json.Unmarshal(body, &v)
				var h uint64
				fmt.Sscan(r.URL.Query().Get("height"), &h)
				edit(h, v)
				body, _ = json.Marshal(v)
			}
			w.WriteHeader(resp.StatusCode)
			_, _ = w.Write(body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	genesisSet, err := http.Get(real + "/v1/validators?height=1")
	if err != nil {
		t.Fatal(err)
	}
	var gv map[string]any
	_ = json.NewDecoder(genesisSet.Body).Decode(&gv)
	genesisSet.Body.Close()
	liars := map[string]string{
		"a power altered": proxy(func(h uint64, v map[string]any) {
			if v["from"] == float64(changes[1]) {
				vals := v["validators"].([]any)
				vals[0].(map[string]any)["power"] = 30
			}
		}),
		"a change hidden": proxy(func(h uint64, v map[string]any) {
			if v["from"] == float64(last) {
				for k, x := range gv {
					v[k] = x
				}
			}
		}),
	}
	for name, url := range liars {
		t.Run(name, func(t *testing.T) {
			for _, start := range []uint64{1, last + 1} {
				f, _ := follow.New(url, nw.Genesis)
				var err error
				for h := start; h <= last+1 && err == nil; h++ {
					_, err = f.Next(ctx, h)
				}
				if !follow.IsUntrusted(err) {
					t.Errorf("from height %d: %v, want Untrusted", start, err)
				}
				t.Logf("from height %d: %v", start, err)
			}
		})
	}
}
