// Package webtest starts, for the tests of the API and the pages, one real
// devnet per test binary: four validators in the test's process (each with
// its own Pebble store and libp2p host on 127.0.0.1), loaded with the demo
// story of contracts/demo. Tests share it read-mostly; it takes a few
// seconds to start. Tests of what the demo story does not record (assets,
// items that leave the chain, void objects) add the own EPCIS documents of
// contracts/trace/testdata once, with LoadOwnDocuments; they touch none of
// the demo's objects.
package webtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/devnet"
	"github.com/qianchain/qianchain/node/localnet"
)

// Net is a running devnet.
type Net struct {
	*devnet.Network
	URL    string // node0's HTTP API and pages
	dir    string
	cancel context.CancelFunc
	done   chan error

	mu      sync.Mutex
	nonce   uint64
	ownOnce sync.Once
	ownErr  error
}

// Start runs a devnet whose nodes serve handler, and returns once the demo
// story is committed.
func Start(handler func(n *node.Node) http.Handler) (*Net, error) {
	dir, err := os.MkdirTemp("", "qian-webtest-")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &Net{dir: dir, cancel: cancel, done: make(chan error, 1)}
	ready := make(chan *devnet.Network, 1)
	go func() {
		t.done <- devnet.Run(ctx, devnet.Options{Dir: dir, HTTP: "127.0.0.1:0", BasePort: freeBasePort(), Handler: handler,
			KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()},
			Ready:          func(nw *devnet.Network) { ready <- nw }})
	}()
	select {
	case nw := <-ready:
		t.Network, t.URL = nw, nw.URLs[0]
		return t, nil
	case err := <-t.done:
		cancel()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("devnet: %v", err)
	case <-time.After(3 * time.Minute):
		cancel()
		return nil, fmt.Errorf("devnet did not load the demo story in 3 minutes")
	}
}

// Stop stops the network and removes its files.
func (t *Net) Stop() {
	t.cancel()
	<-t.done
	os.RemoveAll(t.dir)
}

// Key unlocks a demo organisation's admin key (role farm, retailer, ...).
func (t *Net) Key(role membership.Role) (ledger.PrivateKey, error) {
	kr, err := keyring.Open(filepath.Join(t.Dir, localnet.KeyringDirName), keyring.InsecureTestKDF())
	if err != nil {
		return ledger.PrivateKey{}, err
	}
	return kr.Unlock(string(role), []byte(devnet.DefaultPassphrase))
}

// freeBasePort picks a base libp2p port whose next 40 ports look free.
func freeBasePort() int {
	for p := 32000 + int(time.Now().UnixNano()%2000)*10; ; p += 40 {
		free := true
		for i := 0; i < 40 && free; i += 8 {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+i))
			if err != nil {
				free = false
				break
			}
			ln.Close()
		}
		if free {
			return p
		}
	}
}
