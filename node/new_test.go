package node_test

import (
	"net"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/nodetest"
)

// New's errors come back as errors: its clean-up of a half-built node once
// ran on the nil result and panicked for every failure after the first
// allocation (found when a refused store format reached it). The failure
// here comes last of all: the HTTP address is taken, after the store,
// network and chain are built.
func TestNewFailsWithAnErrorNotAPanic(t *testing.T) {
	nw := nodetest.New(t, nodetest.Options{Validators: 1})
	m := nw.Members[0]
	ln, err := net.Listen("tcp", m.Config.HTTP.Listen)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	n, err := node.New(node.Options{Config: m.Config, Genesis: nw.Genesis, App: nw.App(), NodeKey: m.NodeKey, ValidatorKey: m.ValKey})
	if err == nil {
		n.Stop()
		t.Fatal("a node was built on an HTTP address already in use")
	}
	if !strings.Contains(err.Error(), "http listen") {
		t.Fatalf("New: %v", err)
	}
	// The failed New released what it opened, and nodetest moves a node
	// whose API port was taken to another one.
	old := m.URL
	nw.Start(0)
	if m.URL == old {
		t.Fatalf("started on the taken address %s", old)
	}
}
