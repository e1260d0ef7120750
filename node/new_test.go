package node_test

import (
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/nodetest"
)

// New's errors come back as errors: its clean-up of a half-built node once
// ran on the nil result and panicked for every failure after the first
// allocation (found when a refused store format reached it).
func TestNewFailsWithAnErrorNotAPanic(t *testing.T) {
	nw := nodetest.New(t, nodetest.Options{Validators: 1})
	m := nw.Members[0]
	stranger, _ := ledger.GenerateKey()
	n, err := node.New(node.Options{Config: m.Config, Genesis: nw.Genesis, App: nw.App(), NodeKey: m.NodeKey, ValidatorKey: stranger})
	if err == nil {
		n.Stop()
		t.Fatal("a validator key outside genesis was accepted")
	}
	if !strings.Contains(err.Error(), "not in the genesis validator set") {
		t.Fatalf("New: %v", err)
	}
}
